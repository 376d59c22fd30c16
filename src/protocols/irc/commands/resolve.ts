import type { RoomView } from '../../../app/rooms.js';
import { notPermitted, PchatError, roomNotFound } from '../../../core/errors.js';
import { casefold, channelToRoom, roomToChannel, sameChannel } from '../channels.js';
import type { Snapshot } from '../../../app/directory.js';
import { ERR } from '../numerics.js';
import type { IrcSession, Reply } from '../session.js';

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

/**
 * JOIN's lookup: the channel's room, or, when it does not exist and the endpoint creates rooms
 * (irc.createRoomsIn), a new open room in that category, created by the joiner (who manages it)
 * if the category lets them create rooms. Any refusal answers as a missing channel: a name taken
 * by a secret room must not tell an outsider that the room exists.
 */
export async function resolveOrCreate(session: IrcSession, channel: string): Promise<RoomView> {
  try {
    return await resolveChannel(session, channel);
  } catch (error) {
    const categoryName = session.deps.createRoomsIn;
    const decoded = channelToRoom(channel);
    if (categoryName === null || decoded.kind !== 'name' || !(error instanceof PchatError) || error.code !== 'room_not_found') throw error;
    const { app } = session.deps;
    const category = [...(await app.directory.snapshot()).categories.values()].find((c) => c.name === categoryName);
    if (!category) throw error;
    try {
      return await app.rooms.create(await session.actor(), { name: decoded.name, categoryId: category.id, privacy: 'open' });
    } catch {
      throw roomNotFound();
    }
  }
}

/**
 * The room a message to `channel` goes to: a channel this connection joined. Every channel is
 * +n: one not joined answers 404 (not_permitted), or 403 when the caller may not find it, and
 * messages.post still decides who may post in a joined one.
 */
export async function roomIdOf(session: IrcSession, channel: string): Promise<number> {
  for (const [roomId, state] of session.rooms) if (sameChannel(state.channel, channel)) return roomId;
  await resolveChannel(session, channel);
  throw notPermitted('Cannot send to channel (+n): join it first');
}

/** A nick's user id in `users` (the directory snapshot the command works on), or a 401 reply and undefined. */
export function userOfNick(session: IrcSession, nick: string, users: Snapshot['users'], reply: Reply): number | undefined {
  const id = session.deps.registry.userOf(nick, users);
  if (id === undefined) reply.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
  return id;
}

/** The comma-separated list of a parameter, without empties. */
export const list = (param: string | undefined): string[] => (param ?? '').split(',').filter((s) => s !== '');
