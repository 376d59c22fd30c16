import { z } from 'zod';
import { COMPLIANCE_TYPES, type ComplianceEvent } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { type AppContext, requireAdmin } from './context.js';
import { parse } from './validate.js';

export const complianceQuery = z.strictObject({
  after: z.coerce.number().pipe(z.int().nonnegative()).default(0),
  type: z.enum(COMPLIANCE_TYPES).optional(),
  roomId: z.coerce.number().pipe(z.int().positive()).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(5000)).default(500),
});

/** Read-only access to the append-only compliance record. Nothing here can change it. */
export function complianceUseCases(ctx: AppContext) {
  return {
    async list(actor: Actor, query: unknown = {}): Promise<{ events: ComplianceEvent[]; next: number | null }> {
      requireAdmin(actor);
      const q = parse(complianceQuery, query);
      const events = await ctx.store.compliance.list({
        afterId: q.after,
        limit: q.limit,
        ...(q.type && { type: q.type }),
        ...(q.roomId !== undefined && { roomId: q.roomId }),
      });
      return { events, next: events.length === q.limit ? (events.at(-1)?.id ?? null) : null };
    },
  };
}
