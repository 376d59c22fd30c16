import { z } from 'zod';
import { type Message } from '../core/model.js';
import { type Actor, can } from '../core/permissions.js';
import { isDirect, participantsOf } from '../core/direct.js';
import { type AppContext, roomAccess } from './context.js';
import type { Snapshot } from './directory.js';
import { id, parse, timestamp } from './validate.js';

const numeric = z.coerce.number().pipe(id);
const time = z.union([z.coerce.number().pipe(z.int().nonnegative()), timestamp]);
export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'Give at least one word to search for.').max(512),
  roomId: numeric.optional(),
  authorId: numeric.optional(),
  from: time.optional(),
  to: time.optional(),
  /** The `next` value of the previous page. */
  cursor: numeric.optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(200)).default(50),
});

export interface SearchHit {
  readonly message: Message;
  readonly roomName: string;
  readonly authorName: string;
}

/** Words as the full-text index sees them: letters and digits; everything else separates. */
export function searchTerms(q: string): string[] {
  return (q.match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
}

/** A room's name; a direct conversation's is the other participants' names (its own name is never shown). */
export function roomNameFor(actor: Actor, snapshot: Snapshot, roomId: number): string {
  const room = snapshot.rooms.get(roomId);
  if (!room) return '';
  if (!isDirect(room)) return room.name;
  const others = participantsOf(room).filter((uid) => uid !== actor.userId);
  return others.map((uid) => snapshot.users.get(uid)?.displayName ?? `user ${uid}`).join(', ');
}

export function searchUseCases(ctx: AppContext) {
  return {
    /** Newest first, only from rooms the caller may search (never secret or disabled rooms they cannot read). */
    async search(actor: Actor, query: unknown): Promise<{ hits: SearchHit[]; next: number | null }> {
      const q = parse(searchQuery, query);
      const snapshot = await ctx.directory.snapshot();
      let roomIds: number[];
      if (q.roomId !== undefined) {
        await roomAccess(ctx, actor, q.roomId, 'search');
        roomIds = [q.roomId];
      } else {
        roomIds = [];
        for (const room of snapshot.rooms.values()) {
          // roomWithCategory, not categories.get: a direct conversation's category is hidden, and its participants search it.
          const found = snapshot.roomWithCategory(room.id);
          if (found && can(actor, 'search', room, found.category)) roomIds.push(room.id);
        }
      }
      const terms = searchTerms(q.q);
      const messages = await ctx.store.messages.search({
        terms,
        roomIds,
        limit: q.limit + 1,
        ...(q.authorId !== undefined && { authorId: q.authorId }),
        ...(q.from !== undefined && { from: q.from }),
        ...(q.to !== undefined && { to: q.to }),
        ...(q.cursor !== undefined && { beforeId: q.cursor }),
      });
      const more = messages.length > q.limit;
      const hits = messages.slice(0, q.limit).map((message) => ({
        message,
        roomName: roomNameFor(actor, snapshot, message.roomId),
        authorName: snapshot.users.get(message.authorId)?.displayName ?? '',
      }));
      return { hits, next: more ? (hits.at(-1)?.message.id ?? null) : null };
    },
  };
}
