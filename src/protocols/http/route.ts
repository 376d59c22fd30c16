import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Application } from '../../app/index.js';
import { parse } from '../../app/validate.js';
import type { Actor } from '../../core/permissions.js';
import { z as zod } from 'zod';

/** One HTTP operation, declared as data: the server registers it and the OpenAPI document describes it. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify path syntax, e.g. /api/v1/rooms/:roomId */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  /** false: callable without signing in. */
  readonly auth: boolean;
  readonly adminOnly?: boolean;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly status?: number;
  /**
   * A multipart/form-data body (described by this JSON schema for OpenAPI): the handler streams
   * it with `c.request.parts()`; it is not parsed as JSON and http.maxBodyBytes does not apply.
   */
  readonly multipart?: Record<string, unknown>;
  /** Other answers worth documenting (status → description), e.g. 206 and 304 of a download. */
  readonly responses?: Readonly<Record<string, string>>;
  /** The success answer's media type when it is not JSON (a file's bytes). */
  readonly produces?: string;
  readonly handler: (c: RouteContext) => Promise<unknown>;
}

export interface RouteContext {
  readonly app: Application;
  /** The signed-in caller; routes with auth: false must not touch it. */
  readonly actor: Actor;
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  readonly token: string | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

const pathId = zod.coerce.number().pipe(zod.int().positive());

/** A numeric path parameter, or invalid_input naming it. */
export function idParam(c: RouteContext, name: string): number {
  return parse(zod.strictObject({ [name]: pathId }), { [name]: c.params[name] })[name] as number;
}
