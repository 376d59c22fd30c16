import type { DomainEvent, EventBus } from '../ports/events.js';

/** A connected client session of any protocol, as the hub sees it. */
export interface Subscriber {
  readonly userId: number;
  /** A room event for a room this subscriber joined. */
  onRoomEvent(event: DomainEvent & { roomId: number }): void;
  /** Anything that may change what this subscriber may see (room, category, group, policy, user changes). */
  onAccessChange(event: DomainEvent): void;
}

/**
 * Fan-out of committed events to connected sessions. Indexes subscribers by room so a
 * message reaches exactly the sessions in its room, without scanning every connection.
 */
export class Hub {
  private readonly rooms = new Map<number, Set<Subscriber>>();
  private readonly everyone = new Set<Subscriber>();

  constructor(bus: EventBus) {
    bus.subscribe((event) => this.route(event));
  }

  connect(subscriber: Subscriber): void {
    this.everyone.add(subscriber);
  }

  disconnect(subscriber: Subscriber): void {
    this.everyone.delete(subscriber);
    for (const [roomId, set] of this.rooms) {
      if (set.delete(subscriber) && set.size === 0) this.rooms.delete(roomId);
    }
  }

  join(roomId: number, subscriber: Subscriber): void {
    let set = this.rooms.get(roomId);
    if (!set) this.rooms.set(roomId, (set = new Set()));
    set.add(subscriber);
  }

  part(roomId: number, subscriber: Subscriber): void {
    const set = this.rooms.get(roomId);
    if (set?.delete(subscriber) && set.size === 0) this.rooms.delete(roomId);
  }

  connections(): number {
    return this.everyone.size;
  }

  private route(event: DomainEvent): void {
    switch (event.type) {
      case 'message.posted':
      case 'messages.removed':
      case 'messages.replaced':
      case 'room.cleared':
        for (const s of this.rooms.get(event.roomId) ?? []) s.onRoomEvent(event);
        return;
      default:
        for (const s of this.everyone) s.onAccessChange(event);
    }
  }
}
