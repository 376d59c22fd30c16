import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Application } from '../../app/index.js';
import type { Snapshot } from '../../app/directory.js';
import type { Message } from '../../core/model.js';
import type { Actor } from '../../core/permissions.js';
import type { Hub, Subscriber } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import type { DomainEvent } from '../../ports/events.js';
import { nickTableFor, roomToChannel } from './channels.js';
import { ERR, RPL } from './numerics.js';
import { type IrcMessage, LineSplitter, MAX_BODY_BYTES, parseLine, serialize } from './parser.js';
import { messageLines, msgidOf, serverTime, textBudget, timePrefix } from './present.js';
import type { IrcRegistry } from './registry.js';
import { Reply } from './reply.js';
import { highestPrefix, modesOf, prefixChanges, prefixesOf } from './roster.js';

export interface FloodControl {
  /** Lines per second a client may send on average… */
  readonly linesPerSecond: number;
  /** …and in one burst. Beyond, its lines wait (and then its socket stops being read). */
  readonly burst: number;
}

/** A command of the table in commands/: data, so arity and registration are checked in one place. */
export interface IrcCommand {
  readonly minParams: number;
  readonly needsRegistration: boolean;
  run(session: IrcSession, params: readonly string[], reply: Reply, message: IrcMessage): Promise<void> | void;
}

export interface IrcDeps {
  readonly app: Application;
  readonly hub: Hub;
  readonly logger: Logger;
  readonly serverName: string;
  readonly network: string;
  readonly version: string;
  readonly motd: readonly string[] | null;
  readonly floodControl: FloodControl | false;
  readonly sendQueueBytes: number;
  readonly registrationTimeoutMs: number;
  /** Lines read but not yet answered, beyond which the socket is paused (TCP backpressure). */
  readonly maxQueuedLines: number;
  readonly registry: IrcRegistry;
  readonly commands: Readonly<Record<string, IrcCommand>>;
}

export { Reply };

/** A line to send: tags the client did not negotiate are dropped when it is written. */
export interface Out {
  tags?: Record<string, string>;
  source?: string | null;
  command: string;
  params: string[];
}

/** Per joined channel: the room's last delivered seq, live events held during the join, and what the client was shown. */
interface ChannelState {
  channel: string;
  lastSeq: number;
  buffer: (DomainEvent & { roomId: number })[] | null;
  topic: string;
  modes: string;
  prefixes: Map<number, string>;
}

// Which capability a tag needs; client-only tags (+…) need message-tags.
const TAG_CAPS: Record<string, string> = { time: 'server-time', msgid: 'message-tags', account: 'account-tag', batch: 'batch', label: 'labeled-response' };

// Live messages are rendered once per event and tag combination, shared by every recipient.
const rendered = new WeakMap<DomainEvent, Map<string, string[]>>();

const decoder = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** One IRC connection: registration, the ordered command chain, and the hub subscriber. */
export class IrcSession implements Subscriber {
  userId = 0;
  nick = '';
  requestedNick: string | null = null;
  username: string | null = null;
  password: string | null = null;
  registered = false;
  capNegotiating = false;
  capVersion = 0;
  oper = false;
  sasl: { buffer: string } | null = null;
  readonly caps = new Set<string>();
  readonly rooms = new Map<number, ChannelState>();
  lastActive = Date.now();
  awaitingPong = false;
  /** Own posts carry clientIds with this prefix, so their live echo is recognised. */
  private readonly clientPrefix = `irc-${randomBytes(6).toString('base64url')}-`;
  private posted = 0;
  private readonly echoes = new Map<string, Reply>();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private tokens: number;
  private refilled = Date.now();
  private closed = false;
  private readonly splitter = new LineSplitter();
  private readonly registrationTimer: NodeJS.Timeout;

  constructor(
    readonly socket: Socket,
    readonly deps: IrcDeps,
  ) {
    this.tokens = deps.floodControl ? deps.floodControl.burst : 0;
    this.registrationTimer = setTimeout(() => {
      if (!this.registered) this.kill('Registration timed out');
    }, deps.registrationTimeoutMs);
    this.registrationTimer.unref();
    socket.on('data', (chunk: Buffer) => {
      this.lastActive = Date.now();
      this.awaitingPong = false;
      this.splitter.push(
        chunk,
        (line) => this.enqueue(line),
        () => this.enqueue(null),
      );
    });
  }

  get nickOrStar(): string {
    return this.nick || '*';
  }

  get host(): string {
    return this.deps.serverName;
  }

  /** nick!user@host of any user, as this endpoint shows them. */
  maskOf(userId: number, snapshot: Snapshot | null = this.deps.app.directory.peek()): string {
    const nick = userId === this.userId && this.nick ? this.nick : snapshot ? nickTableFor(snapshot.users).nick(userId) : `user\`${userId}`;
    return `${nick}!u${userId}@${this.deps.serverName}`;
  }

  get mask(): string {
    return `${this.nickOrStar}!u${this.userId}@${this.deps.serverName}`;
  }

  actor(): Promise<Actor> {
    return this.deps.app.sessions.actorFor(this.userId);
  }

  // ---- input: one promise chain, so replies keep command order even when storage is slow

  private enqueue(line: Buffer | null): void {
    if (this.closed) return;
    if (++this.queued >= this.deps.maxQueuedLines && !this.socket.isPaused()) this.socket.pause();
    this.chain = this.chain
      .then(() => this.process(line))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'irc line failed'))
      .finally(() => {
        if (--this.queued < this.deps.maxQueuedLines / 2 && this.socket.isPaused() && !this.closed) this.socket.resume();
      });
  }

  private async throttle(): Promise<void> {
    const flood = this.deps.floodControl;
    if (!flood) return;
    const now = Date.now();
    this.tokens = Math.min(flood.burst, this.tokens + ((now - this.refilled) * flood.linesPerSecond) / 1000);
    this.refilled = now;
    if (this.tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, ((1 - this.tokens) * 1000) / flood.linesPerSecond));
      this.tokens = 1;
      this.refilled = Date.now();
    }
    this.tokens -= 1;
  }

  private async process(bytes: Buffer | null): Promise<void> {
    if (this.closed) return;
    await this.throttle();
    if (bytes === null) return new Reply(this, null).numeric(ERR.INPUTTOOLONG, 'Input line was too long');
    let text: string;
    let validUtf8 = true;
    try {
      text = decoder.decode(bytes);
    } catch {
      text = lossy.decode(bytes);
      validUtf8 = false;
    }
    const parsed = parseLine(text);
    if (!parsed.ok) {
      const reply = new Reply(this, null);
      if (parsed.reason === 'too_long') reply.numeric(ERR.INPUTTOOLONG, 'Input line was too long');
      else if (parsed.reason === 'malformed') reply.numeric(ERR.UNKNOWNCOMMAND, parsed.command ?? '*', 'Malformed line');
      return;
    }
    const message = parsed.message;
    const rawLabel = this.caps.has('labeled-response') ? message.tags.label : undefined;
    const reply = new Reply(this, rawLabel !== undefined && rawLabel !== '' && rawLabel.length <= 64 ? rawLabel : null);
    try {
      await this.dispatch(message, reply, validUtf8);
    } finally {
      reply.finish();
    }
  }

  private async dispatch(message: IrcMessage, reply: Reply, validUtf8: boolean): Promise<void> {
    if (!validUtf8) return reply.fail(message.command, 'INVALID_UTF8', 'Message rejected: pchat takes UTF-8 only (UTF8ONLY)');
    const commands = this.deps.commands;
    const command = Object.hasOwn(commands, message.command) ? commands[message.command] : undefined;
    if (!command) return reply.numeric(ERR.UNKNOWNCOMMAND, message.command, 'Unknown command');
    if (command.needsRegistration && !this.registered) return reply.numeric(ERR.NOTREGISTERED, 'You have not registered');
    if (message.params.length < command.minParams) return reply.numeric(ERR.NEEDMOREPARAMS, message.command, 'Not enough parameters');
    try {
      await command.run(this, message.params, reply, message);
    } catch (error) {
      reply.error(message.command, message.params[0] ?? null, error);
    }
  }

  // ---- output

  write(out: Out): void {
    if (this.closed) return;
    if (out.command === 'BATCH' && !this.caps.has('batch')) return;
    let tags: Record<string, string> | undefined;
    if (out.tags) {
      for (const [key, value] of Object.entries(out.tags)) {
        const cap = key.startsWith('+') ? 'message-tags' : TAG_CAPS[key];
        if (cap && this.caps.has(cap)) (tags ??= {})[key] = value;
      }
    }
    this.writeRaw(fit(serialize({ ...out, tags })));
  }

  writeRaw(line: string): void {
    if (this.closed) return;
    // A reader that falls this far behind would hold server memory hostage: cut it off.
    if (this.socket.writableLength > this.deps.sendQueueBytes) {
      this.deps.logger.warn({ userId: this.userId }, 'irc client too slow; disconnecting');
      this.kill('SendQ exceeded', true);
      return;
    }
    this.socket.write(`${line}\r\n`);
  }

  /** Sends ERROR and closes. `now` drops the connection without waiting for the queue to drain. */
  kill(reason: string, now = false): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(`ERROR :Closing link: ${this.host} (${reason})\r\n`);
    if (now) this.socket.destroy();
    else setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Called once the socket is gone: leaves every room (recording PART) and the hub. */
  closedDown(): void {
    this.closed = true;
    clearTimeout(this.registrationTimer);
    this.deps.hub.disconnect(this);
    this.deps.registry.remove(this);
    const rooms = [...this.rooms.keys()];
    this.rooms.clear();
    for (const roomId of rooms) void this.deps.app.messages.leave({ userId: this.userId }, roomId).catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- posting

  nextClientId(): string {
    return `${this.clientPrefix}${++this.posted}`;
  }

  /** Posts to a room; the live echo (echo-message) goes into `reply`, so it carries the label. */
  async post(roomId: number, text: string, reply: Reply): Promise<Message> {
    const clientId = this.nextClientId();
    this.echoes.set(clientId, reply);
    try {
      const { message } = await this.deps.app.messages.post(await this.actor(), roomId, { text, clientId });
      return message;
    } finally {
      this.echoes.delete(clientId);
    }
  }

  // ---- channels

  /**
   * Enters a room: subscribes before reading history, holding live events back, so the
   * hand-over has no gap and no duplicate (as the WebSocket session does).
   */
  async join(roomId: number, reply: Reply): Promise<void> {
    if (this.rooms.has(roomId)) return;
    const { app, hub } = this.deps;
    const actor = await this.actor();
    const state: ChannelState = { channel: '', lastSeq: 0, buffer: [], topic: '', modes: '', prefixes: new Map() };
    this.rooms.set(roomId, state);
    hub.join(roomId, this);
    try {
      // Clients with chathistory fetch what they want; the others get the last page replayed.
      const replay = !this.caps.has('draft/chathistory');
      const page = await app.messages.open(actor, roomId, replay ? null : Number.MAX_SAFE_INTEGER);
      const view = await app.rooms.get(actor, roomId);
      const snapshot = await app.directory.snapshot();
      state.channel = roomToChannel(view.room.name);
      state.lastSeq = Math.max(page.messages.at(-1)?.seq ?? 0, replay ? 0 : page.lastSeq);
      state.topic = view.room.description;
      state.modes = modesOf(view.room);
      const account = nickTableFor(snapshot.users).nick(this.userId);
      const displayName = snapshot.users.get(this.userId)?.displayName ?? account;
      reply.send({ source: this.mask, command: 'JOIN', params: this.caps.has('extended-join') ? [state.channel, account, displayName] : [state.channel] });
      if (state.topic) reply.numeric(RPL.TOPIC, state.channel, topicText(state.topic));
      for (const uid of hub.participants(roomId)) state.prefixes.set(uid, prefixesOf(snapshot, view.room, view.category, uid));
      this.names(reply, roomId, state.channel, view.room.privacy === 'secret', snapshot);
      if (replay && page.messages.length > 0) {
        await reply.batch('chathistory', [state.channel], (tags) => {
          for (const m of page.messages) for (const out of this.historyLines(m, state.channel, snapshot, tags)) reply.send(out);
        });
      }
    } catch (error) {
      this.forget(roomId);
      throw error;
    }
    const held = state.buffer ?? [];
    state.buffer = null;
    for (const event of held) this.onRoomEvent(event);
  }

  /** RPL_NAMREPLY lines (as many as the line limit needs) and RPL_ENDOFNAMES. */
  names(reply: Reply, roomId: number, channel: string, secret: boolean, snapshot: Snapshot): void {
    const state = this.rooms.get(roomId);
    const found = snapshot.roomWithCategory(roomId);
    const entries = this.deps.hub.participants(roomId).map((uid) => {
      const prefixes = state?.prefixes.get(uid) ?? (found ? prefixesOf(snapshot, found.room, found.category, uid) : '');
      const shown = this.caps.has('multi-prefix') ? prefixes : highestPrefix(prefixes);
      return shown + (this.caps.has('userhost-in-names') ? this.maskOf(uid, snapshot) : nickTableFor(snapshot.users).nick(uid));
    });
    const head = [this.nickOrStar, secret ? '@' : '=', channel];
    const budget = MAX_BODY_BYTES - Buffer.byteLength(`:${this.deps.serverName} ${RPL.NAMREPLY} ${head.join(' ')} :`);
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
  historyLines(m: Message, channel: string, snapshot: Snapshot | null, extra: Record<string, string>, live = false): Out[] {
    const source = this.maskOf(m.authorId, snapshot);
    const account = snapshot ? nickTableFor(snapshot.users).nick(m.authorId) : undefined;
    const prefix = live || this.caps.has('server-time') ? '' : timePrefix(m.createdAt);
    return messageLines(m, textBudget(source, 'PRIVMSG', channel), prefix).map((text, i) => ({
      tags: { ...extra, time: serverTime(m.createdAt), msgid: msgidOf(m, i), ...(account && { account }) },
      source,
      command: 'PRIVMSG',
      params: [channel, text],
    }));
  }

  async part(roomId: number, reason: string | null, reply: Reply | null): Promise<void> {
    const state = this.rooms.get(roomId);
    if (!state) return;
    this.forget(roomId);
    const out: Out = { source: this.mask, command: 'PART', params: reason ? [state.channel, reason] : [state.channel] };
    if (reply) reply.send(out);
    else this.write(out);
    await this.deps.app.messages.leave({ userId: this.userId }, roomId).catch((error: unknown) => this.deps.logger.error({ err: error }, 'recording PART failed'));
  }

  private forget(roomId: number): void {
    this.rooms.delete(roomId);
    this.deps.hub.part(roomId, this);
  }

  channelOf(roomId: number): string | undefined {
    return this.rooms.get(roomId)?.channel;
  }

  // ---- the hub subscriber

  onRoomEvent(event: DomainEvent & { roomId: number }): void {
    const state = this.rooms.get(event.roomId);
    if (!state || this.closed) return;
    if (state.buffer) {
      state.buffer.push(event);
      return;
    }
    // IRC cannot take back a line: removals, replacements and clearing show in history only.
    if (event.type !== 'message.posted') return;
    const m = event.message;
    if (m.seq !== 0) {
      if (m.seq <= state.lastSeq) return;
      state.lastSeq = m.seq;
    }
    if (m.authorId === this.userId && m.clientId?.startsWith(this.clientPrefix)) {
      if (!this.caps.has('echo-message')) return;
      const pending = this.echoes.get(m.clientId);
      if (pending) {
        for (const out of this.historyLines(m, state.channel, this.deps.app.directory.peek(), {}, true)) pending.send(out);
        return;
      }
    }
    for (const line of this.render(event, m, state.channel)) this.writeRaw(line);
  }

  private render(event: DomainEvent, m: Message, channel: string): string[] {
    const key = ['server-time', 'message-tags', 'account-tag'].map((c) => (this.caps.has(c) ? '1' : '0')).join('') + channel;
    let byKey = rendered.get(event);
    if (!byKey) rendered.set(event, (byKey = new Map()));
    let lines = byKey.get(key);
    if (!lines) {
      // Live lines carry no time prefix: the client shows them as they arrive.
      const snapshot = this.deps.app.directory.peek();
      const source = this.maskOf(m.authorId, snapshot);
      const account = snapshot ? nickTableFor(snapshot.users).nick(m.authorId) : null;
      lines = messageLines(m, textBudget(source, 'PRIVMSG', channel)).map((text, i) => {
        const tags: Record<string, string> = {};
        if (this.caps.has('server-time')) tags.time = serverTime(m.createdAt);
        if (this.caps.has('message-tags')) tags.msgid = msgidOf(m, i);
        if (this.caps.has('account-tag') && account) tags.account = account;
        return serialize({ tags, source, command: 'PRIVMSG', params: [channel, text] });
      });
      byKey.set(key, lines);
    }
    return lines;
  }

  onPresence(roomId: number, userId: number, present: boolean, count: number): void {
    const state = this.rooms.get(roomId);
    if (!state || state.buffer || userId === this.userId || this.closed) return;
    const snapshot = this.deps.app.directory.peek();
    // Above participantUpdateLimit people, roster changes are not pushed (domain.md, Configuration).
    if (count > (snapshot?.config.participantUpdateLimit ?? 0)) return;
    const mask = this.maskOf(userId, snapshot);
    if (!present) {
      state.prefixes.delete(userId);
      const kick = this.deps.registry.noteFor(`kick:${roomId}:${userId}`);
      const nick = mask.split('!')[0] as string;
      if (kick) this.write({ source: kick.nick, command: 'KICK', params: [state.channel, nick, kick.reason] });
      else this.write({ source: mask, command: 'PART', params: [state.channel] });
      return;
    }
    const nick = snapshot ? nickTableFor(snapshot.users).nick(userId) : mask.split('!')[0] as string;
    const real = snapshot?.users.get(userId)?.displayName ?? nick;
    this.write({ source: mask, command: 'JOIN', params: this.caps.has('extended-join') ? [state.channel, nick, real] : [state.channel] });
    const found = snapshot?.roomWithCategory(roomId);
    if (snapshot && found) {
      const prefixes = prefixesOf(snapshot, found.room, found.category, userId);
      state.prefixes.set(userId, prefixes);
      for (const [modes, who] of prefixChanges('', prefixes, nick)) this.write({ source: this.deps.serverName, command: 'MODE', params: [state.channel, modes, who] });
    }
    const away = this.deps.registry.awayOf(userId);
    if (away !== undefined && this.caps.has('away-notify')) this.write({ source: mask, command: 'AWAY', params: [away] });
  }

  onAccessChange(event: DomainEvent): void {
    if (this.closed || !this.registered) return;
    if (event.type === 'user.signedOut') {
      if (event.userId === this.userId) this.kill('Signed out by the server');
      return;
    }
    if (event.type === 'user.invited') {
      if (event.userId === this.userId) void this.invited(event.roomId);
      return;
    }
    void this.recheck(event).catch((error: unknown) => this.deps.logger.error({ err: error }, 'irc access re-check failed'));
  }

  private async invited(roomId: number): Promise<void> {
    const actor = await this.actor().catch(() => null);
    const view = actor && (await this.deps.app.rooms.get(actor, roomId).catch(() => null));
    if (!view) return;
    const by = this.deps.registry.noteFor(`invite:${roomId}:${this.userId}`);
    this.write({ source: by?.nick ?? this.deps.serverName, command: 'INVITE', params: [this.nick, roomToChannel(view.room.name)] });
  }

  private async recheck(event: DomainEvent): Promise<void> {
    const { app } = this.deps;
    const actor = await this.actor().catch(() => null);
    if (!actor) return this.kill('The account is disabled');
    if (this.rooms.size === 0) return;
    const verdicts = await app.rooms.recheck(this.userId, this.rooms.keys());
    for (const [roomId, verdict] of verdicts) {
      const state = this.rooms.get(roomId);
      if (!state) continue;
      if (verdict !== 'ok') {
        const kick = this.deps.registry.noteFor(`kick:${roomId}:${this.userId}`);
        const reason = verdict === 'disabled' ? 'The room was disabled' : verdict === 'deleted' ? 'The room was deleted' : (kick?.reason ?? 'Your access to this room was removed');
        this.forget(roomId);
        this.write({ source: kick?.nick ?? this.deps.serverName, command: 'KICK', params: [state.channel, this.nick, reason] });
        await app.messages.leave({ userId: this.userId }, roomId).catch(() => undefined);
      } else if (event.type === 'room.changed' && event.roomId === roomId) {
        await this.refresh(actor, roomId, state);
      } else if (event.type === 'directory.changed') {
        await this.refresh(actor, roomId, state);
      }
    }
  }

  /** Shows what changed in a room: its name (PART + JOIN), topic, modes and people's prefixes. */
  private async refresh(actor: Actor, roomId: number, state: ChannelState): Promise<void> {
    const view = await this.deps.app.rooms.get(actor, roomId);
    const snapshot = await this.deps.app.directory.snapshot();
    const note = this.deps.registry.noteFor(`room:${roomId}`);
    const source = note?.nick ?? this.deps.serverName;
    const channel = roomToChannel(view.room.name);
    if (channel !== state.channel) {
      this.write({ source: this.mask, command: 'PART', params: [state.channel, `The room is now called ${channel}`] });
      state.channel = channel;
      this.write({ source: this.mask, command: 'JOIN', params: [channel] });
      state.topic = '';
      this.names(new Reply(this, null), roomId, channel, view.room.privacy === 'secret', snapshot);
    }
    if (view.room.description !== state.topic) {
      state.topic = view.room.description;
      this.write({ source, command: 'TOPIC', params: [channel, topicText(state.topic)] });
    }
    const modes = modesOf(view.room);
    if (modes !== state.modes) {
      const change = modeDiff(state.modes, modes);
      state.modes = modes;
      if (change) this.write({ source, command: 'MODE', params: [channel, change] });
    }
    for (const uid of this.deps.hub.participants(roomId)) {
      const after = prefixesOf(snapshot, view.room, view.category, uid);
      const before = state.prefixes.get(uid) ?? '';
      state.prefixes.set(uid, after);
      const nick = uid === this.userId ? this.nick : nickTableFor(snapshot.users).nick(uid);
      for (const [m, who] of prefixChanges(before, after, nick)) this.write({ source, command: 'MODE', params: [channel, m, who] });
    }
  }
}

/** "+imt" → "+ist" gives "-m+s". */
function modeDiff(before: string, after: string): string {
  const b = new Set(before.slice(1));
  const a = new Set(after.slice(1));
  const removed = [...b].filter((m) => !a.has(m)).join('');
  const added = [...a].filter((m) => !b.has(m)).join('');
  return (removed ? `-${removed}` : '') + (added ? `+${added}` : '');
}

/** Descriptions may hold line breaks; a topic is one line. */
export const topicText = (description: string): string => description.replace(/\r?\n|\r/g, ' ');

/** A safety net for lines we build: cut the last parameter so the body stays within 510 bytes. */
function fit(line: string): string {
  const start = line.startsWith('@') ? line.indexOf(' ') + 1 : 0;
  const body = line.slice(start);
  if (Buffer.byteLength(body) <= MAX_BODY_BYTES) return line;
  let out = '';
  for (const ch of body) {
    if (Buffer.byteLength(out + ch) > MAX_BODY_BYTES) break;
    out += ch;
  }
  return line.slice(0, start) + out;
}
