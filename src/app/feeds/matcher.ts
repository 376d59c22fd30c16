import { FeedIndex, type FeedRule, postWords } from '../../core/feedMatch.js';
import type { Message } from '../../core/model.js';
import { can } from '../../core/permissions.js';
import type { FeedFilter, FeedHitNotice } from '../../ports/feeds.js';
import type { AppendResult } from '../../ports/store.js';
import type { AppContext } from '../context.js';
import type { Snapshot } from '../directory.js';
import { GroupCommit } from '../groupCommit.js';

export interface FeedLogger {
  error(obj: unknown, msg: string): void;
}

/** A hit found, waiting for its batch to be stored. */
interface FoundHit {
  readonly userId: number;
  readonly filterId: number;
  readonly message: Message;
}

export const ruleOf = (filter: FeedFilter): FeedRule => ({
  id: filter.id,
  userId: filter.userId,
  words: filter.words,
  authorId: filter.authorId,
  roomIds: filter.roomIds === null ? null : new Set(filter.roomIds),
});

/**
 * Topic feeds' matcher, in the process where posts commit. Every filter of every user is held in
 * an in-memory inverted index (core/feedMatch.ts), loaded at start and kept current by
 * `feed.changed` events (from this process and, through the shared event log, from others).
 * Committed posts are matched after their acknowledgements, in the next turn of the event loop;
 * the owner's right to read the room is asked of the directory snapshot, never of storage. Hits
 * are stored in batches (a group commit: what is found while one batch is written goes into the
 * next), then published as one `feed.hits` event, which the hub hands to each owner's sessions.
 * Nothing here can fail a post: errors are logged.
 */
export class FeedMatcher {
  private readonly index = new FeedIndex();
  private active = false;
  private loading: Promise<void> | null = null;
  /** The filters are loaded: an empty index then means no post can hit anything. */
  private loaded = false;
  /** Filters changed while the initial load ran: reloaded after it. */
  private changedDuringLoad: Set<number> | null = null;
  /** The latest reload asked for each filter: an older answer that arrives later is dropped. */
  private readonly reloadTickets = new Map<number, number>();
  private ticket = 0;
  private queue: Message[] = [];
  private scheduled = false;
  private log: FeedLogger | null = null;
  private readonly writer: GroupCommit<FoundHit, FeedHitNotice & { message: Message }>;

  constructor(private readonly ctx: AppContext) {
    this.writer = new GroupCommit(
      async (found) => {
        const ids = await ctx.store.feeds.addHits(found.map((f) => ({ filterId: f.filterId, messageId: f.message.id, roomId: f.message.roomId })));
        return found.map((f, i) => ({ userId: f.userId, filterId: f.filterId, hitId: ids[i] ?? 0, messageId: f.message.id, message: f.message }));
      },
      (stored) => this.announce(stored),
    );
    ctx.bus.subscribe((event) => {
      // Once loaded, the index follows every change, matching or not.
      if (event.type === 'feed.changed' && this.loading) void this.reload(event.filterId);
    });
  }

  /** How many filters the index holds. */
  get size(): number {
    return this.index.size;
  }

  /** Loads every filter and starts matching committed posts (the server calls it; the CLI never does). */
  async start(log?: FeedLogger): Promise<void> {
    this.log = log ?? null;
    this.active = true;
    this.loading ??= this.load();
    await this.loading;
  }

  /** Stops matching new posts (the benchmark's baseline); the index stays current. */
  stop(): void {
    this.active = false;
  }

  /** Waits until every hit found so far is stored and announced (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.scheduled || this.queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    await this.writer.flush();
  }

  /** The use cases apply their own changes at once (the event then only confirms them). */
  apply(filter: FeedFilter | { id: number; removed: true }): void {
    if ('removed' in filter) this.index.remove(filter.id);
    else this.index.put(ruleOf(filter));
  }

  /** Called by the posts' group commit with each committed batch: only queues, never throws. */
  committed(results: readonly AppendResult[]): void {
    // Without a single filter (most servers, and every benchmark of the post path) nothing is queued.
    if (!this.active || (this.loaded && this.index.size === 0)) return;
    // Messages of rooms that keep no history (seq 0) cannot be shown in a feed later: not matched.
    for (const { message, duplicate } of results) if (!duplicate && message.seq !== 0) this.queue.push(message);
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.drain());
  }

  /** The filters a committed message hits: words, author, rooms, and the owner may read the room; never the author's own. */
  match(message: Message, snapshot: Snapshot): { userId: number; filterId: number }[] {
    const found = snapshot.roomWithCategory(message.roomId);
    if (!found) return [];
    const hits: { userId: number; filterId: number }[] = [];
    for (const rule of this.index.match(postWords(message.text, message.title), message.roomId, message.authorId)) {
      if (rule.userId === message.authorId) continue;
      const owner = snapshot.actor(rule.userId);
      if (owner && can(owner, 'read', found.room, found.category)) hits.push({ userId: rule.userId, filterId: rule.id });
    }
    return hits;
  }

  private async drain(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      await this.loading;
      const snapshot = await this.ctx.directory.snapshot();
      for (const message of batch) {
        for (const hit of this.match(message, snapshot)) {
          this.writer.submit({ ...hit, message }).catch((error: unknown) => this.log?.error({ err: error, filterId: hit.filterId }, 'storing a feed hit failed'));
        }
      }
    } catch (error) {
      this.log?.error({ err: error }, 'matching topic feeds failed');
    } finally {
      this.scheduled = false;
      if (this.queue.length > 0) this.committed([]);
    }
  }

  private announce(stored: readonly (FeedHitNotice & { message: Message })[]): void {
    const hits = stored.filter((h) => h.hitId !== 0);
    if (hits.length === 0) return;
    const messages = new Map<number, Message>();
    for (const h of hits) messages.set(h.messageId, h.message);
    const notices = hits.map(({ userId, filterId, hitId, messageId }) => ({ userId, filterId, hitId, messageId }));
    this.ctx.bus
      .publish({ type: 'feed.hits', hits: notices, messages: [...messages.values()] })
      .catch((error: unknown) => this.log?.error({ err: error }, 'publishing feed hits failed'));
  }

  private async load(): Promise<void> {
    this.changedDuringLoad = new Set();
    try {
      for (const filter of await this.ctx.store.feeds.listAll()) this.index.put(ruleOf(filter));
    } finally {
      const changed = this.changedDuringLoad;
      this.changedDuringLoad = null;
      await Promise.all([...changed].map((id) => this.reload(id)));
      this.loaded = true;
    }
  }

  private async reload(filterId: number): Promise<void> {
    if (this.changedDuringLoad) {
      this.changedDuringLoad.add(filterId);
      return;
    }
    const ticket = ++this.ticket;
    this.reloadTickets.set(filterId, ticket);
    try {
      const filter = await this.ctx.store.feeds.get(filterId);
      if (this.reloadTickets.get(filterId) !== ticket) return;
      this.reloadTickets.delete(filterId);
      if (filter) this.index.put(ruleOf(filter));
      else this.index.remove(filterId);
    } catch (error) {
      this.log?.error({ err: error, filterId }, 'reloading a topic feed filter failed');
    }
  }
}
