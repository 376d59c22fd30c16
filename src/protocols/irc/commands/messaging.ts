import { AWAYLEN } from './welcome.js';
import { ERR, RPL } from '../numerics.js';
import { textFromIrc } from '../present.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { list, roomIdOf } from './resolve.js';
import { sendDirect } from '../direct.js';
import { bodyBytes, type IrcMessage, MAX_BODY_BYTES } from '../parser.js';
import { clientOnlyTags } from '../clientTags.js';
import type { LinePost } from '../posting.js';
import { neighboursOf } from '../neighbours.js';
import { TAGMSG } from './tagmsg.js';

/**
 * PRIVMSG and NOTICE to a channel post an ordinary pchat message (messages.post decides who
 * may), NOTICE as a notice (kind `notice`, shown as NOTICE everywhere); to a nick, a message of
 * the direct conversation with that user. A PRIVMSG whose text would not fit one line once
 * relayed (with the sender's nick!user@host before it) is refused with 417, so every line a
 * client sees relayed is whole: clients split long input themselves. A NOTICE is never
 * answered (RFC 2812 3.3.2): a long one is posted, and relayed split over several lines.
 */
async function send(session: IrcSession, params: readonly string[], reply: Reply, command: 'PRIVMSG' | 'NOTICE', line: IrcMessage): Promise<void> {
  // NOTICE must never trigger an automatic reply (RFC 2812 3.3.2), errors included.
  const answer = command === 'NOTICE' ? null : reply;
  const targets = list(params[0]);
  if (targets.length === 0) return answer?.numeric(ERR.NORECIPIENT, `No recipient given (${command})`);
  const raw = params[1];
  if (raw === undefined || raw === '') return answer?.numeric(ERR.NOTEXTTOSEND, 'No text to send');
  const text = textFromIrc(raw);
  if (text === null) return; // CTCP requests are not chat
  const post: LinePost = { text, kind: command === 'NOTICE' ? 'notice' : 'text', clientTags: clientOnlyTags(line.tags) };
  for (const target of targets.slice(0, 4)) {
    if (command === 'PRIVMSG' && bodyBytes({ source: session.mask, command, params: [target, raw] }) > MAX_BODY_BYTES) {
      reply.numeric(ERR.INPUTTOOLONG, 'Your message would not fit one line once relayed: send it in shorter lines');
      continue;
    }
    if (!target.startsWith('#')) {
      // A nick: the one-to-one direct conversation with that user (../direct.ts).
      await sendDirect(session, target, post, reply, answer, command);
      if (command === 'PRIVMSG') awayReply(session, target, reply);
      continue;
    }
    try {
      await session.ownPosts.post(session, await roomIdOf(session, target), post, reply);
    } catch (error) {
      answer?.error(command, target, error);
    }
  }
}

/** RPL_AWAY after a private message to someone marked away (AWAY). */
function awayReply(session: IrcSession, nick: string, reply: Reply): void {
  const snapshot = session.deps.app.directory.peek();
  const userId = snapshot ? session.deps.registry.userOf(nick, snapshot.users) : undefined;
  if (userId === undefined || userId === session.userId) return;
  const message = session.deps.registry.awayOf(userId);
  if (message !== undefined) reply.numeric(RPL.AWAY, nick, message);
}

/** AWAY, shared by every IRC connection of the user and announced with away-notify. */
const away: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  run(session, params, reply) {
    const message = params[0] ? params[0].slice(0, AWAYLEN) : null;
    session.deps.registry.setAway(session.userId, message);
    reply.numeric(message === null ? RPL.UNAWAY : RPL.NOWAWAY, message === null ? 'You are no longer marked as being away' : 'You have been marked as being away');
    // Everyone sharing a channel with any of the account's connections, and the account's other
    // connections that share one with this one.
    const { hub, registry } = session.deps;
    const told = neighboursOf(registry, hub, session.userId);
    for (const own of registry.sessionsOf(session.userId)) {
      if (own !== session && !own.isClosed && [...own.rooms.keys()].some((id) => session.rooms.has(id))) told.add(own);
    }
    for (const other of told) {
      if (other.caps.has('away-notify')) other.write({ source: session.mask, command: 'AWAY', params: message === null ? [] : [message] });
    }
  },
};

export const MESSAGING: Readonly<Record<string, IrcCommand>> = {
  PRIVMSG: { minParams: 0, needsRegistration: true, run: (s, p, r, m) => send(s, p, r, 'PRIVMSG', m) },
  NOTICE: { minParams: 0, needsRegistration: true, run: (s, p, r, m) => send(s, p, r, 'NOTICE', m) },
  // Client-only tags (reactions, typing notifications…): relayed, not stored (tagmsg.ts).
  TAGMSG,
  AWAY: away,
};
