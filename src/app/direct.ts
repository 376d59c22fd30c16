import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  DIRECT_CATEGORY,
  DIRECT_CATEGORY_ID,
  DIRECT_DISABLED_MESSAGE,
  isDirect,
  MAX_DIRECT_PARTICIPANTS,
  MIN_DIRECT_PARTICIPANTS,
  participantsOf,
} from '../core/direct.js';
import { notPermitted, PchatError, roomNotFound } from '../core/errors.js';
import type { Message, Room, User } from '../core/model.js';
import { type Actor, can } from '../core/permissions.js';
import { type AppContext, roomAccess } from './context.js';
import type { Snapshot } from './directory.js';
import { readingStateOf } from './reading.js';
import { id, parse } from './validate.js';

/** Who to talk with: user ids or logins, besides the caller (who is always a participant). */
export const openDirectInput = z.strictObject({
  participants: z
    .array(z.union([id, z.string().trim().min(1, 'A login cannot be empty.').max(256)]))
    .min(1, 'Name at least one other person.')
    .max(MAX_DIRECT_PARTICIPANTS, `A direct conversation has at most ${MAX_DIRECT_PARTICIPANTS} participants.`),
});

/** A direct conversation as one of its participants sees it. */
export interface ConversationView {
  readonly room: Room;
  /** Every participant, the caller included, in the order they were named. */
  readonly participants: readonly User[];
  readonly lastSeq: number;
  readonly lastRead: number;
  readonly unread: number;
  readonly lastMessage: Message | null;
  /** Whether the caller may post (their direct-message policy). */
  readonly canPost: boolean;
}

/**
 * Direct conversations (core/direct.ts): rooms marked `direct`, so history, search, read
 * positions, compliance and live delivery are the rooms'; everything here is what only
 * conversations have: opening one with people, and listing the caller's own.
 */
export function directUseCases(ctx: AppContext) {
  const userNamed = (snapshot: Snapshot, ref: number | string, field: string): User => {
    let user: User | undefined;
    if (typeof ref === 'number') user = snapshot.users.get(ref);
    else {
      const wanted = ref.toLocaleLowerCase();
      user = [...snapshot.users.values()].find((u) => u.login.toLocaleLowerCase() === wanted);
    }
    if (!user) throw new PchatError('invalid_input', typeof ref === 'number' ? `No user has id ${ref}.` : `No user has the login "${ref}".`, { field });
    return user;
  };

  const view = async (actor: Actor, snapshot: Snapshot, room: Room, lastRead: number): Promise<ConversationView> => {
    const [lastSeq, newest] = await Promise.all([ctx.store.rooms.lastSeq(room.id), ctx.store.messages.history({ roomId: room.id, limit: 1 })]);
    const participants = participantsOf(room).flatMap((uid) => snapshot.users.get(uid) ?? []);
    return {
      room,
      participants,
      lastSeq,
      lastRead,
      unread: Math.max(0, lastSeq - lastRead),
      lastMessage: newest.at(-1) ?? null,
      canPost: can(actor, 'post', room, DIRECT_CATEGORY),
    };
  };

  const lastReadOf = async (userId: number, roomId: number): Promise<number> => (await readingStateOf(ctx.store, userId, roomId))?.lastRead ?? 0;

  /** The caller's conversations that they may read (all of them, unless their access is gone). */
  const readableDirect = (actor: Actor, snapshot: Snapshot): Room[] =>
    snapshot.directRoomsOf(actor.userId).filter((room) => can(actor, 'read', room, DIRECT_CATEGORY));

  return {
    /**
     * Opens a conversation with the named people: the existing one for a pair (a one-to-one
     * conversation is unique per pair), else a new one. `created` says which.
     */
    async open(actor: Actor, input: unknown): Promise<ConversationView & { created: boolean }> {
      const { participants } = parse(openDirectInput, input);
      if (actor.disabled || !actor.chatEnabled) throw notPermitted('Persistent chat is switched off for you by the policy.');
      if (!actor.directEnabled) throw notPermitted(DIRECT_DISABLED_MESSAGE);
      const snapshot = await ctx.directory.snapshot();
      const ids = [actor.userId];
      participants.forEach((ref, i) => {
        const field = `participants.${i}`;
        const user = userNamed(snapshot, ref, field);
        if (user.disabled) throw new PchatError('invalid_input', `The account ${user.login} is disabled.`, { field });
        const other = snapshot.actor(user.id);
        if (user.id !== actor.userId && (!other?.chatEnabled || !other.directEnabled)) {
          throw new PchatError('invalid_input', `${user.login} cannot take part in direct conversations: the policy switches them off.`, { field });
        }
        if (!ids.includes(user.id)) ids.push(user.id);
      });
      if (ids.length < MIN_DIRECT_PARTICIPANTS) throw new PchatError('invalid_input', 'Name at least one other person: you alone are no conversation.', { field: 'participants' });
      if (ids.length > MAX_DIRECT_PARTICIPANTS) {
        throw new PchatError('invalid_input', `A direct conversation has at most ${MAX_DIRECT_PARTICIPANTS} participants, you included.`, { field: 'participants' });
      }
      const [me, other] = ids as [number, number];
      if (ids.length === 2) {
        const existing = snapshot.directPair(me, other);
        if (existing) return { ...(await view(actor, snapshot, existing, await lastReadOf(actor.userId, existing.id))), created: false };
      }
      let room: Room;
      try {
        room = await ctx.store.rooms.create({
          // Never shown, never typed: a leading space, which no validated name has, keeps it apart from every room name.
          name: ` direct ${randomUUID()}`,
          description: '',
          categoryId: DIRECT_CATEGORY_ID,
          privacy: 'secret',
          type: 'normal',
          members: ids.map((uid) => ({ kind: 'user' as const, id: uid })),
          managers: [],
          presenters: [],
          invitations: 'false',
          addinId: null,
          disabled: false,
          origin: null,
          legacyUri: null,
          direct: true,
        });
      } catch (error) {
        // Both people opened it at the same moment: the store's unique pair index let one win.
        if (!(error instanceof PchatError && error.code === 'conflict' && ids.length === 2)) throw error;
        ctx.directory.invalidate();
        const reloaded = await ctx.directory.snapshot();
        const winner = reloaded.directPair(me, other);
        if (!winner) throw error;
        return { ...(await view(actor, reloaded, winner, await lastReadOf(actor.userId, winner.id))), created: false };
      }
      // Published (and so the directory reloaded, the participants' sessions subscribed) before anyone can post in it.
      await ctx.bus.publish({ type: 'direct.opened', roomId: room.id, userIds: ids });
      return { ...(await view(actor, await ctx.directory.snapshot(), room, 0)), created: true };
    },

    /** One conversation of the caller; room_not_found for anyone else, exactly as for a missing room. */
    async get(actor: Actor, roomId: number): Promise<ConversationView> {
      const { snapshot, room } = await roomAccess(ctx, actor, parse(id, roomId), 'read');
      if (!isDirect(room)) throw roomNotFound();
      return view(actor, snapshot, room, await lastReadOf(actor.userId, room.id));
    },

    /** The caller's conversations, most recent activity first, each with its unread count and last message. */
    async list(actor: Actor): Promise<ConversationView[]> {
      const [snapshot, reading] = await Promise.all([ctx.directory.snapshot(), ctx.store.reading.list(actor.userId)]);
      const lastRead = new Map(reading.map((r) => [r.roomId, r.lastRead]));
      const views = await Promise.all(readableDirect(actor, snapshot).map((room) => view(actor, snapshot, room, lastRead.get(room.id) ?? 0)));
      const activity = (v: ConversationView): number => v.lastMessage?.createdAt ?? v.room.createdAt;
      return views.sort((a, b) => activity(b) - activity(a) || b.room.id - a.room.id);
    },

    /** The ids of the caller's conversations: what a connected session subscribes to at sign-in. */
    async roomIds(actor: Actor): Promise<number[]> {
      return readableDirect(actor, await ctx.directory.snapshot()).map((r) => r.id);
    },

    /**
     * When each of these rooms (channels or conversations) last had a message, for the rooms the
     * caller may read: what IRC's CHATHISTORY TARGETS lists. Reads no text, so it is not BACKCHAT.
     */
    async lastActivity(actor: Actor, roomIds: Iterable<number>): Promise<Map<number, number>> {
      const snapshot = await ctx.directory.snapshot();
      const readable = [...roomIds].filter((roomId) => {
        const found = snapshot.roomWithCategory(roomId);
        return found !== null && can(actor, 'read', found.room, found.category);
      });
      const newest = await Promise.all(readable.map(async (roomId) => (await ctx.store.messages.history({ roomId, limit: 1 })).at(-1)));
      const out = new Map<number, number>();
      readable.forEach((roomId, i) => {
        const message = newest[i];
        if (message) out.set(roomId, message.createdAt);
      });
      return out;
    },
  };
}
