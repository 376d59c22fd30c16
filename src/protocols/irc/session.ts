import type { Socket } from 'node:net';
import type { Application } from '../../app/index.js';
import type { Snapshot } from '../../app/directory.js';
import type { Actor } from '../../core/permissions.js';
import { NOT_UTF8 } from '../../core/validation.js';
import type { Hub, Subscriber } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import type { DomainEvent, PostedEvent } from '../../ports/events.js';
import { deliverAccessChange, deliverPosts, deliverPresence, deliverRoomEvent } from './events.js';
import { type FloodControl, FloodGate } from './flood.js';
import type { ChannelState } from './membership.js';
import { ERR } from './numerics.js';
import { type IrcMessage, LineSplitter, MAX_CLIENT_TAG_BYTES, parseLine, serialize, tagSectionBytes } from './parser.js';
import type { IrcRegistry } from './registry.js';
import { Reply } from './reply.js';
import { decodeLine, fit, LineOutput, negotiatedTags } from './wire.js';
import { deliverDirect } from './direct.js';
import { quitRooms } from './departures.js';
import { OwnPosts } from './posting.js';

export type { FloodControl };
export { Reply };

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
  /** Where pchat's web side is reached (http.publicUrl, no trailing slash): file links point there. */
  readonly publicUrl: string;
  readonly floodControl: FloodControl | false;
  readonly sendQueueBytes: number;
  readonly registrationTimeoutMs: number;
  /** Lines read but not yet answered, beyond which the socket is paused (TCP backpressure). */
  readonly maxQueuedLines: number;
  readonly registry: IrcRegistry;
  /** IRC guests' group (irc.guestGroup), or null: every connection signs in. */
  readonly guestGroup: string | null;
  /** The category where JOIN of a missing channel creates an open room (irc.createRoomsIn), or null. */
  readonly createRoomsIn: string | null;
  readonly commands: Readonly<Record<string, IrcCommand>>;
}

/** A line to send: tags the client did not negotiate are dropped when it is written. */
export interface Out {
  tags?: Record<string, string>;
  source?: string | null;
  command: string;
  params: string[];
}

/** How long a closing connection may take to flush its ERROR line before it is dropped. */
const CLOSE_GRACE_MS = 2000;
/**
 * A slow reader cut off for its send queue gets longer: the ERROR sits behind everything
 * already queued (at most sendQueueBytes), and nothing more is added meanwhile.
 */
const SENDQ_GRACE_MS = 10_000;

/** Commands whose text goes to messages.post, which applies the one text rule itself. */
const TEXT_COMMANDS = new Set(['PRIVMSG', 'NOTICE']);

/** PRIVMSG or NOTICE with text to exactly one channel: a post that may start early (see enqueue). */
const isChannelPost = (m: IrcMessage): boolean =>
  TEXT_COMMANDS.has(m.command) && m.params.length >= 2 && m.params[0]?.startsWith('#') === true && !m.params[0].includes(',') && m.params[1] !== '';

/**
 * One IRC connection: registration state, the ordered command chain, output, and the hub
 * subscriber. Joining and leaving rooms live in membership.ts, what the hub pushes in events.ts.
 */
export class IrcSession implements Subscriber {
  userId = 0;
  /** Subscribed to its user's direct conversations: PRIVMSG between users (direct.ts). */
  readonly takesDirectMessages = true;
  /** This connection's own session (see openSession); 0 until registered. */
  sessionId = 0;
  nick = '';
  requestedNick: string | null = null;
  username: string | null = null;
  realname = '';
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
  /** This connection's posts under way, and how their live echo is recognised (posting.ts). */
  readonly ownPosts = new OwnPosts();
  /** When the next line may start: once this one is answered, or, for a post to a channel, once it is queued for commit. */
  private chain: Promise<void> = Promise.resolve();
  /** When every line read so far is answered. */
  private answered: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly flood: FloodGate;
  private closed = false;
  /** Why the connection ends, as its QUIT shows it to the others (`Quit: …` for a QUIT of its own). */
  private quitReason = 'Connection closed';
  private departed = false;
  /** The socket is gone (closedDown ran). */
  private gone = false;
  private readonly output: LineOutput;
  private readonly splitter = new LineSplitter();
  private readonly registrationTimer: NodeJS.Timeout;

  constructor(
    readonly socket: Socket,
    readonly deps: IrcDeps,
  ) {
    this.flood = new FloodGate(deps.floodControl);
    this.output = new LineOutput(socket);
    this.registrationTimer = setTimeout(() => {
      if (!this.registered) this.kill('Registration timed out');
    }, deps.registrationTimeoutMs);
    this.registrationTimer.unref();
    socket.on('data', (chunk: Buffer) => {
      this.lastActive = Date.now();
      deps.app.accounts.used(this.sessionId);
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

  /** The client's network address (the sign-in throttle counts by it). */
  get address(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** nick!user@host of any user, as this endpoint shows them. */
  maskOf(userId: number, snapshot: Snapshot | null = this.deps.app.directory.peek()): string {
    const nick = userId === this.userId && this.nick ? this.nick : snapshot ? this.deps.registry.nickOf(userId, snapshot.users) : `user\`${userId}`;
    return `${nick}!u${userId}@${this.deps.serverName}`;
  }

  get mask(): string {
    return `${this.nickOrStar}!u${this.userId}@${this.deps.serverName}`;
  }

  actor(): Promise<Actor> {
    return this.deps.app.sessions.actorFor(this.userId);
  }

  // ---- input: one promise chain, so replies keep command order even when storage is slow

  /**
   * Lines run one after another, except that a post to one channel lets the next line start
   * once it is queued for commit (behind the posts before it), so one connection's posts share
   * group commits instead of paying one commit each. Such a post holds its replies until the
   * lines ahead are answered; any other line waits for them: replies keep line order, and a
   * PONG still means that every line before it is done (posts durable).
   */
  private enqueue(line: Buffer | null): void {
    if (this.closed) return;
    if (++this.queued >= this.deps.maxQueuedLines && !this.socket.isPaused()) this.socket.pause();
    const ahead = this.answered;
    let release!: () => void;
    const started = new Promise<void>((resolve) => (release = resolve));
    this.answered = this.chain
      .then(() => this.process(line, ahead, release))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'irc line failed'))
      .finally(() => {
        release();
        if (--this.queued < this.deps.maxQueuedLines / 2 && this.socket.isPaused() && !this.closed) this.socket.resume();
      });
    this.chain = started;
  }

  private async process(bytes: Buffer | null, ahead: Promise<void>, release: () => void): Promise<void> {
    if (this.closed) return;
    await this.flood.take();
    const decoded = bytes === null ? null : decodeLine(bytes);
    const parsed = decoded === null ? null : parseLine(decoded.text);
    // A client sends at most 4094 bytes of tag data (message-tags), below the 8191 of any line.
    const tagsTooLong = decoded !== null && tagSectionBytes(decoded.text) > MAX_CLIENT_TAG_BYTES;
    const early = parsed?.ok === true && !tagsTooLong && this.registered && isChannelPost(parsed.message);
    if (!early) await ahead;
    if (decoded === null || parsed === null) return new Reply(this, null).numeric(ERR.INPUTTOOLONG, 'Input line was too long');
    const validUtf8 = decoded.validUtf8;
    if (!parsed.ok || tagsTooLong) {
      // Refused lines are answered with their label too, when it could be read.
      const reply = new Reply(this, this.labelOf(parsed.ok ? parsed.message.tags : parsed.tags));
      if (parsed.ok || parsed.reason === 'too_long') reply.numeric(ERR.INPUTTOOLONG, 'Input line was too long');
      else if (parsed.reason === 'malformed') reply.numeric(ERR.UNKNOWNCOMMAND, parsed.command ?? '*', 'Malformed line');
      return reply.finish();
    }
    const message = parsed.message;
    const reply = new Reply(this, this.labelOf(message.tags), early ? release : undefined);
    try {
      await this.dispatch(message, reply, validUtf8);
    } finally {
      if (early) await ahead;
      reply.finish();
    }
  }

  /** The label to answer with (labeled-response), or null. */
  private labelOf(tags: Readonly<Record<string, string>> | undefined): string | null {
    const raw = this.caps.has('labeled-response') ? tags?.label : undefined;
    return raw !== undefined && raw !== '' && raw.length <= 64 ? raw : null;
  }

  private async dispatch(message: IrcMessage, reply: Reply, validUtf8: boolean): Promise<void> {
    // A text to post carries its bytes that are not UTF-8 marked to messages.post, which
    // refuses it as every door does (errors.ts answers FAIL … INVALID_UTF8); any other
    // command with such bytes is refused here, with the same words.
    if (!validUtf8 && !TEXT_COMMANDS.has(message.command.toUpperCase())) return reply.fail(message.command, 'INVALID_UTF8', NOT_UTF8);
    const commands = this.deps.commands;
    const command = Object.hasOwn(commands, message.command) ? commands[message.command] : undefined;
    if (!command) return reply.numeric(ERR.UNKNOWNCOMMAND, message.command, 'Unknown command');
    if (command.needsRegistration && !this.registered) return reply.numeric(ERR.NOTREGISTERED, 'You have not registered');
    if (message.params.length < command.minParams) return reply.numeric(ERR.NEEDMOREPARAMS, message.command, 'Not enough parameters');
    try {
      await command.run(this, message.params, reply, message);
    } catch (error) {
      reply.error(message.command, message.params[0] ?? null, error);
    } finally {
      // A command under way when the connection departed may have joined rooms (or registered) meanwhile: leave them now.
      if (this.departed) this.depart();
    }
  }

  // ---- output

  write(out: Out): void {
    if (this.closed) return;
    if (out.command === 'BATCH' && !this.caps.has('batch')) return;
    this.writeRaw(fit(serialize({ ...out, tags: negotiatedTags(out.tags, this.caps) })));
  }

  writeRaw(line: string): void {
    if (this.canWrite()) this.output.line(line);
  }

  /** Whole lines (CRLF included) rendered once for every recipient: live messages (events.ts). */
  writeLines(lines: Buffer): void {
    if (this.canWrite()) this.output.push(lines);
  }

  private canWrite(): boolean {
    if (this.closed) return false;
    // A reader that falls this far behind would hold server memory hostage: cut it off.
    if (this.output.queuedBytes > this.deps.sendQueueBytes) {
      this.deps.logger.warn({ userId: this.userId }, 'irc client too slow; disconnecting');
      this.kill('SendQ exceeded', SENDQ_GRACE_MS);
      return false;
    }
    return true;
  }

  /**
   * Sends ERROR (after whatever is already queued) and closes; nothing more is written. The
   * socket is dropped after `graceMs` if the client has not taken the rest by then.
   */
  kill(reason: string, graceMs = CLOSE_GRACE_MS): void {
    if (this.closed) return;
    this.closed = true;
    this.quitReason = reason;
    this.output.flush();
    this.socket.end(`ERROR :Closing link: ${this.host} (${reason})\r\n`);
    setTimeout(() => this.socket.destroy(), graceMs).unref();
    // The others see the QUIT now, not once the client has closed its side; a turn later, so a
    // connection cut off in the middle of a delivery does not re-enter the hub from inside it.
    setImmediate(() => {
      if (!this.departed) this.depart();
    });
  }

  /**
   * Opens this connection's session, listed with the user's other sessions (ending it sends
   * ERROR). Called once registered and subscribed to the hub, so no revocation is missed
   * meanwhile. False when the connection could not keep it (already closing, storage failed).
   */
  async openSession(): Promise<boolean> {
    const { app, logger } = this.deps;
    try {
      const userAgent = `IRC${this.realname ? `: ${this.realname}` : ''}`;
      this.sessionId = await app.accounts.openConnection(this.userId, 'irc', { userAgent, address: this.address });
    } catch (error) {
      logger.error({ err: error, userId: this.userId }, 'opening the irc session failed');
      this.kill('The server could not open a session');
      return false;
    }
    // Gone while the row was written: closedDown ran without its id, so the row goes here.
    if (this.gone) void app.accounts.closeConnection(this.sessionId).catch(() => undefined);
    return !this.isClosed;
  }

  /** Called once the socket is gone: leaves every room (recording PART) and the hub. */
  closedDown(): void {
    if (this.sessionId !== 0) void this.deps.app.accounts.closeConnection(this.sessionId).catch(() => undefined);
    this.gone = true;
    this.closed = true;
    clearTimeout(this.registrationTimer);
    if (!this.departed) this.depart();
  }

  /**
   * Leaves the hub, the registry and every room (recording PART). Run once, at kill or when the
   * socket is gone, whichever comes first, and again by each command that was still under way
   * then, for whatever it joined meanwhile (dispatch); the QUIT is shown once.
   */
  private depart(): void {
    const first = !this.departed;
    this.departed = true;
    // The others in its channels see this user QUIT (or PART, see departures.ts), once each.
    if (first) quitRooms(this, this.quitReason, () => this.deps.hub.disconnect(this));
    else this.deps.hub.disconnect(this);
    this.deps.registry.remove(this);
    const rooms = [...this.rooms.keys()];
    this.rooms.clear();
    for (const roomId of rooms) void this.deps.app.messages.leave({ userId: this.userId }, roomId).catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- channels (membership.ts)

  channelOf(roomId: number): string | undefined {
    return this.rooms.get(roomId)?.channel;
  }

  // ---- the hub subscriber (events.ts)

  onRoomEvent(event: DomainEvent & { roomId: number }): void {
    // A room not joined as a channel is a direct conversation this connection hears (direct.ts).
    if (!this.rooms.has(event.roomId)) return deliverDirect(this, event);
    deliverRoomEvent(this, event);
  }

  onRoomPosts(events: readonly PostedEvent[]): void {
    const roomId = (events[0] as PostedEvent).roomId;
    if (this.rooms.has(roomId)) deliverPosts(this, events);
    else for (const event of events) deliverDirect(this, event);
  }

  onPresence(roomId: number, userId: number, present: boolean, count: number): void {
    deliverPresence(this, roomId, userId, present, count);
  }

  onAccessChange(event: DomainEvent): void {
    deliverAccessChange(this, event);
  }
}
