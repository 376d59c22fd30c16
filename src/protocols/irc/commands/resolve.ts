import type { RoomView } from '../../../app/rooms.js';
import { roomNotFound } from '../../../core/errors.js';
import { casefold, channelToRoom, roomToChannel, sameChannel } from '../channels.js';
import type { IrcSession } from '../session.js';

/**
 * The room a channel name stands for, as the caller may see it. Every lookup goes through the
 * use cases (getByName, directory), so a secret room answers room_not_found to outsiders
 * exactly as a channel that does not exist.
 */
export async function resolveChannel(session: IrcSession, channel: string): Promise<RoomView> {
  const { app } = session.deps;
  const actor = await session.actor();
  const decoded = channelToRoom(channel);
  if (decoded.kind === 'invalid') throw roomNotFound();
  if (decoded.kind === 'name') {
    const view = await app.rooms.getByName(actor, decoded.name);
    // getByName folds all of Unicode; IRC folds ASCII only. Equal under ASCII: done.
    if (casefold(view.room.name) === casefold(decoded.name.trim())) return view;
  }
  // Shortened (hashed) names, and rooms that differ only in non-ASCII case: find the room
  // whose channel name this is among those the caller may find.
  let after = 0;
  for (;;) {
    const page = await app.rooms.directory(actor, { after, limit: 1000 });
    const hit = page.rooms.find((v) => sameChannel(roomToChannel(v.room.name), channel));
    if (hit) return hit;
    if (page.next === null) throw roomNotFound();
    after = page.next;
  }
}

/** A room id for a channel: a joined one without asking storage, else resolved. */
export async function roomIdOf(session: IrcSession, channel: string): Promise<number> {
  for (const [roomId, state] of session.rooms) if (sameChannel(state.channel, channel)) return roomId;
  return (await resolveChannel(session, channel)).room.id;
}

/** The comma-separated list of a parameter, without empties. */
export const list = (param: string | undefined): string[] => (param ?? '').split(',').filter((s) => s !== '');
