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

/** A batch of posts rendered once for all its recipients: the bytes, and where each post's bytes start (offsets[i]; the last is the length). */
export interface SharedBatch {
  readonly bytes: Buffer;
  readonly offsets: Uint32Array;
}

/**
 * Hands one recipient its share of a batch of posts to one room (Hub.routePosts): each run of
 * consecutive posts it takes goes to `write` as one slice of the batch's shared rendering, which
 * `render` makes only when a run needs it (the door caches it for the batch's other recipients).
 * A post that `admitLive` turns away ends a run. So does one the recipient sees its own way:
 * `aside` may take it (returning true), having first called `before()` to write the run ahead of
 * it, so that order holds.
 */
export function deliverRuns<E extends RoomEvent>(
  room: LiveRoom,
  events: readonly E[],
  render: () => SharedBatch,
  write: (bytes: Buffer) => void,
  aside?: (event: E, before: () => void) => boolean,
): void {
  let batch: SharedBatch | null = null;
  let from = -1; // the first post of the run being gathered
  let i = 0;
  // Writes the run up to post i. Made once per call, not per post: this runs for every post and recipient.
  const flush = (): void => {
    if (from < 0) return;
    batch ??= render();
    write(batch.bytes.subarray(batch.offsets[from], batch.offsets[i]));
    from = -1;
  };
  for (; i < events.length; i++) {
    const event = events[i] as E;
    if (!admitLive(room, event)) {
      flush();
      continue;
    }
    if (aside?.(event, flush)) continue;
    if (from < 0) from = i;
  }
  flush();
}
