import type { Snapshot } from '../../app/directory.js';
import { isDirect, participantsOf } from '../../core/direct.js';
import type { Message, Room } from '../../core/model.js';
import type { DomainEvent } from '../../ports/events.js';
import { historyLines } from './membership.js';
import { handledAsEcho, type LinePost } from './posting.js';
import { ERR } from './numerics.js';
import { showOwnChange } from './ownEdits.js';
import { serverTime } from './present.js';
import type { IrcSession, Reply } from './session.js';

/**
 * Private messages on IRC (docs/irc.md, "Private messages"): `PRIVMSG <nick>` posts into the
 * one-to-one direct conversation with that user (app/direct.ts), opened at the first message;
 * its messages reach the other person's IRC connections as `PRIVMSG <their nick>` and the web
 * client, and CHATHISTORY reads them by nick. Group conversations (three or more people) have
 * no IRC form: they are used from the web client and the WebSocket API.
 */

/** The nick a user shows now (this connection's own for its user). */
function nickOf(session: IrcSession, userId: number, snapshot: Snapshot | null): string {
  return session.maskOf(userId, snapshot).split('!')[0] as string;
}

/** The other participant of a one-to-one conversation; null for group conversations. */
function partnerOf(room: Room, userId: number): number | null {
  const ids = participantsOf(room);
  if (ids.length !== 2) return null;
  return ids.find((id) => id !== userId) ?? null;
}

/**
 * PRIVMSG or NOTICE to a nick: posts the line into the conversation with that user (persisted
 * before anything is delivered). `answer` is null for NOTICE, which never triggers a reply.
 */
export async function sendDirect(session: IrcSession, target: string, post: LinePost, reply: Reply, answer: Reply | null, command: string): Promise<void> {
  const { app } = session.deps;
  const snapshot = await app.directory.snapshot();
  const userId = session.deps.registry.userOf(target, snapshot.users);
  if (userId === undefined) return answer?.numeric(ERR.NOSUCHNICK, target, 'No such nick');
  if (userId === session.userId) return answer?.numeric(ERR.CANNOTSENDTOCHAN, target, 'A direct conversation needs another person: pchat keeps no notes to self');
  try {
    const actor = await session.actor();
    const room = snapshot.directPair(session.userId, userId) ?? (await app.direct.open(actor, { participants: [userId] })).room;
    await session.ownPosts.post(session, room.id, post, reply);
  } catch (error) {
    answer?.error(command, target, error);
  }
}

/**
 * A live event of a room this connection is subscribed to but has not joined as a channel: a
 * direct conversation's new message, shown as a private message. Anything else is ignored.
 */
export function deliverDirect(session: IrcSession, event: DomainEvent & { roomId: number }): void {
  if (session.isClosed) return;
  if (event.type === 'messages.removed' || event.type === 'messages.replaced') return ownChange(session, event);
  if (event.type !== 'message.posted') return;
  const snapshot = session.deps.app.directory.peek();
  const room = snapshot?.rooms.get(event.roomId);
  if (room) return show(session, room, event.message, snapshot);
  // Not in the picture yet (opened on another node a moment ago): look it up, then show.
  void session.deps.app.directory
    .snapshot()
    .then((fresh) => {
      const found = fresh.rooms.get(event.roomId);
      if (found) show(session, found, event.message, fresh);
    })
    .catch((error: unknown) => session.deps.logger.error({ err: error }, 'irc direct message delivery failed'));
}

/** An author's edit or deletion in a one-to-one conversation, addressed as its messages are (ownEdits.ts). */
function ownChange(session: IrcSession, event: DomainEvent & { type: 'messages.removed' | 'messages.replaced' }): void {
  const snapshot = session.deps.app.directory.peek();
  const room = snapshot?.rooms.get(event.roomId);
  const authorId = event.type === 'messages.removed' ? event.byAuthor?.message.authorId : event.messages[0]?.authorId;
  if (!room || !isDirect(room) || authorId === undefined) return;
  const partner = partnerOf(room, session.userId);
  if (partner === null) return;
  showOwnChange(session, event, authorId === session.userId ? nickOf(session, partner, snapshot) : session.nick);
}

function show(session: IrcSession, room: Room, m: Message, snapshot: Snapshot | null): void {
  if (!isDirect(room)) return;
  const partner = partnerOf(room, session.userId);
  if (partner === null) return;
  // From me: addressed to them; from them: addressed to me. History shows the same lines.
  const target = m.authorId === session.userId ? nickOf(session, partner, snapshot) : session.nick;
  if (handledAsEcho(session, m, target, snapshot)) return;
  for (const out of historyLines(session, m, target, snapshot, {}, true)) session.write(out);
}

/**
 * CHATHISTORY <sub> <nick> …: the history of the one-to-one conversation with that user, read
 * through `fetch` (chathistory.ts: the same references and limits as a channel's). A nick with
 * no conversation, or none at all, answers INVALID_TARGET.
 */
export async function directHistory(
  session: IrcSession,
  sub: string,
  target: string,
  reply: Reply,
  fetch: (roomId: number) => Promise<Message[] | null>,
): Promise<void> {
  const snapshot = await session.deps.app.directory.snapshot();
  const userId = session.deps.registry.userOf(target, snapshot.users);
  const room = userId === undefined ? null : snapshot.directPair(session.userId, userId);
  if (!room || userId === undefined) return reply.fail('CHATHISTORY', 'INVALID_TARGET', sub, target, 'No conversation with that nick');
  let messages: Message[] | null;
  try {
    messages = await fetch(room.id);
  } catch (error) {
    return reply.error('CHATHISTORY', target, error);
  }
  if (messages === null) return reply.fail('CHATHISTORY', 'INVALID_PARAMS', sub, 'This subcommand needs a msgid= or timestamp= reference');
  const partnerNick = nickOf(session, userId, snapshot);
  await reply.batch('chathistory', [target], (tags) => {
    for (const m of messages) {
      const to = m.authorId === session.userId ? partnerNick : session.nick;
      for (const out of historyLines(session, m, to, snapshot, tags)) reply.send(out);
    }
  });
}

const timestampOf = (raw: string | undefined): number | null => {
  if (!raw?.startsWith('timestamp=')) return null;
  const at = Date.parse(raw.slice(10));
  return Number.isFinite(at) ? at : null;
};

/**
 * CHATHISTORY TARGETS <timestamp> <timestamp> <limit>: the joined channels and the one-to-one
 * conversations whose latest message lies strictly between the two times, earliest first, each
 * as `CHATHISTORY TARGETS <target> <time of its latest message>`.
 */
export async function chathistoryTargets(session: IrcSession, params: readonly string[], reply: Reply, maxLimit: number): Promise<void> {
  const [a, b] = [timestampOf(params[1]), timestampOf(params[2])];
  const limit = Number(params[3]);
  if (a === null || b === null || !Number.isInteger(limit) || limit < 1) {
    return reply.fail('CHATHISTORY', 'INVALID_PARAMS', 'TARGETS', 'Give two timestamp= references and a limit');
  }
  const [from, to] = a <= b ? [a, b] : [b, a];
  const { app } = session.deps;
  const snapshot = await app.directory.snapshot();
  const names = new Map<number, string>();
  for (const [roomId, state] of session.rooms) names.set(roomId, state.channel);
  for (const room of snapshot.directRoomsOf(session.userId)) {
    const partner = partnerOf(room, session.userId);
    if (partner !== null) names.set(room.id, nickOf(session, partner, snapshot));
  }
  const activity = await app.direct.lastActivity(await session.actor(), names.keys());
  const found = [...activity]
    .filter(([, at]) => at > from && at < to)
    .sort(([ra, x], [rb, y]) => x - y || ra - rb)
    .slice(0, Math.min(limit, maxLimit));
  await reply.batch('draft/chathistory-targets', [], () => {
    for (const [roomId, at] of found) {
      reply.send({ source: session.deps.serverName, command: 'CHATHISTORY', params: ['TARGETS', names.get(roomId) as string, serverTime(at)] });
    }
  });
}

