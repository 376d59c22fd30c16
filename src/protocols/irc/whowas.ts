import { casefold } from './channels.js';

/** One nick that was in use: what WHOWAS answers with (314 and 312). */
export interface PastNick {
  readonly nick: string;
  readonly username: string;
  readonly host: string;
  readonly realname: string;
  readonly server: string;
  /** When the nick stopped being used (ms since the epoch). */
  readonly at: number;
}

/** How many past nicks an endpoint remembers: the oldest go first. */
const WHOWAS_LIMIT = 1000;

/**
 * The nicks that left (their account's last connection closed) or were changed away from, in
 * memory, newest last, at most `limit` of them: WHOWAS is a courtesy of IRC, not a record (the
 * compliance log keeps what must be kept), so a restart forgets it.
 */
export class NickHistory {
  private readonly entries: PastNick[] = [];

  constructor(private readonly limit = WHOWAS_LIMIT) {}

  record(entry: PastNick): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** The entries of `nick` (ASCII case-insensitive), newest first; at most `count` when it is positive. */
  find(nick: string, count: number): PastNick[] {
    const folded = casefold(nick);
    const found: PastNick[] = [];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as PastNick;
      if (casefold(entry.nick) !== folded) continue;
      found.push(entry);
      if (count > 0 && found.length >= count) break;
    }
    return found;
  }
}
