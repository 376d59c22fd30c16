import type { Snapshot } from '../../app/directory.js';
import type { Message } from '../../core/model.js';
import { nickTableFor, roomToChannel } from './channels.js';
import { RPL } from './numerics.js';
import { MAX_BODY_BYTES } from './parser.js';
import { messageLines, msgidOf, serverTime, textBudget, timePrefix, topicText } from './present.js';
import type { Reply } from './reply.js';
import { highestPrefix, modesOf, prefixesOf } from './roster.js';
import type { IrcSession, Out } from './session.js';
import { type LiveRoom, releaseHeld } from '../liveRoom.js';

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
    const account = nickTableFor(snapshot.users).nick(session.userId);
    const displayName = snapshot.users.get(session.userId)?.displayName ?? account;
    reply.send({ source: session.mask, command: 'JOIN', params: session.caps.has('extended-join') ? [state.channel, account, displayName] : [state.channel] });
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
    return shown + (session.caps.has('userhost-in-names') ? session.maskOf(uid, snapshot) : nickTableFor(snapshot.users).nick(uid));
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

/** A message as PRIVMSG lines for history (replay or CHATHISTORY), with time and msgid tags. */
export function historyLines(session: IrcSession, m: Message, channel: string, snapshot: Snapshot | null, extra: Record<string, string>, live = false): Out[] {
  const source = session.maskOf(m.authorId, snapshot);
  const account = snapshot ? nickTableFor(snapshot.users).nick(m.authorId) : undefined;
  const prefix = live || session.caps.has('server-time') ? '' : timePrefix(m.createdAt);
  return messageLines(m, textBudget(source, 'PRIVMSG', channel), prefix, session.deps.publicUrl).map((text, i) => ({
    tags: { ...extra, time: serverTime(m.createdAt), msgid: msgidOf(m, i), ...(account && { account }) },
    source,
    command: 'PRIVMSG',
    params: [channel, text],
  }));
}

/** Leaves a joined room: PART to the client, then the compliance PART. */
export async function partRoom(session: IrcSession, roomId: number, reason: string | null, reply: Reply | null): Promise<void> {
  const state = session.rooms.get(roomId);
  if (!state) return;
  forgetRoom(session, roomId);
  const out: Out = { source: session.mask, command: 'PART', params: reason ? [state.channel, reason] : [state.channel] };
  if (reply) reply.send(out);
  else session.write(out);
  await session.deps.app.messages.leave({ userId: session.userId }, roomId).catch((error: unknown) => session.deps.logger.error({ err: error }, 'recording PART failed'));
}

/** Drops a room from the session and the hub, without telling anyone. */
export function forgetRoom(session: IrcSession, roomId: number): void {
  session.rooms.delete(roomId);
  session.deps.hub.part(roomId, session);
}
