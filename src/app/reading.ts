import { z } from 'zod';
import { DEFAULT_NOTIFY_LEVEL, type NotifyLevel } from '../core/mentions.js';
import { type Actor, can } from '../core/permissions.js';
import type { ReadingState, Store } from '../ports/store.js';
import { type AppContext, roomAccess } from './context.js';
import { notifyInput } from './mentions.js';
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
  /** How many messages above `lastRead` mention the user (counted apart from `unread`; migration 0020). */
  readonly mentions: number;
  /** Which new messages notify the user in this room: `all`, `mentions` (the default) or `none`. */
  readonly notify: NotifyLevel;
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
    const mentions = (await ctx.store.mentions.unreadCounts(actor.userId)).get(roomId) ?? 0;
    return { roomId, followed: row?.followed ?? false, lastRead, lastSeq, unread: Math.max(0, lastSeq - lastRead), mentions, notify: row?.notify ?? DEFAULT_NOTIFY_LEVEL };
  };

  return {
    async list(actor: Actor): Promise<ReadingView[]> {
      const [stored, snapshot, mentions] = await Promise.all([ctx.store.reading.list(actor.userId), ctx.directory.snapshot(), ctx.store.mentions.unreadCounts(actor.userId)]);
      // Rooms where someone mentioned the user are listed even if never opened, so the mention is counted.
      const listed = new Set(stored.map((r) => r.roomId));
      const mentionedOnly = [...mentions.keys()].filter((id) => !listed.has(id)).map((roomId) => ({ roomId, followed: false, lastRead: 0, notify: DEFAULT_NOTIFY_LEVEL }));
      const rows = mentionedOnly.length === 0 ? stored : [...stored, ...mentionedOnly].sort((a, b) => a.roomId - b.roomId);
      const readable = rows.filter((r) => {
        const found = snapshot.roomWithCategory(r.roomId);
        return found !== null && can(actor, 'read', found.room, found.category);
      });
      return Promise.all(
        readable.map(async (r) => {
          const lastSeq = await ctx.store.rooms.lastSeq(r.roomId);
          return { ...r, lastSeq, unread: Math.max(0, lastSeq - r.lastRead), mentions: mentions.get(r.roomId) ?? 0 };
        }),
      );
    },

    /** Following needs read access; unfollowing never does (access may be gone already). */
    async follow(actor: Actor, roomId: number, input: unknown): Promise<ReadingView> {
      const { followed } = parse(followInput, input);
      parse(id, roomId);
      if (followed) await roomAccess(ctx, actor, roomId, 'read');
      else if (!(await ctx.directory.snapshot()).rooms.has(roomId)) return { roomId, followed, lastRead: 0, lastSeq: 0, unread: 0, mentions: 0, notify: DEFAULT_NOTIFY_LEVEL };
      await ctx.store.reading.setFollowed(actor.userId, roomId, followed);
      return one(actor, roomId);
    },

    /** The caller's notification setting for a room they may read: `all`, `mentions` (the default) or `none`. */
    async setNotify(actor: Actor, roomId: number, input: unknown): Promise<ReadingView> {
      const { notify } = parse(notifyInput, input);
      await roomAccess(ctx, actor, parse(id, roomId), 'read');
      await ctx.store.reading.setNotify(actor.userId, roomId, notify);
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
