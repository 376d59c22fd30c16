import { ERR } from '../numerics.js';
import type { IrcCommand } from '../session.js';
import { isOper } from './who.js';

/**
 * KILL nick [reason]: an operator (a pchat administrator who took OPER) ends the IRC
 * connections of that nick's account through `accounts.end`, the one way sessions end: the
 * use case checks the right again and audits it, and the connections close with its reason.
 * The account is not locked out: it may connect again (disable it to keep it out).
 */
const kill: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const { app, registry } = session.deps;
    const snapshot = await app.directory.snapshot();
    if (!session.oper || !isOper(session, session.userId, snapshot)) return reply.numeric(ERR.NOPRIVILEGES, 'Permission Denied- You do not have the correct IRC operator privileges');
    const nick = params[0] ?? '';
    const target = registry.userOf(nick, snapshot.users);
    const sessionIds = target === undefined ? [] : [...registry.sessionsOf(target)].map((s) => s.sessionId).filter((id) => id !== 0);
    if (target === undefined || sessionIds.length === 0) return reply.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
    await app.accounts.end(await session.actor(), target, sessionIds);
  },
};

export const OPERATOR: Readonly<Record<string, IrcCommand>> = { KILL: kill };
