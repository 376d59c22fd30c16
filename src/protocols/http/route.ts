import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Application } from '../../app/index.js';
import type { Authenticated } from '../../app/sessions.js';
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
  /** Allowed while the account must change its password (everything else answers password_change_required). */
  readonly duringPasswordChange?: boolean;
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
  /** The caller's session (routes with auth: true), e.g. to mark it as the current one. */
  readonly session: Authenticated | null;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * Ids in paths are canonical decimal integers: `12`, never `012`, `1e1`, `0xc`, ` 12` or
 * `12.0`, which Number() would all read as some id, so one resource had many addresses.
 */
const pathId = zod
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'Expected a positive decimal integer without sign, spaces or leading zeros, e.g. 12.')
  .transform(Number)
  .pipe(zod.int().max(Number.MAX_SAFE_INTEGER, 'The id is too large.'));

/** A numeric path parameter, or invalid_input naming it. */
export function idParam(c: RouteContext, name: string): number {
  return parse(zod.strictObject({ [name]: pathId }), { [name]: c.params[name] })[name] as number;
}
