import { z } from 'zod';
import { type Actor, can } from '../core/permissions.js';
import type { ReadingState, Store } from '../ports/store.js';
import { type AppContext, roomAccess } from './context.js';
import { id, parse } from './validate.js';

export const followInput = z.strictObject({ followed: z.boolean() });
export const readInput = z.strictObject({
  /** The highest seq the user has seen in the room; positions only move forward. */
  seq: z.int().nonnegative(),
});

/** A user's reading state in one room, with its unread count (messages after the last one read). */
export interface ReadingView {
  readonly roomId: number;
  readonly followed: boolean;
  readonly lastRead: number;
  readonly lastSeq: number;
  readonly unread: number;
}

/** The user's reading state in one room: null when they neither follow nor have read it. */
export async function readingStateOf(store: Store, userId: number, roomId: number): Promise<ReadingState | null> {
  return (await store.reading.list(userId)).find((r) => r.roomId === roomId) ?? null;
}

/**
 * Followed rooms (opened at every sign-in) and read positions, kept on the server so they roam
 * between a user's devices. Only rooms the user may still read are reported.
 */
export function readingUseCases(ctx: AppContext) {
  const one = async (actor: Actor, roomId: number): Promise<ReadingView> => {
    const row = await readingStateOf(ctx.store, actor.userId, roomId);
    const lastSeq = await ctx.store.rooms.lastSeq(roomId);
    const lastRead = row?.lastRead ?? 0;
    return { roomId, followed: row?.followed ?? false, lastRead, lastSeq, unread: Math.max(0, lastSeq - lastRead) };
  };

  return {
    async list(actor: Actor): Promise<ReadingView[]> {
      const [rows, snapshot] = await Promise.all([ctx.store.reading.list(actor.userId), ctx.directory.snapshot()]);
      const readable = rows.filter((r) => {
        const found = snapshot.roomWithCategory(r.roomId);
        return found !== null && can(actor, 'read', found.room, found.category);
      });
      return Promise.all(
        readable.map(async (r) => {
          const lastSeq = await ctx.store.rooms.lastSeq(r.roomId);
          return { ...r, lastSeq, unread: Math.max(0, lastSeq - r.lastRead) };
        }),
      );
    },

    /** Following needs read access; unfollowing never does (access may be gone already). */
    async follow(actor: Actor, roomId: number, input: unknown): Promise<ReadingView> {
      const { followed } = parse(followInput, input);
      parse(id, roomId);
      if (followed) await roomAccess(ctx, actor, roomId, 'read');
      else if (!(await ctx.directory.snapshot()).rooms.has(roomId)) return { roomId, followed, lastRead: 0, lastSeq: 0, unread: 0 };
      await ctx.store.reading.setFollowed(actor.userId, roomId, followed);
      return one(actor, roomId);
    },

    async markRead(actor: Actor, roomId: number, input: unknown): Promise<ReadingView> {
      const { seq } = parse(readInput, input);
      await roomAccess(ctx, actor, parse(id, roomId), 'read');
      const lastSeq = await ctx.store.rooms.lastSeq(roomId);
      await ctx.store.reading.markRead(actor.userId, roomId, Math.min(seq, lastSeq));
      return one(actor, roomId);
    },
  };
}
