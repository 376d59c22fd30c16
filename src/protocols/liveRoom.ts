import type { DomainEvent } from '../ports/events.js';

export type RoomEvent = DomainEvent & { roomId: number };

/**
 * What every door keeps per joined room for the hand-over from history to live delivery: the
 * session subscribes before it reads history and holds live events back meanwhile (`held`),
 * then delivers only messages above the last seq it has shown, so there is no gap and no repeat.
 */
export interface LiveRoom {
  lastSeq: number;
  /** Live events held while the join is under way; null once it is done. */
  held: RoomEvent[] | null;
}

/**
 * Whether a room event is to be delivered now: false while the join is under way (the event is
 * held) and for a message already delivered. Advances `lastSeq`. Messages of history-less rooms
 * (seq 0) always pass.
 */
export function admitLive(room: LiveRoom, event: RoomEvent): boolean {
  if (room.held) {
    room.held.push(event);
    return false;
  }
  if (event.type === 'message.posted' && event.message.seq !== 0) {
    if (event.message.seq <= room.lastSeq) return false;
    room.lastSeq = event.message.seq;
  }
  return true;
}

/** Ends the join's hold and hands the held events to `deliver`, in order. */
export function releaseHeld(room: LiveRoom, deliver: (event: RoomEvent) => void): void {
  const held = room.held ?? [];
  room.held = null;
  for (const event of held) deliver(event);
}
