import type { Hub } from '../../delivery/hub.js';
import type { IrcRegistry } from './registry.js';
import type { IrcSession } from './session.js';

/**
 * Who is in a channel on this endpoint: the open registered connections that joined `roomId`,
 * found through the hub's index of the room's people (not by scanning every connection).
 */
export function sessionsIn(registry: IrcRegistry, hub: Hub, roomId: number): IrcSession[] {
  const found: IrcSession[] = [];
  for (const userId of hub.participants(roomId)) {
    for (const s of registry.sessionsOf(userId)) if (!s.isClosed && s.rooms.has(roomId)) found.push(s);
  }
  return found;
}

/**
 * The connections that see `userId` in a channel: every open registered connection of another
 * account that has joined a room one of `userId`'s connections has joined. NICK, QUIT and AWAY
 * go to them once each, whatever number of rooms they share.
 */
export function neighboursOf(registry: IrcRegistry, hub: Hub, userId: number): Set<IrcSession> {
  const rooms = new Set<number>();
  for (const own of registry.sessionsOf(userId)) for (const roomId of own.rooms.keys()) rooms.add(roomId);
  const seen = new Set<IrcSession>();
  for (const roomId of rooms) for (const s of sessionsIn(registry, hub, roomId)) if (s.userId !== userId) seen.add(s);
  return seen;
}
