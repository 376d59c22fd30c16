import type { IrcSession } from './session.js';

/**
 * Why a user is leaving rooms right now. The hub announces a departure synchronously, inside
 * `hub.part` or `hub.disconnect`, to every session of the room (events.ts, deliverPresence);
 * the leaving connection states the reason around that call, so the others' PART carries it
 * (`PART #chan :reason`) and a QUIT's departures are gathered instead of written, to become one
 * QUIT per connection (see IrcSession.closedDown).
 */
export interface Departure {
  readonly userId: number;
  readonly reason: string | null;
  /** Set for a QUIT: who would have seen a PART, and of which channels. */
  readonly gathered: Map<IrcSession, string[]> | null;
}

let current: Departure | null = null;

/** Runs `leave` (which calls the hub) with `departure` stated. */
export function departing(departure: Departure, leave: () => void): void {
  const outer = current;
  current = departure;
  try {
    leave();
  } finally {
    current = outer;
  }
}

/** The departure under way for `userId`, if its connection stated one. */
export function departureOf(userId: number): Departure | null {
  return current?.userId === userId ? current : null;
}

/**
 * Runs `disconnect` (the hub forgetting a closing connection) and shows the departure to the
 * connections that saw the user in a channel: one `QUIT :reason` each when this was the user's
 * last IRC connection and the user is gone from every channel they share; otherwise the PART
 * of each channel the user left (a web session, or another IRC connection of the account, keeps
 * the user in the others). A bouncer's other connections keep the user present: nobody sees
 * anything.
 */
export function quitRooms(session: IrcSession, reason: string, disconnect: () => void): void {
  const { hub, registry } = session.deps;
  const gathered = new Map<IrcSession, string[]>();
  departing({ userId: session.userId, reason, gathered }, disconnect);
  if (gathered.size === 0) return;
  const lastConnection = [...registry.sessionsOf(session.userId)].every((other) => other === session);
  // Whether the user is still present in a room (over another door): asked once per room.
  const presentIn = new Map<number, boolean>();
  const stillIn = (roomId: number): boolean => {
    let present = presentIn.get(roomId);
    if (present === undefined) presentIn.set(roomId, (present = hub.participants(roomId).includes(session.userId)));
    return present;
  };
  for (const [other, channels] of gathered) {
    if (other.isClosed) continue;
    if (lastConnection && ![...other.rooms.keys()].some(stillIn)) other.write({ source: session.mask, command: 'QUIT', params: [reason] });
    else for (const channel of channels) other.write({ source: session.mask, command: 'PART', params: [channel, reason] });
  }
}
