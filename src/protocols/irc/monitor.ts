import { casefold } from './channels.js';
import type { IrcSession } from './session.js';

/** ISUPPORT MONITOR=<limit>: nicks one connection may watch. */
export const MONITOR_LIMIT = 100;

export const MONITOR_NUMERICS = { ONLINE: '730', OFFLINE: '731', LIST: '732', ENDOFLIST: '733', LISTFULL: '734' } as const;

/**
 * MONITOR (ircv3.net/specs/extensions/monitor): which connections watch which nicks, and the
 * 730/731 notices when a watched nick comes online (an account's first IRC connection, or a
 * NICK to it) or goes offline (its last connection closed, or a NICK away from it). Nicks only,
 * never masks, as the specification asks. Presence is IRC presence, as ISON's.
 */
export class Monitors {
  /** Casefolded nick → the connections watching it. */
  private readonly watchers = new Map<string, Set<IrcSession>>();
  /** Connection → its list, casefolded → as given. */
  private readonly lists = new Map<IrcSession, Map<string, string>>();

  listOf(session: IrcSession): string[] {
    return [...(this.lists.get(session)?.values() ?? [])];
  }

  /** Adds nicks to a connection's list; answers the ones that did not fit (the list is full). */
  add(session: IrcSession, nicks: readonly string[]): { added: string[]; refused: string[] } {
    let list = this.lists.get(session);
    if (!list) this.lists.set(session, (list = new Map()));
    const added: string[] = [];
    const refused: string[] = [];
    for (const nick of nicks) {
      const folded = casefold(nick);
      if (list.has(folded)) {
        added.push(nick);
        continue;
      }
      if (list.size >= MONITOR_LIMIT) {
        refused.push(nick);
        continue;
      }
      list.set(folded, nick);
      let set = this.watchers.get(folded);
      if (!set) this.watchers.set(folded, (set = new Set()));
      set.add(session);
      added.push(nick);
    }
    return { added, refused };
  }

  remove(session: IrcSession, nicks: readonly string[]): void {
    const list = this.lists.get(session);
    if (!list) return;
    for (const nick of nicks) {
      const folded = casefold(nick);
      if (!list.delete(folded)) continue;
      const set = this.watchers.get(folded);
      set?.delete(session);
      if (set?.size === 0) this.watchers.delete(folded);
    }
  }

  /** Forgets a connection's whole list (MONITOR C, or the connection closed). */
  clear(session: IrcSession): void {
    this.remove(session, [...(this.lists.get(session)?.keys() ?? [])]);
    this.lists.delete(session);
  }

  /** Tells everyone watching `nick` that it came online (with its mask) or went offline. */
  notify(nick: string, mask: string | null): void {
    const set = this.watchers.get(casefold(nick));
    if (!set) return;
    for (const watcher of set) {
      const { serverName } = watcher.deps;
      if (mask !== null) watcher.write({ source: serverName, command: MONITOR_NUMERICS.ONLINE, params: [watcher.nickOrStar, mask] });
      else watcher.write({ source: serverName, command: MONITOR_NUMERICS.OFFLINE, params: [watcher.nickOrStar, nick] });
    }
  }
}
