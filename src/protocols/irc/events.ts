import type { Message } from '../../core/model.js';
import type { Actor } from '../../core/permissions.js';
import { type DomainEvent, type PostedEvent, signsOut } from '../../ports/events.js';
import { accountName, roomToChannel } from './channels.js';
import { type ChannelState, kickFromRoom, sendNames } from './membership.js';
import { handledAsEcho } from './posting.js';
import { serialize } from './parser.js';
import { ircCommandOf, ircReplyQuote, messageLines, msgidOf, replyTagOf, serverTime, textBudget, topicText } from './present.js';
import { clientTagsOf } from './clientTags.js';
import { Reply } from './reply.js';
import { modeDiff, modesOf, prefixChanges, prefixesOf } from './roster.js';
import type { IrcSession } from './session.js';
import { admitLive, deliverRuns, type SharedBatch } from '../liveRoom.js';
import { departureOf } from './departures.js';
import { identityOf } from './identity.js';
import { showOwnChange } from './ownEdits.js';
import { showReaction } from './reactions.js';

/**
 * What the hub pushes to one IRC connection (IrcSession delegates its Subscriber methods
 * here): live messages, roster changes, and room or account changes that need a re-check.
 */

export function deliverRoomEvent(session: IrcSession, event: DomainEvent & { roomId: number }): void {
  // A post alone (one held back during a join, say) is a batch of one.
  if (event.type === 'message.posted') return deliverPosts(session, [event]);
  const state = session.rooms.get(event.roomId);
  if (!state || session.isClosed || !admitLive(state, event)) return;
  // An author's own edit or deletion is told (ownEdits.ts); moderation's removals and
  // replacements, and clearing, show in history only.
  if (event.type === 'messages.removed' || event.type === 'messages.replaced') return showOwnChange(session, event, state.channel);
  if (event.type === 'message.reactions') return showReaction(session, event, state.channel);
}

/**
 * A commit's posts to one channel (Hub.routePosts). Every recipient that shows all of them the
 * same way (the same channel name and tags: most, in a busy channel) writes one shared
 * rendering of the whole batch; a recipient that skips some (its own posts, those it has
 * shown already) writes the shared slices between them. So a delivery costs two comparisons,
 * not a call chain, a lookup and a copy per message.
 */
export function deliverPosts(session: IrcSession, events: readonly PostedEvent[]): void {
  const state = session.rooms.get((events[0] as PostedEvent).roomId);
  if (!state || session.isClosed) return;
  deliverRuns(
    state,
    events,
    () => renderBatch(session, events, state.channel),
    (lines) => session.writeLines(lines),
    // An own post's echo goes out in its place.
    (event, before) => {
      if (event.message.authorId !== session.userId) return false;
      before();
      return handledAsEcho(session, event.message, state.channel, session.deps.app.directory.peek());
    },
  );
}

// The hub hands a batch to all its recipients in a row, so the last batch's renderings are kept
// at hand: by channel name (each session's own string, whose hash is computed once), then by the
// tags taken (bits), so no key is built per recipient.
let lastBatch: readonly PostedEvent[] | null = null;
let lastBatchRendered = new Map<string, (SharedBatch | undefined)[]>();

function renderBatch(session: IrcSession, events: readonly PostedEvent[], channel: string): SharedBatch {
  if (events !== lastBatch) {
    lastBatch = events;
    lastBatchRendered = new Map();
  }
  let byTags = lastBatchRendered.get(channel);
  if (!byTags) lastBatchRendered.set(channel, (byTags = []));
  const taken = tagsTaken(session);
  let batch = byTags[taken];
  if (!batch) {
    const offsets = new Uint32Array(events.length + 1);
    let text = '';
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as PostedEvent;
      const lines = renderText(session, event.message, channel);
      text += lines;
      offsets[i + 1] = (offsets[i] as number) + Buffer.byteLength(lines);
    }
    byTags[taken] = batch = { bytes: Buffer.from(text), offsets };
  }
  return batch;
}

/** Which of the tags a live message may carry this connection takes, as bits. */
const tagsTaken = (session: IrcSession): number =>
  (session.caps.has('server-time') ? 1 : 0) | (session.caps.has('message-tags') ? 2 : 0) | (session.caps.has('account-tag') ? 4 : 0);

/** A live message's lines (CRLF each) in a channel, with the tags this connection takes. */
function renderText(session: IrcSession, m: Message, channel: string): string {
  const caps = session.caps;
  // Live lines carry no time prefix: the client shows them as they arrive.
  const snapshot = session.deps.app.directory.peek();
  const source = session.maskOf(m.authorId, snapshot);
  const account = snapshot ? accountName(snapshot.users, m.authorId) : null;
  const command = ircCommandOf(m);
  // Client-only tags go to those that took message-tags (clientTags.ts).
  const clientTags = caps.has('message-tags') ? { ...replyTagOf(m), ...clientTagsOf(m.clientId) } : undefined;
  const lines = messageLines(m, textBudget(source, command, channel), '', session.deps.publicUrl, ircReplyQuote(m, snapshot)).map((text, i) => {
    const tags: Record<string, string> = { ...clientTags };
    if (caps.has('server-time')) tags.time = serverTime(m.createdAt);
    if (caps.has('message-tags')) tags.msgid = msgidOf(m, i);
    if (caps.has('account-tag') && account) tags.account = account;
    return `${serialize({ tags, source, command, params: [channel, text] })}\r\n`;
  });
  return lines.join('');
}

export function deliverPresence(session: IrcSession, roomId: number, userId: number, present: boolean, count: number): void {
  const state = session.rooms.get(roomId);
  if (!state || state.held || userId === session.userId || session.isClosed) return;
  const { app, registry, serverName } = session.deps;
  const snapshot = app.directory.peek();
  // Above participantUpdateLimit people, roster changes are not pushed (domain.md, Configuration).
  if (count > (snapshot?.config.participantUpdateLimit ?? 0)) return;
  const mask = session.maskOf(userId, snapshot);
  if (!present) {
    state.prefixes.delete(userId);
    const kick = registry.noteFor(`kick:${roomId}:${userId}`);
    const nick = mask.split('!')[0] as string;
    if (kick) return session.write({ source: kick.nick, command: 'KICK', params: [state.channel, nick, kick.reason] });
    // An IRC connection leaving states its reason (departures.ts); a QUIT's PARTs are gathered.
    const departure = departureOf(userId);
    if (departure?.gathered) {
      const channels = departure.gathered.get(session);
      if (channels) channels.push(state.channel);
      else departure.gathered.set(session, [state.channel]);
    } else session.write({ source: mask, command: 'PART', params: departure?.reason ? [state.channel, departure.reason] : [state.channel] });
    return;
  }
  const nick = mask.split('!')[0] as string;
  if (session.caps.has('extended-join')) {
    const account = snapshot ? (accountName(snapshot.users, userId) ?? '*') : nick;
    const real = identityOf(registry, userId, snapshot?.users).realname || nick;
    session.write({ source: mask, command: 'JOIN', params: [state.channel, account, real] });
  } else session.write({ source: mask, command: 'JOIN', params: [state.channel] });
  const found = snapshot?.roomWithCategory(roomId);
  if (snapshot && found) {
    const prefixes = prefixesOf(snapshot, found.room, found.category, userId);
    state.prefixes.set(userId, prefixes);
    for (const [modes, who] of prefixChanges('', prefixes, nick)) session.write({ source: serverName, command: 'MODE', params: [state.channel, modes, who] });
  }
  const away = registry.awayOf(userId);
  if (away !== undefined && session.caps.has('away-notify')) session.write({ source: mask, command: 'AWAY', params: [away] });
}

export function deliverAccessChange(session: IrcSession, event: DomainEvent): void {
  if (session.isClosed || !session.registered) return;
  if (event.type === 'user.signedOut') {
    if (signsOut(event, session.userId, session.sessionId)) session.kill(event.reason ?? 'Signed out by the server');
    return;
  }
  if (event.type === 'user.invited') {
    if (event.userId === session.userId) void invited(session, event.roomId);
    return;
  }
  void recheck(session, event).catch((error: unknown) => session.deps.logger.error({ err: error }, 'irc access re-check failed'));
}

async function invited(session: IrcSession, roomId: number): Promise<void> {
  // Already in the channel (made a member by MODE +i or -o, events of the room it is in): nothing to invite to.
  if (session.rooms.has(roomId)) return;
  const actor = await session.actor().catch(() => null);
  const view = actor && (await session.deps.app.rooms.get(actor, roomId).catch(() => null));
  if (!view) return;
  const by = session.deps.registry.noteFor(`invite:${roomId}:${session.userId}`);
  session.write({ source: by?.nick ?? session.deps.serverName, command: 'INVITE', params: [session.nick, roomToChannel(view.room.name)] });
}

/** Re-checks every joined room through the use cases: KICK where access is gone, else show what changed. */
async function recheck(session: IrcSession, event: DomainEvent): Promise<void> {
  const { app, registry, serverName } = session.deps;
  const actor = await session.actor().catch(() => null);
  if (!actor) return session.kill('The account is disabled');
  if (session.rooms.size === 0) return;
  const verdicts = await app.rooms.recheck(session.userId, session.rooms.keys());
  for (const [roomId, verdict] of verdicts) {
    const state = session.rooms.get(roomId);
    if (!state) continue;
    if (verdict !== 'ok') {
      const kick = registry.noteFor(`kick:${roomId}:${session.userId}`);
      const reason = verdict === 'disabled' ? 'The room was disabled' : verdict === 'deleted' ? 'The room was deleted' : (kick?.reason ?? 'Your access to this room was removed');
      kickFromRoom(session, roomId, kick?.nick ?? serverName, reason);
    } else if (event.type === 'room.changed' && event.roomId === roomId) {
      await refresh(session, actor, roomId, state);
    } else if (event.type === 'directory.changed') {
      await refresh(session, actor, roomId, state);
    }
  }
}

/** Shows what changed in a room: its name (PART + JOIN), topic, modes and people's prefixes. */
async function refresh(session: IrcSession, actor: Actor, roomId: number, state: ChannelState): Promise<void> {
  const { app, hub, registry, serverName } = session.deps;
  const view = await app.rooms.get(actor, roomId);
  const snapshot = await app.directory.snapshot();
  const note = registry.noteFor(`room:${roomId}`);
  const source = note?.nick ?? serverName;
  const channel = roomToChannel(view.room.name);
  if (channel !== state.channel) {
    session.write({ source: session.mask, command: 'PART', params: [state.channel, `The room is now called ${channel}`] });
    state.channel = channel;
    session.write({ source: session.mask, command: 'JOIN', params: [channel] });
    state.topic = '';
    sendNames(session, new Reply(session, null), roomId, channel, view.room.privacy === 'secret', snapshot);
  }
  if (view.room.description !== state.topic) {
    state.topic = view.room.description;
    session.write({ source, command: 'TOPIC', params: [channel, topicText(state.topic)] });
  }
  const modes = modesOf(view.room);
  if (modes !== state.modes) {
    const change = modeDiff(state.modes, modes);
    state.modes = modes;
    if (change) session.write({ source, command: 'MODE', params: [channel, change] });
  }
  for (const uid of hub.participants(roomId)) {
    const after = prefixesOf(snapshot, view.room, view.category, uid);
    const before = state.prefixes.get(uid) ?? '';
    state.prefixes.set(uid, after);
    const nick = uid === session.userId ? session.nick : registry.nickOf(uid, snapshot.users);
    for (const [m, who] of prefixChanges(before, after, nick)) session.write({ source, command: 'MODE', params: [channel, m, who] });
  }
}
