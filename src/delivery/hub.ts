import type { DomainEvent, EventBus, PostedEvent } from '../ports/events.js';
import { feedEventConcerns } from '../ports/feeds.js';

/** A connected client session of any protocol, as the hub sees it. */
export interface Subscriber {
  readonly userId: number;
  /**
   * True for sessions that take direct messages (WebSocket, IRC): the hub subscribes them to a
   * direct conversation of their user the moment it is opened (event `direct.opened`).
   */
  readonly takesDirectMessages?: boolean;
  /** A room event for a room this subscriber joined. */
  onRoomEvent(event: DomainEvent & { roomId: number }): void;
  /**
   * Posts committed together in one room this subscriber joined, in order. A subscriber without
   * it gets them one by one through onRoomEvent; with it, a fan-out can share its work for the
   * batch among recipients (protocols/irc/events.ts).
   */
  onRoomPosts?(events: readonly PostedEvent[]): void;
  /** Anything that may change what this subscriber may see (room, category, group, policy, user changes). */
  onAccessChange(event: DomainEvent): void;
  /** A user came into (or left) a room this subscriber is in; `count` is how many are in it now. */
  onPresence(roomId: number, userId: number, present: boolean, count: number): void;
  /** A message that mentions this subscriber's user, in a room the subscriber has not joined (sessions without it leave it out). */
  onMention?(event: DomainEvent & { type: 'message.posted' }): void;
  /** Topic feed events of this subscriber's user (sessions without feeds leave it out). */
  onFeedEvent?(event: DomainEvent & { type: 'feed.hits' | 'feed.changed' }): void;
}

/**
 * Fan-out of committed events to connected sessions. Indexes subscribers by room so a
 * message reaches exactly the sessions in its room, without scanning every connection, and
 * knows who is present in each room (a user with several sessions counts once).
 */
export class Hub {
  private readonly rooms = new Map<number, Set<Subscriber>>();
  /** room -> user -> how many of the user's sessions are in it */
  private readonly presence = new Map<number, Map<number, number>>();
  private readonly everyone = new Set<Subscriber>();

  constructor(bus: EventBus) {
    bus.subscribe(
      (event) => this.route(event),
      (events) => this.routePosts(events),
    );
  }

  connect(subscriber: Subscriber): void {
    this.everyone.add(subscriber);
  }

  disconnect(subscriber: Subscriber): void {
    this.everyone.delete(subscriber);
    for (const roomId of [...this.rooms.keys()]) this.part(roomId, subscriber);
  }

  join(roomId: number, subscriber: Subscriber): void {
    let set = this.rooms.get(roomId);
    if (!set) this.rooms.set(roomId, (set = new Set()));
    if (set.has(subscriber)) return;
    set.add(subscriber);
    let users = this.presence.get(roomId);
    if (!users) this.presence.set(roomId, (users = new Map()));
    const sessions = (users.get(subscriber.userId) ?? 0) + 1;
    users.set(subscriber.userId, sessions);
    if (sessions === 1) this.announce(roomId, subscriber.userId, true);
  }

  part(roomId: number, subscriber: Subscriber): void {
    const set = this.rooms.get(roomId);
    if (!set?.delete(subscriber)) return;
    if (set.size === 0) this.rooms.delete(roomId);
    const users = this.presence.get(roomId);
    const sessions = (users?.get(subscriber.userId) ?? 1) - 1;
    if (sessions > 0) {
      users?.set(subscriber.userId, sessions);
      return;
    }
    users?.delete(subscriber.userId);
    if (users?.size === 0) this.presence.delete(roomId);
    this.announce(roomId, subscriber.userId, false);
  }

  /** The users present in a room right now. */
  participants(roomId: number): number[] {
    return [...(this.presence.get(roomId)?.keys() ?? [])];
  }

  /** Whether any session here is in the room (so its messages must be delivered here). */
  watching(roomId: number): boolean {
    return this.rooms.has(roomId);
  }

  connections(): number {
    return this.everyone.size;
  }

  private announce(roomId: number, userId: number, present: boolean): void {
    const count = this.presence.get(roomId)?.size ?? 0;
    for (const s of this.rooms.get(roomId) ?? []) s.onPresence(roomId, userId, present, count);
  }

  /** The sessions of mentioned users that are not in the room (those in it get the message itself). */
  private mentioned(event: DomainEvent & { type: 'message.posted' }, userIds: readonly number[]): void {
    const inRoom = this.rooms.get(event.roomId);
    for (const s of this.everyone) if (s.onMention && userIds.includes(s.userId) && !inRoom?.has(s)) s.onMention(event);
  }

  /** Posts (a commit's, or one): each run of posts to one room goes to its subscribers as one batch. */
  private routePosts(events: readonly PostedEvent[]): void {
    for (let start = 0; start < events.length; ) {
      const roomId = (events[start] as PostedEvent).roomId;
      let end = start + 1;
      while (end < events.length && (events[end] as PostedEvent).roomId === roomId) end++;
      const run = start === 0 && end === events.length ? events : events.slice(start, end);
      start = end;
      for (const event of run) if (event.mentions) this.mentioned(event, event.mentions);
      for (const s of this.rooms.get(roomId) ?? []) {
        if (s.onRoomPosts) s.onRoomPosts(run);
        else for (const event of run) s.onRoomEvent(event);
      }
    }
  }

  private route(event: DomainEvent): void {
    switch (event.type) {
      case 'message.posted':
        return this.routePosts([event]);
      case 'messages.removed':
      case 'messages.replaced':
      case 'message.reactions':
      case 'room.cleared':
      case 'room.historyMerged':
        for (const s of this.rooms.get(event.roomId) ?? []) s.onRoomEvent(event);
        return;
      case 'pool.changed':
        return; // the node and the directory act on it; sessions see nothing
      case 'feed.hits':
      case 'feed.changed':
        // Addressed to users, and no access change: never a re-check of every session.
        for (const s of this.everyone) if (s.onFeedEvent && feedEventConcerns(event, s.userId)) s.onFeedEvent(event);
        return;
      case 'direct.opened':
        // Subscribed before they hear of it, so a message posted right after reaches them.
        for (const s of this.everyone) {
          if (!s.takesDirectMessages || !event.userIds.includes(s.userId)) continue;
          this.join(event.roomId, s);
          s.onAccessChange(event);
        }
        return;

      default:
        for (const s of this.everyone) s.onAccessChange(event);
    }
  }
}
