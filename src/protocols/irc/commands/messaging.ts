import { AWAYLEN } from './registration.js';
import { ERR, RPL } from '../numerics.js';
import { textFromIrc } from '../present.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { list, roomIdOf } from './resolve.js';

/**
 * PRIVMSG and NOTICE to a channel post an ordinary pchat message (messages.post decides who
 * may). Long lines are posted as they come: IRC clients split long input themselves.
 */
async function send(session: IrcSession, params: readonly string[], reply: Reply, command: 'PRIVMSG' | 'NOTICE'): Promise<void> {
  // NOTICE must never trigger an automatic reply (RFC 2812 3.3.2), errors included.
  const answer = command === 'NOTICE' ? null : reply;
  const targets = list(params[0]);
  if (targets.length === 0) return answer?.numeric(ERR.NORECIPIENT, `No recipient given (${command})`);
  const raw = params[1];
  if (raw === undefined || raw === '') return answer?.numeric(ERR.NOTEXTTOSEND, 'No text to send');
  const text = textFromIrc(raw);
  if (text === null) return; // CTCP requests are not chat
  for (const target of targets.slice(0, 4)) {
    if (!target.startsWith('#')) {
      answer?.numeric(ERR.NOSUCHNICK, target, 'pchat has no private messages: talk in a channel');
      continue;
    }
    try {
      await session.post(await roomIdOf(session, target), text, reply);
    } catch (error) {
      answer?.error(command, target, error);
    }
  }
}

/** AWAY, shared by every IRC connection of the user and announced with away-notify. */
const away: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  run(session, params, reply) {
    const message = params[0] ? params[0].slice(0, AWAYLEN) : null;
    session.deps.registry.setAway(session.userId, message);
    reply.numeric(message === null ? RPL.UNAWAY : RPL.NOWAWAY, message === null ? 'You are no longer marked as being away' : 'You have been marked as being away');
    const rooms = [...session.rooms.keys()];
    for (const other of session.deps.registry.sessions) {
      if (other === session || !other.caps.has('away-notify')) continue;
      if (!rooms.some((id) => other.rooms.has(id))) continue;
      other.write({ source: session.mask, command: 'AWAY', params: message === null ? [] : [message] });
    }
  },
};

export const MESSAGING: Readonly<Record<string, IrcCommand>> = {
  PRIVMSG: { minParams: 0, needsRegistration: true, run: (s, p, r) => send(s, p, r, 'PRIVMSG') },
  NOTICE: { minParams: 0, needsRegistration: true, run: (s, p, r) => send(s, p, r, 'NOTICE') },
  // Client-only tags (typing notifications…) are not chat: accepted and dropped.
  TAGMSG: { minParams: 1, needsRegistration: true, run: () => undefined },
  AWAY: away,
};
