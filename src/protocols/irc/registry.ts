import type { User } from '../../core/model.js';
import { casefold, nickTableFor } from './channels.js';
import { connectionIdentity } from './identity.js';
import { Monitors } from './monitor.js';
import type { IrcSession } from './session.js';
import { NickHistory } from './whowas.js';

/** A note about who changed a room, so the IRC sessions that see the change can name them. */
export interface ChangeNote {
  readonly nick: string;
  readonly reason: string;
  readonly at: number;
}

const NOTE_TTL_MS = 10_000;

/**
 * State one IRC endpoint shares between its connections: who is connected (for ISON, AWAY
 * and away-notify), the nicks accounts show (session nicks over login-derived ones), away
 * messages, MONITOR lists, the WHOWAS history, and short-lived notes about who kicked whom or
 * changed a room (domain events do not carry the actor; these notes let IRC show `:op KICK …`).
 */
export class IrcRegistry {
  /** Every open connection, registered or not. */
  readonly connections = new Set<IrcSession>();
  /** Registered connections only. */
  readonly sessions = new Set<IrcSession>();
  private readonly byUser = new Map<number, Set<IrcSession>>();
  /** Session nicks (NICK after registration, or asked for at registration) of connected accounts. */
  private readonly nickByUser = new Map<number, string>();
  private readonly userByNick = new Map<string, number>();
  private readonly away = new Map<number, string>();
  private readonly notes = new Map<string, ChangeNote>();
  readonly startedAt = Date.now();
  /** MONITOR lists, told when an account's first connection registers and its last one closes. */
  readonly monitors = new Monitors();
  /** WHOWAS: nicks that left or were changed. */
  readonly history = new NickHistory();
  /** The most registered connections at once since the start (LUSERS 265/266). */
  peakSessions = 0;

  add(session: IrcSession): void {
    this.sessions.add(session);
    this.peakSessions = Math.max(this.peakSessions, this.sessions.size);
    if (session.userId === 0) return;
    let set = this.byUser.get(session.userId);
    const first = !set;
    if (!set) this.byUser.set(session.userId, (set = new Set()));
    set.add(session);
    if (first) this.monitors.notify(session.nick, session.mask);
  }

  remove(session: IrcSession): void {
    this.connections.delete(session);
    this.sessions.delete(session);
    this.monitors.clear(session);
    const set = this.byUser.get(session.userId);
    if (!set?.delete(session)) return;
    if (set.size === 0) {
      this.recordPastNick(session, session.nick);
      this.monitors.notify(session.nick, null);
      this.byUser.delete(session.userId);
      this.away.delete(session.userId);
      this.dropNick(session.userId);
    }
  }

  // ---- nicks. An account's nick is derived from its login (channels.ts, NickTable) unless its
  // connections chose another: that session nick is shared by all of the account's connections
  // (as a bouncer shares one) and lasts while one of them is connected. A derived nick stays
  // reserved for its account, so nobody else can take it while its owner is away.

  /** The nick `userId` shows now. */
  nickOf(userId: number, users: ReadonlyMap<number, User>): string {
    return this.nickByUser.get(userId) ?? nickTableFor(users).nick(userId);
  }

  /** Who `nick` names: a connected account's session nick, else the account it is derived from (unless that account now shows another nick). */
  userOf(nick: string, users: ReadonlyMap<number, User>): number | undefined {
    const chosen = this.userByNick.get(casefold(nick));
    if (chosen !== undefined) return chosen;
    const derived = nickTableFor(users).userId(nick);
    return derived !== undefined && !this.nickByUser.has(derived) ? derived : undefined;
  }

  /** Whether `userId` may show `nick`: no other account shows it now or owns it by its login. */
  nickFree(userId: number, nick: string, users: ReadonlyMap<number, User>): boolean {
    const shownBy = this.userByNick.get(casefold(nick));
    if (shownBy !== undefined && shownBy !== userId) return false;
    const owner = nickTableFor(users).userId(nick);
    return owner === undefined || owner === userId;
  }

  /** Makes `nick` the nick of every connection of `userId` (the caller checked nickFree). */
  setNick(userId: number, nick: string, users: ReadonlyMap<number, User>): void {
    this.dropNick(userId);
    if (nick === nickTableFor(users).nick(userId)) return;
    this.nickByUser.set(userId, nick);
    this.userByNick.set(casefold(nick), userId);
  }

  private dropNick(userId: number): void {
    const nick = this.nickByUser.get(userId);
    if (nick === undefined) return;
    this.nickByUser.delete(userId);
    this.userByNick.delete(casefold(nick));
  }

  /** Remembers for WHOWAS that `nick` was shown by `session`'s account until now. */
  recordPastNick(session: IrcSession, nick: string): void {
    const { username, realname } = connectionIdentity(session.userId, session, session.deps.app.directory.peek()?.users);
    this.history.record({ nick, username, realname, host: session.host, server: session.deps.serverName, at: Date.now() });
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
