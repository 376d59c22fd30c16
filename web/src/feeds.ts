/**
 * The client's topic feeds (GET /api/v1/feeds): the user's saved keyword filters, kept on the
 * server so every device has them, each with its count of new hits. The server matches posts
 * and sends this user's hits to every open WebSocket (`feed.hits`), and `feed.changed` when a
 * filter was created, changed, read or deleted on another device; the chat model (chat.ts)
 * hands those frames here.
 */
import { api, get } from './api.js';
import { notify, pageHidden, setTitleCount } from './notify.js';
import type { Message } from './types.js';

export interface Feed {
  readonly id: number;
  readonly name: string;
  readonly words: readonly string[];
  readonly authorId: number | null;
  readonly authorName: string | null;
  readonly roomIds: readonly number[] | null;
  readonly rooms: readonly { id: number; name: string }[] | null;
  readonly readHitId: number;
  readonly unread: number;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface FeedHit {
  readonly hitId: number;
  readonly message: Message;
  readonly roomName: string;
  readonly authorName: string;
}

export interface FeedInput {
  readonly words: string;
  readonly name?: string;
  readonly authorId: number | null;
  readonly roomIds: number[] | null;
}

export class TopicFeeds {
  list: Feed[] = [];
  loaded = false;
  /** Hits that arrived live, newest first, per feed: an open feed shows them above its first page. */
  readonly live = new Map<number, FeedHit[]>();
  /** The feed whose screen is open: its hits are read as they arrive (while the page is visible). */
  viewing: number | null = null;
  constructor(private readonly onChange: () => void) {}

  /** New hits in every feed (the sidebar's heading and the title show it). */
  get unread(): number {
    return this.list.reduce((sum, f) => sum + f.unread, 0);
  }

  get(id: number): Feed | undefined {
    return this.list.find((f) => f.id === id);
  }

  async load(): Promise<void> {
    try {
      this.list = (await get<{ feeds: Feed[] }>('/api/v1/feeds')).feeds;
      this.loaded = true;
    } catch {
      // The sidebar keeps what it had; the next frame or reconnect loads again.
    }
    this.changed();
  }

  clear(): void {
    this.list = [];
    this.loaded = false;
    this.live.clear();
    this.viewing = null;
    setTitleCount('feeds', 0);
  }

  /** A `feed.hits` or `feed.changed` frame from the server. */
  onFrame(frame: { type: string; hits?: (FeedHit & { filterId: number })[] }): void {
    if (frame.type === 'feed.changed') {
      void this.load();
      return;
    }
    for (const { filterId, ...hit } of frame.hits ?? []) {
      const feed = this.get(filterId);
      if (!feed) {
        void this.load();
        continue;
      }
      this.live.set(filterId, [hit, ...(this.live.get(filterId) ?? [])]);
      const seen = this.viewing === filterId && document.visibilityState === 'visible';
      this.replace({ ...feed, unread: seen ? feed.unread : feed.unread + 1 });
      if (seen) void this.markRead(filterId, hit.hitId);
      // A feed is itself a request to be told: while the tab is hidden, a notification (when permitted).
      if (pageHidden()) notify(`${feed.name}: ${hit.authorName} in ${hit.roomName}`, hit.message.text, `#/room/${hit.message.roomId}/m/${hit.message.seq}`, `pchat-feed-${feed.id}`);
    }
    this.changed();
  }

  async save(input: FeedInput, id: number | null): Promise<Feed> {
    const feed = await api<Feed>(id === null ? 'POST' : 'PUT', id === null ? '/api/v1/feeds' : `/api/v1/feeds/${id}`, input);
    this.replace(feed, true);
    this.changed();
    return feed;
  }

  async remove(id: number): Promise<void> {
    await api('DELETE', `/api/v1/feeds/${id}`);
    this.list = this.list.filter((f) => f.id !== id);
    this.live.delete(id);
    this.changed();
  }

  /** The feed was seen up to `hitId`: its count restarts there, on every device. */
  async markRead(id: number, hitId: number): Promise<void> {
    const feed = this.get(id);
    if (!feed || (hitId <= feed.readHitId && feed.unread === 0)) return;
    try {
      this.replace(await api<Feed>('PUT', `/api/v1/feeds/${id}/read`, { hitId }));
      this.changed();
    } catch {
      // The count stays; the next visit marks it again.
    }
  }

  /** Every change: the screens redraw, and the page title counts the new hits with the mentions. */
  private changed(): void {
    setTitleCount('feeds', this.unread);
    this.onChange();
  }

  private replace(feed: Feed, add = false): void {
    const at = this.list.findIndex((f) => f.id === feed.id);
    if (at >= 0) this.list = [...this.list.slice(0, at), feed, ...this.list.slice(at + 1)];
    else if (add) this.list = [...this.list, feed];
  }
}
