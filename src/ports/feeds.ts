import type { Message } from '../core/model.js';

/** A user's saved keyword filter (a topic feed), stored on the server so it follows them to every device. */
export interface FeedFilter {
  readonly id: number;
  readonly userId: number;
  /** What the user calls it (defaults to its words). */
  readonly name: string;
  /** Folded, distinct words, all of which a message must contain. */
  readonly words: readonly string[];
  /** Only messages by this user; null: anyone's. */
  readonly authorId: number | null;
  /** Only messages in these rooms; null: every room the owner may read. */
  readonly roomIds: readonly number[] | null;
  /** The newest hit the owner has seen (the read mark): hits above it are counted as new. */
  readonly readHitId: number;
  readonly createdAt: number;
}

export type NewFeedFilter = Pick<FeedFilter, 'userId' | 'name' | 'words' | 'authorId' | 'roomIds' | 'createdAt'>;
export type FeedFilterChange = Pick<FeedFilter, 'id' | 'userId' | 'name' | 'words' | 'authorId' | 'roomIds'>;

/** A message the matcher found for a filter. */
export interface NewFeedHit {
  readonly filterId: number;
  readonly messageId: number;
  readonly roomId: number;
}

export interface FeedHit {
  readonly hitId: number;
  readonly message: Message;
}

/** New hits of one filter in one room, above the filter's read mark. */
export interface FeedUnread {
  readonly filterId: number;
  readonly roomId: number;
  readonly count: number;
}

/** Topic feeds (migration 0021): the filters, and the hits the matcher stores in batches. */
export interface FeedStore {
  /** Adds the filter unless the user already has `maxPerUser` (checked in the inserting statement); null then. */
  create(filter: NewFeedFilter, maxPerUser: number): Promise<FeedFilter | null>;
  /** Changes a filter of `userId` (its read mark stays); null when the user has no such filter. */
  update(change: FeedFilterChange): Promise<FeedFilter | null>;
  /** Deletes a filter of `userId` with its hits; false when there was none. */
  remove(id: number, userId: number): Promise<boolean>;
  get(id: number): Promise<FeedFilter | null>;
  /** The user's filters, oldest first. */
  listByUser(userId: number): Promise<FeedFilter[]>;
  /** Every filter of every user, by id (the matcher loads them at start). */
  listAll(): Promise<FeedFilter[]>;
  /**
   * Stores hits in one transaction and returns each one's hit id in input order; null for a hit
   * already stored or whose filter or message is gone (deleted meanwhile).
   */
  addHits(hits: readonly NewFeedHit[]): Promise<(number | null)[]>;
  /** A filter's hits, newest first, below `beforeHitId` when given (keyset pages). */
  hits(filterId: number, beforeHitId: number | null, limit: number): Promise<FeedHit[]>;
  /** The user's hits above each filter's read mark, counted per filter and room. */
  unread(userId: number): Promise<FeedUnread[]>;
  /** Moves a filter's read mark forward to `hitId` (never back); false when the user has no such filter. */
  markRead(id: number, userId: number, hitId: number): Promise<boolean>;
}

/** One hit as it travels in the `feed.hits` event: addressed to the filter's owner. */
export interface FeedHitNotice {
  readonly userId: number;
  readonly filterId: number;
  readonly hitId: number;
  readonly messageId: number;
}

/** Whether a feed event is for `userId` (a hit of one of their filters, or a change to one). */
export function feedEventConcerns(event: { type: 'feed.hits'; hits: readonly FeedHitNotice[] } | { type: 'feed.changed'; userId: number }, userId: number): boolean {
  if (userId === 0) return false;
  return event.type === 'feed.changed' ? event.userId === userId : event.hits.some((h) => h.userId === userId);
}
