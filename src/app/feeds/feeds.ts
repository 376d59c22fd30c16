import { z } from 'zod';
import { notFound, PchatError } from '../../core/errors.js';
import { wordsOf } from '../../core/feedMatch.js';
import type { Message } from '../../core/model.js';
import { type Actor, can } from '../../core/permissions.js';
import type { FeedFilter } from '../../ports/feeds.js';
import type { AppContext } from '../context.js';
import type { Snapshot } from '../directory.js';
import { roomNameFor } from '../search.js';
import { id, parse } from '../validate.js';
import type { FeedMatcher } from './matcher.js';

/** The bounds of topic feeds, the same through every door. */
export const FEED_LIMITS = { filtersPerUser: 100, words: 8, wordLength: 64, wordsInput: 512, nameLength: 80, rooms: 50, pageSize: 100 } as const;

export const feedInput = z.strictObject({
  /** What the user typed: split and folded as search does; every word must be in a message. */
  words: z.string().max(FEED_LIMITS.wordsInput),
  /** Defaults to the words. */
  name: z.string().trim().max(FEED_LIMITS.nameLength).optional(),
  /** Only messages by this user. */
  authorId: id.nullable().default(null),
  /** Only messages in these rooms; null or absent: every room the user may read. */
  roomIds: z.array(id).min(1, 'Give at least one room, or null for every room.').max(FEED_LIMITS.rooms).nullable().default(null),
});

export const feedPageQuery = z.strictObject({
  /** The `next` value of the previous page. */
  before: z.coerce.number().pipe(id).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(FEED_LIMITS.pageSize)).default(50),
});

export const feedReadInput = z.strictObject({
  /** The newest hit seen; the mark only moves forward. */
  hitId: z.int().nonnegative(),
});

export interface FeedView {
  readonly id: number;
  readonly name: string;
  readonly words: readonly string[];
  readonly authorId: number | null;
  readonly authorName: string | null;
  readonly roomIds: readonly number[] | null;
  /** The filter's rooms the user may still read, by name (null: every room). */
  readonly rooms: readonly { id: number; name: string }[] | null;
  readonly readHitId: number;
  /** Hits above the read mark, in rooms the user may still read. */
  readonly unread: number;
  readonly createdAt: number;
}

export interface FeedHitView {
  readonly hitId: number;
  readonly message: Message;
  readonly roomName: string;
  readonly authorName: string;
}

const mayRead = (actor: Actor, snapshot: Snapshot, roomId: number): boolean => {
  const found = snapshot.roomWithCategory(roomId);
  return found !== null && can(actor, 'read', found.room, found.category);
};

/** The words of the input, folded and distinct, with the field named when they are unusable. */
function feedWords(input: string): string[] {
  const words = [...new Set(wordsOf(input))];
  if (words.length === 0) throw new PchatError('invalid_input', 'words: Give at least one word (letters or digits).', { field: 'words' });
  if (words.length > FEED_LIMITS.words) throw new PchatError('invalid_input', `words: At most ${FEED_LIMITS.words} words; this has ${words.length}.`, { field: 'words' });
  const long = words.find((w) => w.length > FEED_LIMITS.wordLength);
  if (long !== undefined) throw new PchatError('invalid_input', `words: "${long.slice(0, 20)}…" is longer than ${FEED_LIMITS.wordLength} characters.`, { field: 'words' });
  return words;
}

/**
 * Topic feeds, Lync's feature: a user's saved keyword filters over every room they may read,
 * matched on the server as messages are posted (matcher.ts), the hits stored and counted above a
 * read mark per filter. A user's filters are theirs alone: anyone else gets not_found.
 */
export function feedUseCases(ctx: AppContext, matcher: FeedMatcher) {
  const own = async (actor: Actor, filterId: number): Promise<FeedFilter> => {
    const filter = await ctx.store.feeds.get(parse(id, filterId));
    if (!filter || filter.userId !== actor.userId || actor.userId === 0) throw notFound('topic feed');
    return filter;
  };

  /** Checks the input against the directory: the author exists, every room is one the user may read. */
  const checked = async (actor: Actor, input: unknown) => {
    const data = parse(feedInput, input);
    const words = feedWords(data.words);
    const snapshot = await ctx.directory.snapshot();
    if (data.authorId !== null && !snapshot.users.has(data.authorId)) {
      throw new PchatError('invalid_input', `authorId: No user has id ${data.authorId}.`, { field: 'authorId' });
    }
    if (data.authorId === actor.userId) {
      throw new PchatError('invalid_input', 'authorId: Your own messages never appear in your feeds; choose someone else or anyone.', { field: 'authorId' });
    }
    const roomIds = data.roomIds === null ? null : [...new Set(data.roomIds)];
    roomIds?.forEach((roomId, i) => {
      // Worded alike for rooms that do not exist and those the user may not read: secret rooms stay secret.
      if (!mayRead(actor, snapshot, roomId)) throw new PchatError('invalid_input', `roomIds.${i}: No room you may read has id ${roomId}.`, { field: `roomIds.${i}` });
    });
    return { name: data.name || words.join(' '), words, authorId: data.authorId, roomIds };
  };

  const changed = async (filter: { id: number; userId: number }) => {
    await ctx.bus.publish({ type: 'feed.changed', userId: filter.userId, filterId: filter.id });
  };

  const view = (actor: Actor, snapshot: Snapshot, filter: FeedFilter, unread: number): FeedView => ({
    id: filter.id,
    name: filter.name,
    words: filter.words,
    authorId: filter.authorId,
    authorName: filter.authorId === null ? null : (snapshot.users.get(filter.authorId)?.displayName ?? null),
    roomIds: filter.roomIds,
    rooms: filter.roomIds === null ? null : filter.roomIds.filter((r) => mayRead(actor, snapshot, r)).map((r) => ({ id: r, name: roomNameFor(actor, snapshot, r) })),
    readHitId: filter.readHitId,
    unread,
    createdAt: filter.createdAt,
  });

  /** New hits per filter, counting only rooms the user may still read. */
  const unreadCounts = async (actor: Actor, snapshot: Snapshot): Promise<Map<number, number>> => {
    const counts = new Map<number, number>();
    for (const row of await ctx.store.feeds.unread(actor.userId)) {
      if (mayRead(actor, snapshot, row.roomId)) counts.set(row.filterId, (counts.get(row.filterId) ?? 0) + row.count);
    }
    return counts;
  };

  return {
    matcher,

    async list(actor: Actor): Promise<FeedView[]> {
      const [filters, snapshot] = await Promise.all([ctx.store.feeds.listByUser(actor.userId), ctx.directory.snapshot()]);
      const counts = await unreadCounts(actor, snapshot);
      return filters.map((f) => view(actor, snapshot, f, counts.get(f.id) ?? 0));
    },

    async get(actor: Actor, filterId: number): Promise<FeedView> {
      const filter = await own(actor, filterId);
      const snapshot = await ctx.directory.snapshot();
      return view(actor, snapshot, filter, (await unreadCounts(actor, snapshot)).get(filter.id) ?? 0);
    },

    async create(actor: Actor, input: unknown): Promise<FeedView> {
      if (actor.userId === 0) throw new PchatError('not_permitted', 'Topic feeds belong to users.');
      const data = await checked(actor, input);
      const filter = await ctx.store.feeds.create({ userId: actor.userId, ...data, createdAt: ctx.clock.now() }, FEED_LIMITS.filtersPerUser);
      if (!filter) throw new PchatError('conflict', `You have ${FEED_LIMITS.filtersPerUser} topic feeds already; delete one first.`);
      matcher.apply(filter);
      await changed(filter);
      return view(actor, await ctx.directory.snapshot(), filter, 0);
    },

    async update(actor: Actor, filterId: number, input: unknown): Promise<FeedView> {
      await own(actor, filterId);
      const data = await checked(actor, input);
      const filter = await ctx.store.feeds.update({ id: filterId, userId: actor.userId, ...data });
      if (!filter) throw notFound('topic feed');
      matcher.apply(filter);
      await changed(filter);
      return this.get(actor, filter.id);
    },

    async remove(actor: Actor, filterId: number): Promise<void> {
      const filter = await own(actor, filterId);
      if (!(await ctx.store.feeds.remove(filter.id, actor.userId))) throw notFound('topic feed');
      matcher.apply({ id: filter.id, removed: true });
      await changed(filter);
    },

    /** The feed's messages, newest first, by keyset pages of hits; only messages the user may still read. */
    async messages(actor: Actor, filterId: number, query: unknown = {}): Promise<{ hits: FeedHitView[]; next: number | null }> {
      const q = parse(feedPageQuery, query);
      const filter = await own(actor, filterId);
      const snapshot = await ctx.directory.snapshot();
      const hits: FeedHitView[] = [];
      let before = q.before ?? null;
      // Hits in rooms the user may no longer read are skipped; a few more reads fill the page.
      for (let round = 0; round < 8 && hits.length < q.limit; round++) {
        const rows = await ctx.store.feeds.hits(filter.id, before, q.limit + 1);
        for (const row of rows) {
          if (hits.length === q.limit) return { hits, next: hits.at(-1)?.hitId ?? null };
          before = row.hitId;
          if (!mayRead(actor, snapshot, row.message.roomId)) continue;
          hits.push({
            hitId: row.hitId,
            message: row.message,
            roomName: roomNameFor(actor, snapshot, row.message.roomId),
            authorName: snapshot.users.get(row.message.authorId)?.displayName ?? '',
          });
        }
        if (rows.length <= q.limit) return { hits, next: null };
      }
      return { hits, next: before };
    },

    /** Moves the feed's read mark (its count of new hits) forward; the user's other sessions hear of it. */
    async markRead(actor: Actor, filterId: number, input: unknown): Promise<FeedView> {
      const { hitId } = parse(feedReadInput, input);
      const filter = await own(actor, filterId);
      await ctx.store.feeds.markRead(filter.id, actor.userId, hitId);
      await changed(filter);
      return this.get(actor, filter.id);
    },
  };
}
