import type { Snapshot } from '../../app/directory.js';
import { notPermitted, PchatError } from '../../core/errors.js';
import type { Message } from '../../core/model.js';
import { accountName, roomToChannel } from './channels.js';
import { RPL } from './numerics.js';
import { MAX_BODY_BYTES } from './parser.js';
import { ircCommandOf, ircReplyQuote, messageLines, msgidOf, replyTagOf, serverTime, textBudget, timePrefix, topicText } from './present.js';
import { clientTagsOf } from './clientTags.js';
import type { Reply } from './reply.js';
import { highestPrefix, modesOf, prefixesOf } from './roster.js';
import type { IrcSession, Out } from './session.js';
import { type LiveRoom, releaseHeld } from '../liveRoom.js';
import { departing } from './departures.js';
import { identityOf } from './identity.js';

/** Per joined channel: the room's last delivered seq, live events held during the join, and what the client was shown. */
export interface ChannelState extends LiveRoom {
  channel: string;
  lastSeq: number;
  topic: string;
  modes: string;
  prefixes: Map<number, string>;
}

/**
 * Enters a room: subscribes before reading history, holding live events back, so the
 * hand-over has no gap and no duplicate (as the WebSocket session does).
 */
export async function joinRoom(session: IrcSession, roomId: number, reply: Reply): Promise<void> {
  if (session.rooms.has(roomId)) return;
  const { app, hub } = session.deps;
  const actor = await session.actor();
  // Refused before subscribing, so the people in the channel never see a refused joiner come and go.
  const allowed = await app.rooms.get(actor, roomId);
  if (!allowed.can.read) throw allowed.room.disabled ? new PchatError('room_disabled', 'The room is disabled.') : notPermitted('You may not read in this room.');
  const state: ChannelState = { channel: '', lastSeq: 0, held: [], topic: '', modes: '', prefixes: new Map() };
  session.rooms.set(roomId, state);
  hub.join(roomId, session);
  try {
    // Clients with chathistory fetch what they want; the others get the last page replayed.
    const replay = !session.caps.has('draft/chathistory');
    const page = await app.messages.open(actor, roomId, replay ? null : Number.MAX_SAFE_INTEGER);
    const view = await app.rooms.get(actor, roomId);
    const snapshot = await app.directory.snapshot();
    state.channel = roomToChannel(view.room.name);
    state.lastSeq = Math.max(page.messages.at(-1)?.seq ?? 0, replay ? 0 : page.lastSeq);
    state.topic = view.room.description;
    state.modes = modesOf(view.room);
    const account = accountName(snapshot.users, session.userId);
    const displayName = identityOf(session.deps.registry, session.userId, snapshot.users).realname || session.nick;
    reply.send({ source: session.mask, command: 'JOIN', params: session.caps.has('extended-join') ? [state.channel, account ?? '*', displayName] : [state.channel] });
    if (state.topic) reply.numeric(RPL.TOPIC, state.channel, topicText(state.topic));
    for (const uid of hub.participants(roomId)) state.prefixes.set(uid, prefixesOf(snapshot, view.room, view.category, uid));
    sendNames(session, reply, roomId, state.channel, view.room.privacy === 'secret', snapshot);
    if (replay && page.messages.length > 0) {
      await reply.batch('chathistory', [state.channel], (tags) => {
        for (const m of page.messages) for (const out of historyLines(session, m, state.channel, snapshot, tags)) reply.send(out);
      });
    }
  } catch (error) {
    forgetRoom(session, roomId);
    throw error;
  }
  releaseHeld(state, (event) => session.onRoomEvent(event));
}

/** RPL_NAMREPLY lines (as many as the line limit needs) and RPL_ENDOFNAMES. */
export function sendNames(session: IrcSession, reply: Reply, roomId: number, channel: string, secret: boolean, snapshot: Snapshot): void {
  const state = session.rooms.get(roomId);
  const found = snapshot.roomWithCategory(roomId);
  const entries = session.deps.hub.participants(roomId).map((uid) => {
    const prefixes = state?.prefixes.get(uid) ?? (found ? prefixesOf(snapshot, found.room, found.category, uid) : '');
    const shown = session.caps.has('multi-prefix') ? prefixes : highestPrefix(prefixes);
    return shown + (session.caps.has('userhost-in-names') ? session.maskOf(uid, snapshot) : session.deps.registry.nickOf(uid, snapshot.users));
  });
  const head = [session.nickOrStar, secret ? '@' : '=', channel];
  const budget = MAX_BODY_BYTES - Buffer.byteLength(`:${session.deps.serverName} ${RPL.NAMREPLY} ${head.join(' ')} :`);
  let line: string[] = [];
  const flush = () => {
    if (line.length > 0) reply.numeric(RPL.NAMREPLY, ...head.slice(1), line.join(' '));
    line = [];
  };
  for (const entry of entries) {
    if (Buffer.byteLength([...line, entry].join(' ')) > budget) flush();
    line.push(entry);
  }
  flush();
  reply.numeric(RPL.ENDOFNAMES, channel, 'End of /NAMES list');
}

/**
 * A message as PRIVMSG (NOTICE for a notice) lines for history (replay or CHATHISTORY) or one
 * connection's live delivery, with time and msgid tags; live, with the client-only tags it was
 * posted with too.
 */
export function historyLines(session: IrcSession, m: Message, channel: string, snapshot: Snapshot | null, extra: Record<string, string>, live = false): Out[] {
  const source = session.maskOf(m.authorId, snapshot);
  const account = snapshot ? accountName(snapshot.users, m.authorId) : undefined;
  const prefix = live || session.caps.has('server-time') ? '' : timePrefix(m.createdAt);
  const command = ircCommandOf(m);
  const clientTags = live ? clientTagsOf(m.clientId) : undefined;
  return messageLines(m, textBudget(source, command, channel), prefix, session.deps.publicUrl, ircReplyQuote(m, snapshot)).map((text, i) => ({
    tags: { ...replyTagOf(m), ...clientTags, ...extra, time: serverTime(m.createdAt), msgid: msgidOf(m, i), ...(account !== null && account !== undefined && { account }) },
    source,
    command,
    params: [channel, text],
  }));
}

/** Leaves a joined room: PART to the client, then the compliance PART. */
export async function partRoom(session: IrcSession, roomId: number, reason: string | null, reply: Reply | null): Promise<void> {
  const state = session.rooms.get(roomId);
  if (!state) return;
  // The others' PART carries the reason too (events.ts, deliverPresence).
  departing({ userId: session.userId, reason, gathered: null }, () => forgetRoom(session, roomId));
  const out: Out = { source: session.mask, command: 'PART', params: reason ? [state.channel, reason] : [state.channel] };
  if (reply) reply.send(out);
  else session.write(out);
  await session.deps.app.messages.leave({ userId: session.userId }, roomId).catch((error: unknown) => session.deps.logger.error({ err: error }, 'recording PART failed'));
}

/**
 * Takes a joined room from this connection as a KICK by `source`: the room leaves the session and
 * the hub (others see the KICK through presence, events.ts), the client gets the KICK, and the
 * leaving is recorded as a PART is. False when the connection had not joined the room.
 */
export function kickFromRoom(session: IrcSession, roomId: number, source: string, reason: string): boolean {
  const state = session.rooms.get(roomId);
  if (!state) return false;
  forgetRoom(session, roomId);
  session.write({ source, command: 'KICK', params: [state.channel, session.nick, reason] });
  void session.deps.app.messages.leave({ userId: session.userId }, roomId).catch((error: unknown) => session.deps.logger.error({ err: error }, 'recording KICK failed'));
  return true;
}

/** Drops a room from the session and the hub, without telling anyone. */
export function forgetRoom(session: IrcSession, roomId: number): void {
  session.rooms.delete(roomId);
  session.deps.hub.part(roomId, session);
}
