/**
 * The client's model of the chat: the signed-in user, the rooms they have open, each room's
 * window of history, the outbox, unread counts and the connection state. Components read it and
 * re-render on `subscribe`; every change goes through the methods below.
 */
import { api, ApiError, get, query, upload } from './api.js';
import { Connection, type ConnectionState, type Frame } from './connection.js';
import { DirectMessages } from './direct.js';
import { Mentions } from './mentions.js';
import { TopicFeeds } from './feeds.js';
import { filesRefused, humanSize } from './files.js';
import { withReactionFrame } from './reactions.js';
import type { Conversation, EditWindow, HistoryPage, Me, Message, ReadingView, Room } from './types.js';

/** The most messages kept in one room's window; scrolling further loads pages and drops the far end. */
export const WINDOW = 400;
export const PAGE = 100;

export interface Pending {
  readonly clientId: string;
  readonly text: string;
  readonly kind: 'text' | 'story';
  readonly title: string | null;
  /** The seq of the message it answers, or null. */
  readonly replyTo: number | null;
  state: 'sending' | 'waiting' | 'failed';
  error: ApiError | null;
}

/** A file being uploaded to a room, or one that was refused (shown next to the composer). */
export interface Upload {
  /** Also the post's clientId: a retried upload is stored once. */
  readonly key: string;
  readonly name: string;
  readonly size: number;
  /** Kept for a retry; null when it was refused before uploading (nothing to retry). */
  readonly file: File | null;
  readonly caption: string;
  /** Bytes of the request sent, and its whole length (0 until known). */
  loaded: number;
  total: number;
  state: 'uploading' | 'processing' | 'failed';
  error: ApiError | null;
  abort: (() => void) | null;
}

export interface RoomState {
  readonly id: number;
  room: Room | null;
  status: 'joining' | 'joined' | 'error' | 'removed';
  error: ApiError | null;
  removedReason: string | null;
  /** The window of history shown, ascending by seq. */
  messages: Message[];
  moreBefore: boolean;
  moreAfter: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  /** Highest seq that exists in the room, as far as we know. */
  lastSeq: number;
  /** Highest seq received in order from the server: the `since` for a re-join. */
  seenSeq: number;
  lastRead: number;
  followed: boolean;
  participants: { id: number; name: string | null }[] | null;
  participantCount: number;
  pending: Pending[];
  uploads: Upload[];
  /** A message to show in context (search results), highlighted once loaded. */
  focusSeq: number | null;
  /** The message the composer answers (Reply on a message), until sent or cancelled. */
  replyingTo: Message | null;
  /** Bumped when the window is replaced, so the view re-anchors its scroll position. */
  generation: number;
}

const newRoomState = (id: number): RoomState => ({
  id,
  room: null,
  status: 'joining',
  error: null,
  removedReason: null,
  messages: [],
  moreBefore: false,
  moreAfter: false,
  loadingOlder: false,
  loadingNewer: false,
  lastSeq: 0,
  seenSeq: 0,
  lastRead: 0,
  followed: false,
  participants: null,
  participantCount: 0,
  pending: [],
  uploads: [],
  focusSeq: null,
  replyingTo: null,
  generation: 0,
});

const REASONS: Record<string, string> = {
  disabled: 'An administrator disabled this room. Its history is kept and returns if it is enabled again.',
  deleted: 'This room was deleted.',
  revoked: 'You no longer have access to this room.',
};

/** Merges messages into a window by seq, replacing same-seq entries (moderation) and keeping order. */
function merge(window: Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return window;
  const bySeq = new Map(window.map((m) => [m.seq === 0 ? `live:${m.id}` : m.seq, m] as const));
  for (const m of incoming) bySeq.set(m.seq === 0 ? `live:${m.id}` : m.seq, m);
  return [...bySeq.values()].sort((a, b) => (a.seq || Number.MAX_SAFE_INTEGER) - (b.seq || Number.MAX_SAFE_INTEGER) || a.id - b.id);
}

export class Chat {
  me: Me | null = null;
  connection: ConnectionState = 'connecting';
  signedOutReason: string | null = null;
  rooms = new Map<number, RoomState>();
  /** The rooms in the sidebar, in the order opened: followed ones first at sign-in. */
  open: number[] = [];
  reading = new Map<number, ReadingView>();
  /** The largest file the server takes (GET /api/v1/config), null until known. */
  maxFileSizeKB: number | null = null;
  /** How long authors may edit or delete their own messages (GET /api/v1/config), null until known. */
  editOwnMessages: EditWindow | null = null;
  /** Direct conversations (direct.ts); their rooms are entered like any other. */
  readonly direct = new DirectMessages(() => this.changed());
  /** Unread mentions of me, per-room notification settings, browser notifications (mentions.ts). */
  readonly mentions = new Mentions(() => this.changed());
  /** Topic feeds (feeds.ts): saved keyword filters, their live hits and counts. */
  readonly feeds = new TopicFeeds(() => this.changed());
  private conn: Connection | null = null;
  private listeners = new Set<() => void>();
  private readTimers = new Map<number, ReturnType<typeof setTimeout>>();
  version = 0;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  /** After sign-in (or on load with a valid cookie): connect, and open every followed room. */
  async start(me: Me): Promise<void> {
    this.me = me;
    this.signedOutReason = null;
    this.connection = 'connecting';
    const { rooms } = await get<{ rooms: ReadingView[] }>('/api/v1/me/rooms');
    this.reading = new Map(rooms.map((r) => [r.roomId, r]));
    this.mentions.load(rooms);
    for (const r of rooms) if (r.followed) this.ensure(r.roomId);
    void this.loadConfig();
    void this.direct.load();
    void this.feeds.load();
    this.conn = new Connection({
      onEvent: (frame) => this.onEvent(frame),
      onReady: () => {
        this.rejoinAll();
        // Conversations opened or written to while disconnected.
        void this.direct.load();
        void this.feeds.load();
        this.mentions.connected();
      },
      onState: (state, reason) => {
        this.connection = state;
        if (state === 'signedOut') this.reset(reason ?? 'Signed out by the server.');
        else this.changed();
      },
      sessionValid: async () => {
        try {
          await get('/api/v1/me');
          return true;
        } catch (error) {
          return !(error instanceof ApiError && error.status === 401);
        }
      },
    });
    this.conn.open();
    this.changed();
  }

  private async loadConfig(): Promise<void> {
    try {
      const config = await get<{ maxFileSizeKB?: number; editOwnMessages?: EditWindow }>('/api/v1/config');
      this.maxFileSizeKB = typeof config.maxFileSizeKB === 'number' ? config.maxFileSizeKB : null;
      this.editOwnMessages = config.editOwnMessages ?? 'off';
      this.changed();
    } catch {
      // Unknown: the server still refuses what is too large.
    }
  }

  async signOut(): Promise<void> {
    await api('DELETE', '/api/v1/sessions/current').catch(() => undefined);
    this.reset();
  }

  /** Forget everything (signed out here or by the server). */
  reset(reason: string | null = null): void {
    for (const state of this.rooms.values()) for (const u of state.uploads) u.abort?.();
    this.conn?.close();
    this.conn = null;
    this.me = null;
    this.rooms.clear();
    this.open = [];
    this.reading.clear();
    this.direct.clear();
    this.mentions.clear();
    this.feeds.clear();
    this.signedOutReason = reason;
    this.changed();
  }

  private ensure(roomId: number): RoomState {
    let state = this.rooms.get(roomId);
    if (!state) {
      state = newRoomState(roomId);
      const r = this.reading.get(roomId);
      if (r) Object.assign(state, { lastRead: r.lastRead, lastSeq: r.lastSeq, followed: r.followed });
      this.rooms.set(roomId, state);
      this.open.push(roomId);
    }
    return state;
  }

  /** Opens a room (joins it over the WebSocket). Returns its state at once; it fills in as replies come. */
  enter(roomId: number, focusSeq: number | null = null): RoomState {
    const existed = this.rooms.has(roomId);
    const state = this.ensure(roomId);
    if (focusSeq !== null) {
      state.focusSeq = focusSeq;
      void this.loadAround(state, focusSeq);
    } else if (state.focusSeq !== null) {
      // Opened again without a message asked for: the latest messages, nothing highlighted any more.
      void this.loadLatest(state);
    }
    if (!existed || state.status === 'error' || state.status === 'removed') {
      state.status = 'joining';
      state.error = null;
      if (this.connection === 'online') void this.join(state);
    }
    this.changed();
    return state;
  }

  /** Leaves a room: parts it and removes it from the sidebar (following is a separate choice). */
  async leave(roomId: number): Promise<void> {
    this.rooms.delete(roomId);
    this.open = this.open.filter((id) => id !== roomId);
    this.changed();
    await this.conn?.request({ type: 'part', roomId }).catch(() => undefined);
  }

  private rejoinAll(): void {
    for (const state of this.rooms.values()) if (state.status !== 'removed') void this.join(state);
  }

  /**
   * Joins (or re-joins after a reconnect) with `since` = the last seq received: the server sends
   * exactly what was missed, then live messages. Then resends the outbox with the same clientIds,
   * so a post whose acknowledgement was lost is stored once.
   */
  private async join(state: RoomState): Promise<void> {
    const since = state.seenSeq > 0 ? state.seenSeq : null;
    try {
      const frame = await this.conn!.request({ type: 'join', roomId: state.id, since });
      const page = frame as unknown as HistoryPage & { room: Room; participants: RoomState['participants']; participantCount: number };
      if (page.room.direct && !this.direct.has(state.id)) await this.direct.load();
      state.room = this.shown(page.room);
      state.status = 'joined';
      state.error = null;
      state.participants = page.participants;
      state.participantCount = page.participantCount;
      state.lastSeq = Math.max(state.lastSeq, page.lastSeq);
      if (since === null) {
        if (state.focusSeq === null) this.replaceWindow(state, page);
      } else if (page.moreAfter) {
        // Missed more than one reply carries: show the newest page; older is a scroll away.
        await this.loadLatest(state);
      } else if (!state.moreAfter) {
        state.messages = this.trimFront(state, merge(state.messages, page.messages));
      }
      const newest = page.messages.at(-1)?.seq ?? 0;
      state.seenSeq = Math.max(state.seenSeq, newest, since === null ? page.lastSeq : 0);
      this.changed();
      for (const p of state.pending) if (p.state !== 'failed') void this.send(state, p);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'disconnected') return;
      state.status = 'error';
      state.error = error instanceof ApiError ? error : new ApiError(0, 'internal', String(error));
      this.changed();
    }
  }

  /** A direct conversation goes by the other participants' names; its own name is internal. */
  private shown(room: Room): Room {
    const title = room.direct ? this.direct.titleOf(room.id, this.me?.id) : null;
    return title ? { ...room, name: title } : room;
  }

  private replaceWindow(state: RoomState, page: HistoryPage): void {
    state.messages = page.messages;
    state.moreBefore = page.moreBefore;
    state.moreAfter = page.moreAfter;
    state.lastSeq = Math.max(state.lastSeq, page.lastSeq);
    state.generation++;
  }

  private trimFront(state: RoomState, messages: Message[]): Message[] {
    if (messages.length <= WINDOW) return messages;
    state.moreBefore = true;
    return messages.slice(messages.length - WINDOW);
  }

  async loadLatest(state: RoomState): Promise<void> {
    state.focusSeq = null;
    await this.loadPage(state, { limit: PAGE }, (page) => this.replaceWindow(state, page));
  }

  async loadAround(state: RoomState, seq: number): Promise<void> {
    await this.loadPage(state, { around: seq, limit: PAGE }, (page) => this.replaceWindow(state, page));
  }

  /** Scrollback: the page before the oldest message shown; drops the newest beyond the window. */
  async loadOlder(state: RoomState): Promise<void> {
    const first = state.messages.find((m) => m.seq > 0);
    if (!first || !state.moreBefore || state.loadingOlder) return;
    state.loadingOlder = true;
    await this.loadPage(state, { before: first.seq, limit: PAGE }, (page) => {
      let messages = merge(state.messages, page.messages);
      if (messages.length > WINDOW) {
        messages = messages.slice(0, WINDOW);
        state.moreAfter = true;
      }
      state.messages = messages;
      state.moreBefore = page.moreBefore;
    });
    state.loadingOlder = false;
    this.changed();
  }

  async loadNewer(state: RoomState): Promise<void> {
    const last = state.messages.findLast((m) => m.seq > 0);
    if (!last || !state.moreAfter || state.loadingNewer) return;
    state.loadingNewer = true;
    await this.loadPage(state, { after: last.seq, limit: PAGE }, (page) => {
      state.messages = this.trimFront(state, merge(state.messages, page.messages));
      state.moreAfter = page.moreAfter;
    });
    state.loadingNewer = false;
    this.changed();
  }

  private async loadPage(state: RoomState, q: Record<string, number>, apply: (page: HistoryPage) => void): Promise<void> {
    try {
      const page = await get<HistoryPage>(`/api/v1/rooms/${state.id}/messages${query(q)}`);
      apply(page);
      state.lastSeq = Math.max(state.lastSeq, page.lastSeq);
    } catch (error) {
      state.error = error instanceof ApiError ? error : null;
    }
    this.changed();
  }

  /** Posts through the outbox: shown at once as "sending", confirmed by the server's ack. */
  post(roomId: number, text: string, kind: 'text' | 'story', title: string | null): void {
    const state = this.rooms.get(roomId);
    if (!state) return;
    const replyTo = state.replyingTo?.seq ?? null;
    state.replyingTo = null;
    const pending: Pending = { clientId: `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, text, kind, title, replyTo, state: 'sending', error: null };
    state.pending.push(pending);
    this.changed();
    void this.send(state, pending);
  }

  /** Makes the composer answer `m` (null: no longer). */
  replyTo(roomId: number, m: Message | null): void {
    const state = this.rooms.get(roomId);
    if (!state) return;
    state.replyingTo = m;
    this.changed();
  }

  retry(roomId: number, clientId: string): void {
    const state = this.rooms.get(roomId);
    const pending = state?.pending.find((p) => p.clientId === clientId);
    if (!state || !pending) return;
    pending.state = 'sending';
    pending.error = null;
    this.changed();
    void this.send(state, pending);
  }

  discard(roomId: number, clientId: string): void {
    const state = this.rooms.get(roomId);
    if (!state) return;
    state.pending = state.pending.filter((p) => p.clientId !== clientId);
    this.changed();
  }

  private async send(state: RoomState, pending: Pending): Promise<void> {
    if (this.connection !== 'online') {
      pending.state = 'waiting';
      this.changed();
      return;
    }
    try {
      const ack = await this.conn!.request({
        type: 'post',
        roomId: state.id,
        text: pending.text,
        kind: pending.kind,
        title: pending.title,
        clientId: pending.clientId,
        ...(pending.replyTo !== null && { replyTo: pending.replyTo }),
      });
      const seq = (ack.message as { seq: number }).seq;
      // The message itself arrives as a live event; once it is in the window (or the window is
      // elsewhere in history) the outbox entry goes.
      if (state.moreAfter || seq === 0 || state.messages.some((m) => m.seq === seq)) this.dropPending(state, pending.clientId);
      this.changed();
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(0, 'internal', String(error));
      pending.state = e.code === 'disconnected' ? 'waiting' : 'failed';
      pending.error = e.code === 'disconnected' ? null : e;
      this.changed();
    }
  }

  /**
   * Attaches files (button, drop or paste): each is uploaded as its own message, the caption going
   * with the first. What the client knows the server would refuse (no posting here, files not
   * allowed, larger than maxFileSizeKB) is refused at once, without uploading.
   */
  attach(roomId: number, files: readonly File[], caption = ''): void {
    const state = this.rooms.get(roomId);
    const room = state?.room;
    if (!state || !room) return;
    files.forEach((file, i) => {
      const u: Upload = { key: `f-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, name: file.name || 'file', size: file.size, file, caption: i === 0 ? caption : '', loaded: 0, total: 0, state: 'uploading', error: null, abort: null };
      state.uploads.push(u);
      const limit = this.maxFileSizeKB;
      const refused = filesRefused(room);
      if (refused) this.refuse(u, new ApiError(403, 'not_permitted', refused));
      else if (limit !== null && file.size > limit * 1024) this.refuse(u, tooLarge(u, limit));
      else void this.sendFile(state, u);
    });
    this.changed();
  }

  private refuse(u: Upload, error: ApiError): void {
    Object.assign(u, { state: 'failed', error, file: null });
  }

  private async sendFile(state: RoomState, u: Upload): Promise<void> {
    if (!u.file) return;
    const form = new FormData();
    if (u.caption) form.append('text', u.caption);
    form.append('clientId', u.key);
    form.append('file', u.file, u.name);
    Object.assign(u, { state: 'uploading', error: null, loaded: 0, total: 0 });
    try {
      const transfer = upload<{ message: Message }>(`/api/v1/rooms/${state.id}/files`, form, (loaded, total) => {
        u.loaded = loaded;
        u.total = total;
        if (total > 0 && loaded >= total) u.state = 'processing';
        this.changed();
      });
      u.abort = transfer.abort;
      this.changed();
      const { message } = await transfer.done;
      this.dropUpload(state, u.key);
      // The same message also arrives as a live event; merging by seq keeps it once.
      this.onEvent({ type: 'message', roomId: state.id, message });
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(0, 'internal', String(error));
      if (e.code === 'aborted') return this.dropUpload(state, u.key);
      u.abort = null;
      // The limit may have changed since sign-in. A server refusing a large body may also cut the
      // connection before its 413 is read, which looks like a network error: check the size then too.
      if (e.status === 413 || e.code === 'too_large' || e.code === 'network') await this.loadConfig();
      const limit = this.maxFileSizeKB;
      if (e.status === 413 || e.code === 'too_large' || (e.code === 'network' && limit !== null && u.size > limit * 1024)) {
        this.refuse(u, tooLarge(u, limit, e.message));
      } else if (e.status >= 400 && e.status < 500) this.refuse(u, e);
      else Object.assign(u, { state: 'failed', error: e }); // network or server trouble: Retry sends it again, same clientId
      this.changed();
    }
  }

  /** Cancels an upload under way, or dismisses a failed one. */
  cancelUpload(roomId: number, key: string): void {
    const state = this.rooms.get(roomId);
    const u = state?.uploads.find((x) => x.key === key);
    if (!state || !u) return;
    u.abort?.();
    this.dropUpload(state, key);
  }

  retryUpload(roomId: number, key: string): void {
    const state = this.rooms.get(roomId);
    const u = state?.uploads.find((x) => x.key === key);
    if (state && u?.file) void this.sendFile(state, u);
  }

  private dropUpload(state: RoomState, key: string): void {
    state.uploads = state.uploads.filter((x) => x.key !== key);
    this.changed();
  }

  private dropPending(state: RoomState, clientId: string | null): void {
    if (clientId) state.pending = state.pending.filter((p) => p.clientId !== clientId);
  }

  async setFollowed(roomId: number, followed: boolean): Promise<void> {
    const view = await api<ReadingView>('PUT', `/api/v1/me/rooms/${roomId}`, { followed });
    this.reading.set(roomId, view);
    const state = this.rooms.get(roomId);
    if (state) state.followed = followed;
    this.changed();
  }

  unread(roomId: number): number {
    const state = this.rooms.get(roomId);
    if (state) return Math.max(0, state.lastSeq - state.lastRead);
    return this.reading.get(roomId)?.unread ?? 0;
  }

  /** The view calls this while the newest message is on screen; the server is told, debounced. */
  markRead(roomId: number): void {
    const state = this.rooms.get(roomId);
    if (!state || state.moreAfter || state.status !== 'joined') return;
    const newest = state.messages.findLast((m) => m.seq > 0)?.seq ?? 0;
    if (newest <= state.lastRead) return;
    state.lastRead = newest;
    this.direct.read(roomId, newest);
    this.mentions.read(roomId);
    this.changed();
    clearTimeout(this.readTimers.get(roomId));
    this.readTimers.set(
      roomId,
      setTimeout(() => {
        // Kept, so a room left and opened again draws its "New messages" line at the new position.
        void api<ReadingView>('PUT', `/api/v1/me/rooms/${roomId}/read`, { seq: state.lastRead })
          .then((view) => this.reading.set(roomId, view))
          .catch(() => undefined);
      }, 400),
    );
  }

  /** Counts a live mention of me and notifies as the room's setting says (mentions.ts), before the message updates the read position. */
  private noticeMessage(roomId: number, m: Message, state: RoomState | undefined, roomName: string | null = null): void {
    const lastRead = state?.lastRead ?? this.direct.get(roomId)?.lastRead ?? this.reading.get(roomId)?.lastRead ?? 0;
    const name = state?.room?.name ?? (this.direct.has(roomId) ? (this.direct.titleOf(roomId, this.me!.id) ?? 'a conversation') : (roomName ?? `room ${roomId}`));
    this.mentions.onMessage(m, this.me!, lastRead, name);
  }

  private onEvent(frame: Frame): void {
    const roomId = typeof frame.roomId === 'number' ? frame.roomId : null;
    const state = roomId === null ? undefined : this.rooms.get(roomId);
    if (frame.type === 'direct') return this.direct.upsert(frame.conversation as Conversation);
    if (frame.type === 'message' && roomId !== null && this.me) this.noticeMessage(roomId, frame.message as Message, state);
    // A mention in a room not open here: counted (sidebar, title) and notified; the room itself is not loaded.
    if (frame.type === 'mention' && roomId !== null && this.me) return this.noticeMessage(roomId, frame.message as Message, state, frame.roomName as string | null);
    if (frame.type === 'feed.hits' || frame.type === 'feed.changed') return this.feeds.onFrame(frame as Parameters<TopicFeeds['onFrame']>[0]);
    if (frame.type === 'message' && roomId !== null && (!state || this.direct.has(roomId))) {
      const m = frame.message as Message;
      // An entered conversation counts its unread messages in its room state, like any room.
      this.direct.onMessage(roomId, m, m.authorId === this.me?.id, state !== undefined);
    }
    switch (frame.type) {
      case 'message': {
        if (!state) return;
        const m = frame.message as Message;
        if (m.seq > 0) {
          state.lastSeq = Math.max(state.lastSeq, m.seq);
          state.seenSeq = Math.max(state.seenSeq, m.seq);
        }
        // A reply counts on its parent here (the server sends no event for the parent).
        const parent = m.replyTo?.seq ?? null;
        if (parent !== null && !state.messages.some((x) => x.seq === m.seq)) {
          state.messages = state.messages.map((x) => (x.seq === parent ? { ...x, replyCount: (x.replyCount ?? 0) + 1 } : x));
        }
        if (!state.moreAfter) state.messages = this.trimFront(state, merge(state.messages, [m]));
        if (m.authorId === this.me?.id) {
          this.dropPending(state, m.clientId);
          if (m.seq > state.lastRead && !state.moreAfter) state.lastRead = m.seq;
        }
        break;
      }
      case 'messages.removed': {
        if (!state) return;
        const gone = new Set(frame.seqs as number[]);
        state.messages = state.messages.filter((m) => !gone.has(m.seq));
        break;
      }
      case 'messages.replaced':
        if (!state) return;
        state.messages = state.messages.map((m) => (frame.messages as Message[]).find((r) => r.seq === m.seq && m.seq > 0) ?? m);
        break;
      case 'message.reactions':
        if (!state) return;
        state.messages = withReactionFrame(state.messages, frame);
        break;
      case 'room.cleared':
        if (!state) return;
        void this.loadLatest(state);
        return;
      case 'room':
        if (!state) return;
        state.room = this.shown(frame.room as Room);
        break;
      case 'presence':
        if (!state) return;
        state.participantCount = frame.participantCount as number;
        if (state.participants) {
          const user = frame.user as { id: number; name: string | null };
          state.participants = state.participants.filter((p) => p.id !== user.id);
          if (frame.present) state.participants.push(user);
        }
        break;
      case 'removed':
        if (!state) return;
        state.status = 'removed';
        state.removedReason = REASONS[String(frame.reason)] ?? 'You were removed from this room.';
        break;
      default:
        return;
    }
    this.changed();
  }
}

/** Too large, saying the limit (what the server said when the client does not know it). */
function tooLarge(u: Upload, limitKB: number | null, serverMessage?: string): ApiError {
  const message =
    limitKB !== null
      ? `It is ${humanSize(u.size)}; the largest file pchat accepts is ${humanSize(limitKB * 1024)}.`
      : (serverMessage ?? 'It is larger than this server accepts.');
  return new ApiError(413, 'too_large', message, 'file');
}

export const chat = new Chat();
