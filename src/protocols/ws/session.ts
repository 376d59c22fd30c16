import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Application } from '../../app/index.js';
import type { Subscriber, Hub } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { type DomainEvent, type PostedEvent, signsOut } from '../../ports/events.js';
import { describeError } from '../errors.js';
import { presentMessage, presentRoom } from '../present.js';
import { presentReactionEvent } from '../presentReactions.js';
import { admitLive, deliverRuns, type LiveRoom, releaseHeld } from '../liveRoom.js';
import { framedBatch } from './frames.js';
import { presentConversation, watchDirectConversations } from '../direct.js';
import { presentFeedEvent } from '../feeds.js';

export interface WsDeps {
  readonly app: Application;
  readonly hub: Hub;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sendQueueBytes: number;
}

/** Per joined room: the last seq delivered, and events held back while the join's history loads. */
type RoomState = LiveRoom;

// One rendering per event and format, as bytes shared by every recipient (no encoding each).
const rendered = new WeakMap<DomainEvent, Buffer>();

export const WS_CLOSE = { signedOut: 4001, slow: 4008, authTimeout: 4002, decommissioned: 4003 } as const;

/** One WebSocket client. Kept small: thousands of idle ones must fit in little memory. */
export class WsSession implements Subscriber {
  userId = 0;
  /** The session (token) this connection authenticated with: ending it closes the connection (4001). */
  sessionId = 0;
  alive = true;
  /** Subscribed to its user's direct conversations (protocols/direct.ts): their messages come without a join. */
  readonly takesDirectMessages = true;
  private rooms: Map<number, RoomState> | null = null;
  /** The direct conversations this connection hears without having joined them. */
  private direct: Set<number> | null = null;

  private corked = false;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: WsDeps,
    /** The connection under `ws` (as handed to handleUpgrade): frames of one turn of the event loop leave in one write. */
    private readonly socket: Duplex,
  ) {}

  get authenticated(): boolean {
    return this.userId !== 0;
  }

  joinedRooms(): number[] {
    return this.rooms ? [...this.rooms.keys()] : [];
  }

  send(frame: Record<string, unknown> | string | Buffer): void {
    if (!this.writable()) return;
    // Frames sent in one turn of the event loop (replies, presence) leave in one system call
    // instead of one each; ws's own cork per frame nests inside this one.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame), { binary: false });
  }

  /**
   * Whole text frames made by frames.ts, written as they are. A commit's posts are one write
   * already, so this does not cork: corking would only defer that write to the end of the turn.
   */
  private sendFramed(frames: Buffer): void {
    if (this.writable()) this.socket.write(frames);
  }

  /** Whether a frame may go out now; cuts off a reader too far behind. */
  private writable(): boolean {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return false;
    // A reader that falls this far behind would hold server memory hostage: cut it off.
    if (ws.bufferedAmount > this.deps.sendQueueBytes) {
      this.deps.metrics.wsSlowDisconnects.inc();
      this.deps.logger.warn({ userId: this.userId }, 'websocket client too slow; disconnecting');
      ws.terminate();
      return false;
    }
    return true;
  }

  sendError(error: unknown, ref: unknown): void {
    const { error: body, unexpected } = describeError(error);
    if (unexpected) this.deps.logger.error({ err: error, userId: this.userId }, 'websocket command failed');
    this.send({ type: 'error', ...(ref !== undefined && { ref }), ...body });
  }

  /** Subscribes before reading history, holding live events back, so the hand-over has no gap and no duplicate. */
  async join(roomId: number, since: number | null, ref: unknown): Promise<void> {
    const { app, hub } = this.deps;
    const actor = await app.sessions.actorFor(this.userId);
    this.rooms ??= new Map();
    const state: RoomState = { lastSeq: since ?? 0, held: [] };
    this.rooms.set(roomId, state);
    hub.join(roomId, this);
    try {
      const page = await app.messages.open(actor, roomId, since);
      const view = await app.rooms.get(actor, roomId);
      const snapshot = await app.directory.snapshot();
      state.lastSeq = Math.max(state.lastSeq, page.messages.at(-1)?.seq ?? 0);
      const present = hub.participants(roomId);
      this.send({
        type: 'joined',
        ...(ref !== undefined && { ref }),
        room: presentRoom(view, snapshot),
        messages: page.messages.map((m) => presentMessage(m, snapshot)),
        lastSeq: page.lastSeq,
        moreBefore: page.moreBefore,
        moreAfter: page.moreAfter,
        participantCount: present.length,
        // Above participantUpdateLimit the roster is neither listed nor kept up to date.
        participants: present.length <= snapshot.config.participantUpdateLimit ? present.map((id) => this.person(id)) : null,
      });
    } catch (error) {
      this.forget(roomId);
      throw error;
    }
    releaseHeld(state, (event) => this.onRoomEvent(event));
  }

  async part(roomId: number, reason: string | null): Promise<void> {
    if (!this.rooms?.has(roomId)) return;
    this.forget(roomId);
    if (reason) this.send({ type: 'removed', roomId, reason });
    await this.deps.app.messages.leave({ userId: this.userId }, roomId).catch((error: unknown) =>
      this.deps.logger.error({ err: error }, 'recording PART failed'),
    );
  }

  private forget(roomId: number): void {
    this.rooms?.delete(roomId);
    // Leaving a conversation's view keeps hearing it.
    if (!this.direct?.has(roomId)) this.deps.hub.part(roomId, this);
  }

  /** Subscribes to every direct conversation of the user (at sign-in). */
  async watchDirect(): Promise<void> {
    const ids = await watchDirectConversations(this.deps.app, this.deps.hub, this);
    this.direct ??= new Set();
    for (const id of ids) this.direct.add(id);
  }

  onRoomEvent(event: DomainEvent & { roomId: number }): void {
    const state = this.rooms?.get(event.roomId);
    if (!state) {
      // A conversation not open on this client: its new messages still arrive (unread counts, the first message).
      if (event.type === 'message.posted' && this.direct?.has(event.roomId)) this.send(this.render(event));
      return;
    }
    if (!admitLive(state, event)) return;
    this.send(this.render(event));
  }

  /**
   * A commit's posts to one room (Hub.routePosts), framed once for every recipient (frames.ts):
   * this connection writes the frames of those it takes, as one slice or a few.
   */
  onRoomPosts(events: readonly PostedEvent[]): void {
    const state = this.rooms?.get((events[0] as PostedEvent).roomId);
    if (!state) {
      for (const event of events) this.onRoomEvent(event);
      return;
    }
    deliverRuns(
      state,
      events,
      () => framedBatch(events, (event) => this.render(event)),
      (frames) => this.sendFramed(frames),
    );
  }

  /** Topic feeds: this user's new hits (counts, the open feed) and changes to their filters from another device. */
  onFeedEvent(event: DomainEvent & { type: 'feed.hits' | 'feed.changed' }): void {
    const frame = presentFeedEvent(event, this.userId, this.deps.app.directory.peek());
    if (frame) this.send(frame);
  }

  /** A message that mentions this user in a room not joined here (the hub checked): the client counts it and may notify (docs/websocket.md). */
  onMention(event: DomainEvent & { type: 'message.posted' }): void {
    if (!this.authenticated) return;
    const snapshot = this.deps.app.directory.peek();
    this.send({ type: 'mention', roomId: event.roomId, roomName: snapshot?.rooms.get(event.roomId)?.name ?? null, message: presentMessage(event.message, snapshot) });
  }

  onPresence(roomId: number, userId: number, present: boolean, count: number): void {
    const state = this.rooms?.get(roomId);
    if (!state || state.held || userId === this.userId) return;
    // Above participantUpdateLimit people, roster changes are not pushed (domain.md, Configuration).
    if (count > (this.deps.app.directory.peek()?.config.participantUpdateLimit ?? 0)) return;
    this.send({ type: 'presence', roomId, user: this.person(userId), present, participantCount: count });
  }

  private person(userId: number): { id: number; name: string | null } {
    return { id: userId, name: this.deps.app.directory.peek()?.users.get(userId)?.displayName ?? null };
  }

  onAccessChange(event: DomainEvent): void {
    if (event.type === 'user.signedOut') {
      if (signsOut(event, this.userId, this.sessionId)) this.ws.close(WS_CLOSE.signedOut, event.reason ?? 'Signed out by the server.');
      return;
    }
    if (event.type === 'user.invited') {
      if (event.userId === this.userId) this.send({ type: 'invited', roomId: event.roomId });
      return;
    }
    if (event.type === 'direct.opened') {
      (this.direct ??= new Set()).add(event.roomId);
      void this.announceConversation(event.roomId).catch((error: unknown) => this.deps.logger.error({ err: error }, 'announcing a direct conversation failed'));
      return;
    }
    if (!this.authenticated) return;
    void this.recheck(event).catch((error: unknown) => this.deps.logger.error({ err: error }, 'access re-check failed'));
  }

  /** A conversation opened with this user (by them or someone else): the client lists it at once. */
  private async announceConversation(roomId: number): Promise<void> {
    const { app } = this.deps;
    const view = await app.direct.get(await app.sessions.actorFor(this.userId), roomId);
    this.send({ type: 'direct', conversation: presentConversation(view, await app.directory.snapshot()) });
  }

  private async recheck(event: DomainEvent): Promise<void> {
    const { app } = this.deps;
    const actor = await app.sessions.actorFor(this.userId).catch(() => null);
    if (!actor) {
      this.ws.close(WS_CLOSE.signedOut, 'The account is disabled.');
      return;
    }
    if (!this.rooms || this.rooms.size === 0) return;
    const verdicts = await app.rooms.recheck(this.userId, this.rooms.keys());
    for (const [roomId, verdict] of verdicts) {
      if (verdict !== 'ok') await this.part(roomId, verdict);
      else if (event.type === 'room.changed' && event.roomId === roomId) {
        this.send({ type: 'room', room: presentRoom(await app.rooms.get(actor, roomId), await app.directory.snapshot()) });
      }
    }
  }

  private render(event: DomainEvent & { roomId: number }): Buffer {
    let bytes = rendered.get(event);
    if (bytes === undefined) {
      let text: string;
      const snapshot = this.deps.app.directory.peek();
      switch (event.type) {
        case 'message.posted':
          text = JSON.stringify({ type: 'message', roomId: event.roomId, live: event.live, message: presentMessage(event.message, snapshot) });
          break;
        case 'messages.replaced':
          text = JSON.stringify({ type: 'messages.replaced', roomId: event.roomId, messages: event.messages.map((m) => presentMessage(m, snapshot)), ...(event.byAuthor && { byAuthor: true }) });
          break;
        case 'message.reactions':
          text = JSON.stringify(presentReactionEvent(event, snapshot));
          break;
        case 'messages.removed': {
          // The removed message itself (kept in the event for IRC's REDACT) never goes out: only who removed it, and why.
          const by = event.byAuthor;
          text = JSON.stringify({ type: 'messages.removed', roomId: event.roomId, seqs: event.seqs, ...(by && { byAuthor: { userId: by.message.authorId, reason: by.reason } }) });
          break;
        }
        default:
          text = JSON.stringify(event);
      }
      bytes = Buffer.from(text);
      rendered.set(event, bytes);
    }
    return bytes;
  }
}
