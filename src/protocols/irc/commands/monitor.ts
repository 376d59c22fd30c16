import { isValidNick } from '../channels.js';
import { MONITOR_LIMIT, MONITOR_NUMERICS as M } from '../monitor.js';
import { ERR } from '../numerics.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { list } from './resolve.js';

/** 730 for the nicks connected over IRC now (with their masks), 731 for the others. */
async function status(session: IrcSession, reply: Reply, nicks: readonly string[]): Promise<void> {
  const { app, registry } = session.deps;
  const snapshot = await app.directory.snapshot();
  const online: string[] = [];
  const offline: string[] = [];
  for (const nick of nicks) {
    const userId = registry.userOf(nick, snapshot.users);
    if (userId !== undefined && registry.online(userId)) online.push(session.maskOf(userId, snapshot));
    else offline.push(nick);
  }
  for (const line of commaLines(online)) reply.numeric(M.ONLINE, line);
  for (const line of commaLines(offline)) reply.numeric(M.OFFLINE, line);
}

/** Comma-separated lists of at most 400 bytes each, so every numeric fits in an IRC line. */
function commaLines(items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line !== '' && Buffer.byteLength(line) + 1 + Buffer.byteLength(item) > 400) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? item : `${line},${item}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** MONITOR + nicks | - nicks | C | L | S (ircv3.net/specs/extensions/monitor). */
const monitor: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const monitors = session.deps.registry.monitors;
    switch ((params[0] ?? '').toUpperCase()) {
      case '+': {
        const wanted = list(params[1]);
        // Targets are nicks, never masks: watching a mask would follow someone across nick changes.
        for (const bad of wanted.filter((n) => !isValidNick(n))) reply.numeric(ERR.ERRONEUSNICKNAME, bad, 'Erroneous nickname: MONITOR takes nicks');
        const { added, refused } = monitors.add(
          session,
          wanted.filter((n) => isValidNick(n)),
        );
        await status(session, reply, added);
        if (refused.length > 0) reply.numeric(M.LISTFULL, String(MONITOR_LIMIT), refused.join(','), 'Monitor list is full.');
        return;
      }
      case '-':
        return monitors.remove(session, list(params[1]));
      case 'C':
        return monitors.clear(session);
      case 'L': {
        for (const line of commaLines(monitors.listOf(session))) reply.numeric(M.LIST, line);
        return reply.numeric(M.ENDOFLIST, 'End of MONITOR list');
      }
      case 'S':
        return status(session, reply, monitors.listOf(session));
      default:
        reply.numeric(ERR.UNKNOWNCOMMAND, 'MONITOR', `Unknown MONITOR subcommand ${params[0] ?? ''}: use +, -, C, L or S`);
    }
  },
};

export const MONITOR: Readonly<Record<string, IrcCommand>> = { MONITOR: monitor };
