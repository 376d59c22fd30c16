import type { Message } from '../../core/model.js';
import type { Actor } from '../../core/permissions.js';
import { type DomainEvent, signsOut } from '../../ports/events.js';
import { nickTableFor, roomToChannel } from './channels.js';
import { type ChannelState, forgetRoom, historyLines, sendNames } from './membership.js';
import { serialize } from './parser.js';
import { messageLines, msgidOf, serverTime, textBudget, topicText } from './present.js';
import { Reply } from './reply.js';
import { modeDiff, modesOf, prefixChanges, prefixesOf } from './roster.js';
import type { IrcSession } from './session.js';
import { admitLive } from '../liveRoom.js';

/**
 * What the hub pushes to one IRC connection (IrcSession delegates its Subscriber methods
 * here): live messages, roster changes, and room or account changes that need a re-check.
 */

// Live messages are rendered once per event and tag combination, shared by every recipient.
const rendered = new WeakMap<DomainEvent, Map<string, string[]>>();

export function deliverRoomEvent(session: IrcSession, event: DomainEvent & { roomId: number }): void {
  const state = session.rooms.get(event.roomId);
  if (!state || session.isClosed || !admitLive(state, event)) return;
  // IRC cannot take back a line: removals, replacements and clearing show in history only.
  if (event.type !== 'message.posted') return;
  const m = event.message;
  if (m.authorId === session.userId && session.isOwnPost(m.clientId)) {
    if (!session.caps.has('echo-message')) return;
    const pending = session.echoFor(m.clientId);
    if (pending) {
      for (const out of historyLines(session, m, state.channel, session.deps.app.directory.peek(), {}, true)) pending.send(out);
      return;
    }
  }
  for (const line of render(session, event, m, state.channel)) session.writeRaw(line);
}

function render(session: IrcSession, event: DomainEvent, m: Message, channel: string): string[] {
  const caps = session.caps;
  const key = ['server-time', 'message-tags', 'account-tag'].map((c) => (caps.has(c) ? '1' : '0')).join('') + channel;
  let byKey = rendered.get(event);
  if (!byKey) rendered.set(event, (byKey = new Map()));
  let lines = byKey.get(key);
  if (!lines) {
    // Live lines carry no time prefix: the client shows them as they arrive.
    const snapshot = session.deps.app.directory.peek();
    const source = session.maskOf(m.authorId, snapshot);
    const account = snapshot ? nickTableFor(snapshot.users).nick(m.authorId) : null;
    lines = messageLines(m, textBudget(source, 'PRIVMSG', channel), '', session.deps.publicUrl).map((text, i) => {
      const tags: Record<string, string> = {};
      if (caps.has('server-time')) tags.time = serverTime(m.createdAt);
      if (caps.has('message-tags')) tags.msgid = msgidOf(m, i);
      if (caps.has('account-tag') && account) tags.account = account;
      return serialize({ tags, source, command: 'PRIVMSG', params: [channel, text] });
    });
    byKey.set(key, lines);
  }
  return lines;
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
    if (kick) session.write({ source: kick.nick, command: 'KICK', params: [state.channel, nick, kick.reason] });
    else session.write({ source: mask, command: 'PART', params: [state.channel] });
    return;
  }
  const nick = snapshot ? nickTableFor(snapshot.users).nick(userId) : (mask.split('!')[0] as string);
  const real = snapshot?.users.get(userId)?.displayName ?? nick;
  session.write({ source: mask, command: 'JOIN', params: session.caps.has('extended-join') ? [state.channel, nick, real] : [state.channel] });
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
      forgetRoom(session, roomId);
      session.write({ source: kick?.nick ?? serverName, command: 'KICK', params: [state.channel, session.nick, reason] });
      await app.messages.leave({ userId: session.userId }, roomId).catch(() => undefined);
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
    const nick = uid === session.userId ? session.nick : nickTableFor(snapshot.users).nick(uid);
    for (const [m, who] of prefixChanges(before, after, nick)) session.write({ source, command: 'MODE', params: [channel, m, who] });
  }
}
