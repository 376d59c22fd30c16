import type { IrcSession } from './session.js';

/** A note about who changed a room, so the IRC sessions that see the change can name them. */
export interface ChangeNote {
  readonly nick: string;
  readonly reason: string;
  readonly at: number;
}

const NOTE_TTL_MS = 10_000;

/**
 * State one IRC endpoint shares between its connections: who is connected (for ISON, AWAY
 * and away-notify), away messages, and short-lived notes about who kicked whom or changed a
 * room (domain events do not carry the actor; these notes let IRC show `:op KICK …`).
 */
export class IrcRegistry {
  /** Every open connection, registered or not. */
  readonly connections = new Set<IrcSession>();
  /** Registered connections only. */
  readonly sessions = new Set<IrcSession>();
  private readonly byUser = new Map<number, Set<IrcSession>>();
  private readonly away = new Map<number, string>();
  private readonly notes = new Map<string, ChangeNote>();
  readonly startedAt = Date.now();

  add(session: IrcSession): void {
    this.sessions.add(session);
    if (session.userId === 0) return;
    let set = this.byUser.get(session.userId);
    if (!set) this.byUser.set(session.userId, (set = new Set()));
    set.add(session);
  }

  remove(session: IrcSession): void {
    this.connections.delete(session);
    this.sessions.delete(session);
    const set = this.byUser.get(session.userId);
    if (!set?.delete(session)) return;
    if (set.size === 0) {
      this.byUser.delete(session.userId);
      this.away.delete(session.userId);
    }
  }

  online(userId: number): boolean {
    return this.byUser.has(userId);
  }

  sessionsOf(userId: number): ReadonlySet<IrcSession> {
    return this.byUser.get(userId) ?? new Set();
  }

  awayOf(userId: number): string | undefined {
    return this.away.get(userId);
  }

  setAway(userId: number, message: string | null): void {
    if (message === null) this.away.delete(userId);
    else this.away.set(userId, message);
  }

  note(key: string, note: Omit<ChangeNote, 'at'>): void {
    const now = Date.now();
    for (const [k, v] of this.notes) if (now - v.at > NOTE_TTL_MS) this.notes.delete(k);
    this.notes.set(key, { ...note, at: now });
  }

  noteFor(key: string): ChangeNote | undefined {
    const note = this.notes.get(key);
    return note && Date.now() - note.at <= NOTE_TTL_MS ? note : undefined;
  }
}
