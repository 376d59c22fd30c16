import { randomBytes } from 'node:crypto';
import { clientOnlyTags } from '../clientTags.js';
import { ERR } from '../numerics.js';
import type { IrcMessage } from '../parser.js';
import { serverTime } from '../present.js';
import type { IrcCommand, IrcSession, Out, Reply } from '../session.js';
import { list, roomIdOf } from './resolve.js';
import { sessionsIn } from '../neighbours.js';
import { reactionOf, storeReaction } from '../reactions.js';

/**
 * TAGMSG (IRCv3 message-tags): a line of client-only tags (a reaction, a typing notification)
 * with no text. A reaction to one of our messages (`+draft/react` or `+draft/unreact` with
 * `+draft/reply=<msgid>`, to a channel) is stored instead (reactions.ts); anything else is
 * relayed, never stored: it reaches the connections of this server that
 * negotiated message-tags and are in the channel (or are the nick's, and the sender's other
 * connections), with a msgid of its own, and the sender's own connection with echo-message.
 * Sending to a channel passes the same gate as posting there (messages.mayPost). In a pool it
 * reaches the connections of the sender's node only.
 */
async function tagmsg(session: IrcSession, params: readonly string[], reply: Reply, line: IrcMessage): Promise<void> {
  const tags = clientOnlyTags(line.tags) ?? {};
  for (const target of list(params[0]).slice(0, 4)) {
    try {
      // A reaction to one of our messages is stored (reactions.ts) and reaches the room as its event.
      const reaction = target.startsWith('#') ? reactionOf(tags) : null;
      if (reaction) {
        const roomId = await roomIdOf(session, target);
        await storeReaction(session, roomId, session.channelOf(roomId) ?? target, reaction, reply);
        continue;
      }
      const recipients = target.startsWith('#') ? await channelRecipients(session, target) : nickRecipients(session, target, reply);
      if (!recipients) continue;
      const out: Out = {
        tags: { ...tags, msgid: `t-${randomBytes(9).toString('hex')}`, time: serverTime(Date.now()) },
        source: session.mask,
        command: 'TAGMSG',
        params: [recipients.target],
      };
      for (const other of recipients.sessions) if (other !== session && other.caps.has('message-tags')) other.write(out);
      if (recipients.toSelf && session.caps.has('message-tags')) session.write(out);
      if (session.caps.has('echo-message')) reply.send(out);
    } catch (error) {
      reply.error('TAGMSG', target, error);
    }
  }
}

interface Recipients {
  readonly target: string;
  readonly sessions: Iterable<IrcSession>;
  /** A TAGMSG to one's own nick reaches the sending connection too (besides its echo). */
  readonly toSelf: boolean;
}

async function channelRecipients(session: IrcSession, channel: string): Promise<Recipients> {
  const roomId = await roomIdOf(session, channel);
  await session.deps.app.messages.mayPost(await session.actor(), roomId);
  const shown = session.channelOf(roomId) ?? channel;
  return { target: shown, sessions: sessionsIn(session.deps.registry, session.deps.hub, roomId), toSelf: false };
}

function nickRecipients(session: IrcSession, nick: string, reply: Reply): Recipients | null {
  const snapshot = session.deps.app.directory.peek();
  const userId = snapshot ? session.deps.registry.userOf(nick, snapshot.users) : undefined;
  if (userId === undefined || !session.deps.registry.online(userId)) {
    reply.numeric(ERR.NOSUCHNICK, nick, 'No such nick');
    return null;
  }
  const { registry } = session.deps;
  return { target: nick, sessions: new Set([...registry.sessionsOf(userId), ...registry.sessionsOf(session.userId)]), toSelf: userId === session.userId };
}

export const TAGMSG: IrcCommand = { minParams: 1, needsRegistration: true, run: (s, p, r, m) => tagmsg(s, p, r, m) };
