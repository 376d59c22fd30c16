import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import type { Actor } from '../core/permissions.js';
import type { AuditEntry } from '../ports/store.js';
import { type AppContext, requireAdmin } from './context.js';
import { parse } from './validate.js';

/** Use-case names that change state. Everything else (get, list, search …) only reads. */
const MUTATIONS = new Set(['create', 'update', 'remove', 'setPolicy', 'removePolicy', 'updateChatConfig', 'clearRoom', 'removeMessages', 'setActive', 'setMaintenance', 'saveUser', 'saveGroup', 'saveCategory', 'saveAddin', 'saveRoom']);

const withoutSecrets = (input: unknown): unknown =>
  JSON.parse(JSON.stringify(input ?? null, (key, value: unknown) => (key === 'password' ? '[redacted]' : value)));

const idOf = (result: unknown): string | null => {
  const r = result as { id?: unknown; room?: { id?: unknown } } | null;
  const id = r?.id ?? r?.room?.id;
  return typeof id === 'number' ? String(id) : null;
};

/**
 * Wraps an area's use cases so that every mutating call is recorded, with who made it and its
 * outcome, refused attempts included. Done once here, so no use case can forget it.
 */
export function audited<T extends Record<string, unknown>>(ctx: AppContext, area: string, useCases: T): T {
  const wrapped: Record<string, unknown> = { ...useCases };
  for (const [name, fn] of Object.entries(useCases)) {
    if (typeof fn !== 'function' || !MUTATIONS.has(name)) continue;
    wrapped[name] = async (actor: Actor, ...args: unknown[]) => {
      const record = (outcome: string, result?: unknown) =>
        ctx.store.audit.append({
          at: ctx.clock.now(),
          actorId: actor.userId,
          isAdmin: actor.isAdmin,
          action: `${area}.${name}`,
          target: typeof args[0] === 'number' ? String(args[0]) : idOf(result),
          input: withoutSecrets(args.find((a) => typeof a === 'object')),
          outcome,
        });
      let result: unknown;
      try {
        result = await (fn as (...a: unknown[]) => Promise<unknown>).call(useCases, actor, ...args);
      } catch (error) {
        await record(error instanceof PchatError ? error.code : 'internal');
        throw error;
      }
      await record('ok', result);
      return result;
    };
  }
  return wrapped as T;
}

export const auditQuery = z.strictObject({
  after: z.coerce.number().pipe(z.int().nonnegative()).default(0),
  actorId: z.coerce.number().pipe(z.int().nonnegative()).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(5000)).default(500),
});

export function auditUseCases(ctx: AppContext) {
  return {
    async list(actor: Actor, query: unknown = {}): Promise<{ entries: AuditEntry[]; next: number | null }> {
      requireAdmin(actor);
      const q = parse(auditQuery, query);
      const entries = await ctx.store.audit.list({ afterId: q.after, limit: q.limit, ...(q.actorId !== undefined && { actorId: q.actorId }) });
      return { entries, next: entries.length === q.limit ? (entries.at(-1)?.id ?? null) : null };
    },
  };
}
