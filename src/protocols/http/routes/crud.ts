import type { z } from 'zod';
import type { Snapshot } from '../../../app/directory.js';
import type { Application } from '../../../app/index.js';
import type { Actor } from '../../../core/permissions.js';
import { idParam, type Route } from '../route.js';

interface CrudUseCases<T> {
  list(actor: Actor): Promise<T[]>;
  get(actor: Actor, id: number): Promise<T>;
  create(actor: Actor, input: unknown): Promise<T>;
  update(actor: Actor, id: number, input: unknown): Promise<T>;
  remove?(actor: Actor, id: number): Promise<void>;
}

interface CrudSpec<T> {
  /** e.g. /api/v1/categories */
  readonly path: string;
  readonly tag: string;
  /** singular noun for summaries */
  readonly noun: string;
  readonly param: string;
  readonly useCases: (app: Application) => CrudUseCases<T>;
  readonly present: (item: T, snapshot: Snapshot, actor: Actor) => unknown;
  readonly createBody: z.ZodType;
  readonly updateBody: z.ZodType;
  readonly who: string;
  /** Users are disabled, never deleted: they have no DELETE. */
  readonly removable: boolean;
}

/** list / create / get / update / (remove) for an administered resource. */
export function crudRoutes<T>(spec: CrudSpec<T>): Route[] {
  const item = `${spec.path}/:${spec.param}`;
  const render = async (c: { app: Application; actor: Actor }, value: T) => spec.present(value, await c.app.directory.snapshot(), c.actor);
  const routes: Route[] = [
    {
      method: 'GET',
      url: spec.path,
      summary: `List ${spec.noun}s.`,
      tag: spec.tag,
      auth: true,
      handler: async (c) => {
        const snapshot = await c.app.directory.snapshot();
        return { [`${spec.tag}`]: (await spec.useCases(c.app).list(c.actor)).map((v) => spec.present(v, snapshot, c.actor)) };
      },
    },
    {
      method: 'POST',
      url: spec.path,
      summary: `Create a ${spec.noun} (${spec.who}).`,
      tag: spec.tag,
      auth: true,
      adminOnly: true,
      body: spec.createBody,
      status: 201,
      handler: async (c) => render(c, await spec.useCases(c.app).create(c.actor, c.body)),
    },
    {
      method: 'GET',
      url: item,
      summary: `One ${spec.noun}.`,
      tag: spec.tag,
      auth: true,
      handler: async (c) => render(c, await spec.useCases(c.app).get(c.actor, idParam(c, spec.param))),
    },
    {
      method: 'PATCH',
      url: item,
      summary: `Change a ${spec.noun} (${spec.who}); only the fields given change.`,
      tag: spec.tag,
      auth: true,
      body: spec.updateBody,
      handler: async (c) => render(c, await spec.useCases(c.app).update(c.actor, idParam(c, spec.param), c.body)),
    },
  ];
  if (spec.removable) {
    routes.push({
      method: 'DELETE',
      url: item,
      summary: `Remove a ${spec.noun} (${spec.who}).`,
      tag: spec.tag,
      auth: true,
      adminOnly: true,
      status: 204,
      handler: async (c) => {
        await spec.useCases(c.app).remove?.(c.actor, idParam(c, spec.param));
        return null;
      },
    });
  }
  return routes;
}
