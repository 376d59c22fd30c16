/**
 * The client's side of @mentions: unread mentions per room (the server's count at sign-in, then
 * each live message that mentions me above my read position), the per-room notification setting
 * (kept on the server: PUT /api/v1/me/rooms/:id/notify), the browser notifications it decides,
 * and the page title's count. Whether a text mentions me is decided by the same function the
 * server uses (src/core/mentions.ts); a message that reaches me is in a room I may read, so the
 * server's other condition holds.
 */
import { DEFAULT_NOTIFY_LEVEL, mentionsLogin, type NotifyLevel, shouldNotify } from '../../src/core/mentions.js';
import { api, get } from './api.js';
import { notify, pageHidden, setTitleCount } from './notify.js';
import type { Me, Message, ReadingView } from './types.js';

export type { NotifyLevel };

export class Mentions {
  private unread = new Map<number, number>();
  private levels = new Map<number, NotifyLevel>();
  /** The newest seq looked at per room: a message that arrives twice (upload answer and live event) counts once. */
  private seen = new Map<number, number>();
  private connections = 0;

  constructor(private readonly changed: () => void) {}

  /** From GET /api/v1/me/rooms (at sign-in, or refreshed). */
  load(views: readonly ReadingView[]): void {
    for (const v of views) {
      this.unread.set(v.roomId, v.mentions ?? 0);
      this.levels.set(v.roomId, v.notify ?? DEFAULT_NOTIFY_LEVEL);
    }
    this.title();
  }

  /**
   * Each time the WebSocket is (re)connected: after a reconnect the counts are read again, since
   * mentions pushed while the connection was down were missed (the first connection follows the
   * sign-in's own read).
   */
  connected(): void {
    if (this.connections++ === 0) return;
    get<{ rooms: ReadingView[] }>('/api/v1/me/rooms').then(
      ({ rooms }) => {
        this.load(rooms);
        this.changed();
      },
      () => undefined,
    );
  }

  clear(): void {
    this.connections = 0;
    this.unread.clear();
    this.levels.clear();
    this.seen.clear();
    this.title();
  }

  /** Unread mentions of me in the room. */
  count(roomId: number): number {
    return this.unread.get(roomId) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const c of this.unread.values()) n += c;
    return n;
  }

  level(roomId: number): NotifyLevel {
    return this.levels.get(roomId) ?? DEFAULT_NOTIFY_LEVEL;
  }

  async setLevel(roomId: number, level: NotifyLevel): Promise<void> {
    const view = await api<ReadingView>('PUT', `/api/v1/me/rooms/${roomId}/notify`, { notify: level });
    this.levels.set(roomId, view.notify ?? level);
    this.changed();
  }

  /** The room was read to its newest message: its mentions are read too. */
  read(roomId: number): void {
    if (!this.unread.get(roomId)) return;
    this.unread.set(roomId, 0);
    this.title();
  }

  /**
   * A live message: counts it when it mentions me above my read position, and shows a browser
   * notification while the page is hidden, as the room's setting says.
   */
  onMessage(m: Message, me: Me, lastRead: number, roomName: string): void {
    if (m.seq > 0) {
      if (m.seq <= (this.seen.get(m.roomId) ?? 0)) return;
      this.seen.set(m.roomId, m.seq);
    }
    const own = m.authorId === me.id;
    const mentionsMe = !own && mentionsLogin(m.text, me.login);
    if (mentionsMe && m.seq > lastRead) {
      this.unread.set(m.roomId, this.count(m.roomId) + 1);
      this.title();
      this.changed();
    }
    if (shouldNotify(this.level(m.roomId), { hidden: pageHidden(), own, mentionsMe })) {
      const who = m.authorName ?? 'Someone';
      const title = mentionsMe ? `${who} mentioned you in ${roomName}` : `${who} in ${roomName}`;
      notify(title, m.text, `#/room/${m.roomId}${m.seq > 0 ? `/m/${m.seq}` : ''}`, `pchat-${m.roomId}`);
    }
  }

  private title(): void {
    setTitleCount('mentions', this.total());
  }
}
