import type { IrcRegistry } from './registry.js';
import type { IrcSession } from './session.js';

/**
 * The connections that see `userId` in a channel: every registered connection of another
 * account that has joined a room one of `userId`'s connections has joined. NICK and QUIT go to
 * them once each, whatever number of rooms they share.
 */
export function neighboursOf(registry: IrcRegistry, userId: number): Set<IrcSession> {
  const rooms = new Set<number>();
  for (const own of registry.sessionsOf(userId)) for (const roomId of own.rooms.keys()) rooms.add(roomId);
  const seen = new Set<IrcSession>();
  if (rooms.size === 0) return seen;
  for (const other of registry.sessions) {
    if (other.userId === userId || other.isClosed) continue;
    for (const roomId of other.rooms.keys()) {
      if (rooms.has(roomId)) {
        seen.add(other);
        break;
      }
    }
  }
  return seen;
}
