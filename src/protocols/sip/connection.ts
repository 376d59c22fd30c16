import type { Socket } from 'node:net';
import type { Application } from '../../app/index.js';
import type { Actor } from '../../core/permissions.js';
import type { Hub, Subscriber } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import { type DomainEvent, signsOut } from '../../ports/events.js';
import { decodeUtf8Marked } from '../text.js';
import type { MessageSecurity, SipAuthenticator } from './auth.js';
import { type Dialog, Dialogs, newTag } from './dialogs.js';
import { type Framed, SipFramer } from './framer.js';
import { ALLOWED_METHODS, deregistration, PROVISIONING_TYPE, provisioningBody, registeredHeaders } from './frontEnd.js';
import { addressOf, cseqOf, header, type OutgoingRequest, type OutgoingResponse, responseHeaders, serialize, type SipMessage, type SipRequest, uriOf } from './message.js';
import { CHAT_SERVICE_USER, COMMANDS, LOOKUP_USER } from './xccos/commands.js';
import type { ChatContext, JoinedRoom } from './xccos/context.js';
import { EnvelopeWriter, parseEnvelope, reply, XccosError, xccosErrorOf } from './xccos/envelope.js';
import { deliverPresence, deliverRoomEvent, recheckRooms } from './xccos/events.js';
import { forgetRoom } from './xccos/membership.js';
import type { SipNames } from './xccos/uris.js';

export interface SipDeps {
  readonly app: Application;
  readonly hub: Hub;
  readonly logger: Logger;
  readonly names: SipNames;
  readonly serverName: string;
  readonly authenticator: () => SipAuthenticator;
  readonly maxMessageBytes: number;
  readonly sendQueueBytes: number;
  readonly registerExpiresSeconds: number;
  readonly sessionExpiresSeconds: number;
  readonly registrationTimeoutMs: number;
  /** Called when the connection is gone, so the endpoint forgets it. */
  readonly onClosed: (connection: SipConnection) => void;
}

/** Requests that are answered before (and without) registration. */
const UNREGISTERED_OK = new Set(['REGISTER', 'OPTIONS', 'ACK', 'CANCEL']);

/**
 * One SIP connection (TCP or TLS) of a Lync/OCS group chat client: registration with
 * [MS-SIPAE] sign-in, the front-end subscriptions, the dialogs to the chat service and the
 * XCCOS commands in them. It is the hub subscriber of its user's joined rooms.
 */
export class SipConnection implements Subscriber, ChatContext {
  userId = 0;
  /** This connection's own session, listed with the user's sessions; 0 until registered. */
  sessionId = 0;
  login = '';
  selfUri = '';
  readonly joined = new Map<number, JoinedRoom>();
  readonly dialogs = new Dialogs();
  lastActive = Date.now();
  private registeredUntil = 0;
  private security: MessageSecurity | null = null;
  private readonly authenticator: SipAuthenticator;
  private readonly framer: SipFramer;
  private readonly envelopes = new EnvelopeWriter();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  /** The socket is gone (closedDown ran). */
  private gone = false;
  private readonly registrationTimer: NodeJS.Timeout;
  private readonly via: string;

  constructor(
    readonly socket: Socket,
    readonly deps: SipDeps,
    readonly transport: 'TCP' | 'TLS',
  ) {
    this.authenticator = deps.authenticator();
    this.framer = new SipFramer(deps.maxMessageBytes);
    this.via = `SIP/2.0/${transport} ${socket.localAddress ?? deps.serverName}:${socket.localPort ?? 0}`;
    this.registrationTimer = setTimeout(() => {
      if (!this.security) this.close('registration timed out');
    }, deps.registrationTimeoutMs);
    this.registrationTimer.unref();
    socket.on('data', (chunk: Buffer) => {
      this.lastActive = Date.now();
      deps.app.accounts.used(this.sessionId);
      this.framer.push(chunk, (framed) => this.enqueue(framed));
    });
  }

  get app(): Application {
    return this.deps.app;
  }
  get hub(): Hub {
    return this.deps.hub;
  }
  get names(): SipNames {
    return this.deps.names;
  }
  get serverName(): string {
    return this.deps.serverName;
  }
  get subscriber(): Subscriber {
    return this;
  }
  get registered(): boolean {
    return this.security !== null;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  actor(): Promise<Actor> {
    return this.deps.app.sessions.actorFor(this.userId);
  }

  // ---- input: one chain, so answers keep the order of requests even when storage is slow

  private enqueue(framed: Framed): void {
    if (this.closed) return;
    if (++this.queued >= 64 && !this.socket.isPaused()) this.socket.pause();
    this.chain = this.chain
      .then(() => this.process(framed))
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'sip message failed'))
      .finally(() => {
        if (--this.queued < 32 && this.socket.isPaused() && !this.closed) this.socket.resume();
      });
  }

  private async process(framed: Framed): Promise<void> {
    if (this.closed) return;
    if (framed.type === 'ping') return this.writeRaw(Buffer.from('\r\n'));
    if (framed.type === 'bad') {
      this.deps.logger.debug({ reason: framed.reason }, 'bad sip message');
      const request = framed.partial ? badRequestHeaders(framed.partial) : null;
      if (request) this.send({ status: 400, reason: `Bad Request (${framed.reason})`.slice(0, 200), headers: request });
      if (framed.fatal) this.close(framed.reason);
      return;
    }
    const message = framed.message;
    if (message.kind === 'response') return this.onResponse(message);
    if (this.security && !this.security.verify(message)) {
      // [MS-SIPAE]: a message whose signature does not verify is not from the signed-in client.
      this.deps.logger.warn({ userId: this.userId, method: message.method }, 'sip signature did not verify; closing');
      return this.close('bad signature');
    }
    if (!this.security && !UNREGISTERED_OK.has(message.method)) return this.respond(message, 403, 'Forbidden (register first)');
    try {
      await this.onRequest(message);
    } catch (error) {
      this.deps.logger.error({ err: error, method: message.method }, 'sip request failed');
      this.respond(message, 500, 'Server Internal Error');
    }
  }

  private async onRequest(request: SipRequest): Promise<void> {
    switch (request.method) {
      case 'REGISTER':
        return this.onRegister(request);
      case 'SUBSCRIBE':
        return this.onSubscribe(request);
      case 'INVITE':
        return this.onInvite(request);
      case 'ACK':
        return;
      case 'BYE':
        return this.onBye(request);
      case 'UPDATE':
        return this.onRefresh(request);
      case 'INFO':
        return this.onInfo(request);
      case 'OPTIONS':
        return this.respond(request, 200, 'OK', [['Allow', ALLOWED_METHODS], ['Accept', 'application/sdp, text/plain']]);
      case 'CANCEL':
        // Nothing of ours is ever pending long enough to be cancelled.
        return this.respond(request, 481, 'Call/Transaction Does Not Exist');
      case 'SERVICE':
      case 'PUBLISH':
      case 'NOTIFY':
      case 'BENOTIFY':
        return this.respond(request, 200, 'OK');
      case 'MESSAGE':
      case 'REFER':
        return this.respond(request, 488, 'Not Acceptable Here (pchat serves group chat only)');
      default:
        return this.respond(request, 501, 'Not Implemented', [['Allow', ALLOWED_METHODS]]);
    }
  }

  // ---- registration

  private async onRegister(request: SipRequest): Promise<void> {
    const address = addressOf(uriOf(header(request, 'to') ?? ''));
    const domain = address?.split('@')[1];
    if (!address || !domain || !this.names.serves(domain)) return this.respond(request, 404, 'Not Found (not a SIP domain served here)');
    if (this.security && address !== addressOf(this.selfUri)) return this.respond(request, 403, 'Forbidden (one account per connection)');
    const expires = Number(header(request, 'expires') ?? /expires=(\d+)/i.exec(header(request, 'contact') ?? '')?.[1] ?? this.deps.registerExpiresSeconds);
    if (this.security && expires === 0) {
      // Signing out: answered, then the connection's rooms are left when it closes.
      this.registeredUntil = 0;
      this.respond(request, 200, 'OK', [['Expires', '0']]);
      return;
    }
    let userId = this.userId;
    let login = this.login;
    if (!this.security) {
      const user = await this.app.sip.userBySipAddress(address, this.names.domains);
      // An unknown address gets the same challenge as a known one: nothing tells them apart.
      userId = user && !user.disabled ? user.id : 0;
      login = user?.login ?? address;
    }
    const outcome = await this.authenticator.register(request, { userId, login }, this.socket.remoteAddress ?? '');
    if (outcome.kind === 'challenge') return this.respond(request, 401, 'Unauthorized', outcome.headers);
    if (outcome.kind === 'refused') return this.respond(request, outcome.status, outcome.reason, outcome.headers);
    // Without authentication (the loopback test mode) an unknown or disabled address gets here.
    if (userId === 0) return this.respond(request, 403, 'Forbidden');
    const first = !this.security;
    // A one-time password is replaced in the web client before any client signs in with it.
    if (first && (await this.app.accounts.mustChangePassword(userId))) return this.respond(request, 403, 'Forbidden (choose a new password in the web client first)');
    this.security = outcome.security;
    this.userId = userId;
    this.login = login;
    this.selfUri = `sip:${address}`;
    const lifetime = Math.min(Number.isFinite(expires) && expires > 0 ? expires : this.deps.registerExpiresSeconds, this.deps.registerExpiresSeconds);
    this.registeredUntil = Date.now() + lifetime * 1000;
    if (first) {
      clearTimeout(this.registrationTimer);
      this.hub.connect(this);
      // The connection is a session of its own (after hub.connect, so no revocation is missed).
      const sessionId = await this.app.accounts.openConnection(userId, 'sip', { userAgent: header(request, 'user-agent') ?? 'SIP', address: this.socket.remoteAddress ?? null });
      if (this.gone) void this.app.accounts.closeConnection(sessionId).catch(() => undefined);
      else this.sessionId = sessionId;
      this.deps.logger.info({ userId, transport: this.transport }, 'sip client registered');
    }
    this.respond(request, 200, 'OK', registeredHeaders({ contact: header(request, 'contact') ?? `<${this.selfUri}>`, address, expires: lifetime, serverName: this.serverName, keepAliveSeconds: 300 }));
  }

  private onSubscribe(request: SipRequest): void {
    const event = (header(request, 'event') ?? '').split(';')[0]?.trim() ?? '';
    if (event === 'vnd-microsoft-provisioning-v2') {
      // The 200's body is read only with ms-piggyback-cseq: the first NOTIFY rides on the answer.
      const pool = `sip:${LOOKUP_USER}@${this.names.primaryDomain}`;
      this.respond(
        request,
        200,
        'OK',
        [
          ['Event', event],
          ['Expires', '0'],
          ['subscription-state', 'terminated;expires=0'],
          ['ms-piggyback-cseq', '1'],
          ['Content-Type', PROVISIONING_TYPE],
        ],
        provisioningBody(pool),
      );
      return;
    }
    // Contacts, presence, roaming: pchat keeps none of these; an empty, terminated answer settles the client.
    this.respond(request, 200, 'OK', [['Event', event], ['Expires', '0']]);
  }

  // ---- dialogs with the chat service

  private onInvite(request: SipRequest): void {
    const existing = this.dialogs.get(header(request, 'call-id'));
    const kind = existing?.kind ?? this.names.isChatService(request.uri, LOOKUP_USER, CHAT_SERVICE_USER);
    if (!kind) return this.respond(request, 480, 'Temporarily Unavailable (pchat serves group chat only)');
    const dialog = this.dialogs.open(request, kind, this.deps.sessionExpiresSeconds * 1000);
    this.respond(
      request,
      200,
      'OK',
      [
        ['Contact', `<${dialog.localUri};transport=${this.transport.toLowerCase()}>`],
        ['Session-Expires', `${this.deps.sessionExpiresSeconds};refresher=uac`],
        ['Supported', 'timer'],
      ],
      undefined,
      dialog.localTag,
    );
  }

  private onRefresh(request: SipRequest): void {
    const dialog = this.dialogs.get(header(request, 'call-id'));
    if (!dialog) return this.respond(request, 481, 'Call/Transaction Does Not Exist');
    dialog.expiresAt = Date.now() + this.deps.sessionExpiresSeconds * 1000;
    this.respond(request, 200, 'OK', [['Session-Expires', `${this.deps.sessionExpiresSeconds};refresher=uac`], ['Supported', 'timer']]);
  }

  private onBye(request: SipRequest): void {
    if (!this.endDialog(header(request, 'call-id') ?? '')) return this.respond(request, 481, 'Call/Transaction Does Not Exist');
    this.respond(request, 200, 'OK');
  }

  private async onInfo(request: SipRequest): Promise<void> {
    const dialog = this.dialogs.get(header(request, 'call-id'));
    if (!dialog) return this.respond(request, 481, 'Call/Transaction Does Not Exist');
    // Decoded without replacement: bytes that are not UTF-8 reach messages.post marked, and are refused there.
    const incoming = parseEnvelope(decodeUtf8Marked(request.body));
    if (incoming.kind === 'grpchat') return this.onChat(request, incoming.chanUri, incoming.text);
    this.respond(request, 200, 'OK');
    if (incoming.kind === 'bad') {
      this.sendIn(dialog, reply({ id: incoming.id ?? 'cmd:unknown', seqid: incoming.seqid, envid: incoming.envid }, { code: 400, text: incoming.reason }, ''));
      return;
    }
    const handler = Object.hasOwn(COMMANDS, incoming.id) ? COMMANDS[incoming.id] : undefined;
    let result = { code: 200, text: 'SUCCESS_OK' };
    let data = '';
    if (!handler) result = { code: 501, text: `${incoming.id} is not supported by this server.` };
    else {
      try {
        data = await handler(this, incoming.data);
      } catch (error) {
        const mapped = xccosErrorOf(error);
        if (!mapped) throw error;
        result = { code: mapped.code, text: mapped.message };
      }
    }
    this.sendIn(dialog, reply(incoming, result, data));
  }

  /** A post: answered 200 only once it is durable; a refusal is a SIP error the client reports as "not delivered". */
  private async onChat(request: SipRequest, chanUri: string, text: string): Promise<void> {
    try {
      const room = this.names.roomOf(chanUri, await this.app.directory.snapshot());
      if (!room || !this.joined.has(room.id)) throw new XccosError(404, 'You are not in that room.');
      // Lync writes line breaks as CR LF (`&#13;` + LF): pchat stores one newline, as every door does.
      await this.app.messages.post(await this.actor(), room.id, { text: text.replace(/\r\n?/g, '\n'), clientId: null });
      this.respond(request, 200, 'OK');
    } catch (error) {
      const mapped = xccosErrorOf(error);
      if (!mapped) throw error;
      const status = mapped.code === 503 ? 503 : mapped.code === 404 ? 404 : mapped.code === 400 || mapped.code === 413 ? 400 : 403;
      this.respond(request, status, `${status === 503 ? 'Service Unavailable' : status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Forbidden'} (${mapped.message})`);
    }
  }

  private onResponse(response: SipMessage & { kind: 'response' }): void {
    if (this.security && !this.security.verify(response)) return this.close('bad signature');
    // 481/487 to our INFO: the client considers that dialog over (it restarts group chat itself).
    if ((response.status === 481 || response.status === 487) && cseqOf(response)?.method === 'INFO') {
      this.endDialog(header(response, 'call-id') ?? '');
    }
  }

  // ---- output

  sendXccos(inner: string): void {
    const dialog = this.dialogs.service();
    if (dialog) this.sendIn(dialog, inner);
  }

  private sendIn(dialog: Dialog, inner: string): void {
    this.send(this.dialogs.request(dialog, 'INFO', this.via, [['Content-Type', 'text/plain']], this.envelopes.wrap(inner)));
  }

  private respond(request: SipRequest, status: number, reason: string, extra: [string, string][] = [], body?: string, tag?: string): void {
    const headers = responseHeaders(request, status === 100 ? null : (tag ?? newTag()));
    this.send({ status, reason, headers: [...headers, ...extra], ...(body !== undefined && { body }) });
  }

  private send(message: OutgoingRequest | OutgoingResponse): void {
    if (this.closed) return;
    // The security decides what it signs ([MS-SIPAE]: everything but 401s, once signed in).
    this.security?.sign(message);
    this.writeRaw(serialize(message));
  }

  private writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    if (this.socket.writableLength > this.deps.sendQueueBytes) {
      this.deps.logger.warn({ userId: this.userId }, 'sip client too slow; disconnecting');
      return this.close('send queue exceeded');
    }
    this.socket.write(bytes);
  }

  /** Ends the connection; its rooms are left (PART recorded) once the socket is gone. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.logger.debug({ userId: this.userId, reason }, 'sip connection closing');
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /**
   * Signed out by the server (session ended, password changed, account disabled): BYE in each
   * open dialog (the chat windows close), then the deregistration (frontEnd.ts), then the
   * connection closes.
   */
  signOut(reason: string): void {
    if (this.closed) return;
    for (const dialog of this.dialogs.all()) this.send(this.dialogs.request(dialog, 'BYE', this.via, []));
    if (this.selfUri) this.send(deregistration({ selfUri: this.selfUri, via: this.via, serverName: this.serverName, reason }));
    this.registeredUntil = 0;
    this.close(reason);
  }

  /** Called once the socket is gone. */
  closedDown(): void {
    if (this.sessionId !== 0) void this.app.accounts.closeConnection(this.sessionId).catch(() => undefined);
    this.gone = true;
    this.closed = true;
    clearTimeout(this.registrationTimer);
    this.leaveAll();
    this.hub.disconnect(this);
    this.deps.onClosed(this);
  }

  /** Closes a dialog; the rooms are left when the last dialog with the chat service ends. Whether it was open. */
  private endDialog(callId: string): boolean {
    const dialog = this.dialogs.close(callId);
    if (dialog?.kind === 'service' && !this.dialogs.service()) this.leaveAll();
    return dialog !== undefined;
  }

  private leaveAll(): void {
    for (const roomId of [...this.joined.keys()]) {
      forgetRoom(this, roomId);
      void this.app.messages.leave({ userId: this.userId }, roomId).catch(() => undefined);
    }
  }

  /** Housekeeping from the endpoint's sweep: expired registration or dialogs, idle sockets. */
  sweep(now: number): void {
    if (this.security && this.registeredUntil < now) return this.close('registration expired');
    for (const dialog of this.dialogs.expired(now)) this.endDialog(dialog.callId);
  }

  // ---- the hub subscriber

  onRoomEvent(event: DomainEvent & { roomId: number }): void {
    if (!this.closed) deliverRoomEvent(this, event);
  }

  onPresence(roomId: number, userId: number, present: boolean, count: number): void {
    if (!this.closed) deliverPresence(this, roomId, userId, present, count);
  }

  onAccessChange(event: DomainEvent): void {
    if (this.closed || !this.security) return;
    if (event.type === 'user.signedOut') {
      if (signsOut(event, this.userId, this.sessionId)) this.signOut(event.reason ?? 'Signed out by the server.');
      return;
    }
    void recheckRooms(this, (reason) => this.close(reason)).catch((error: unknown) => this.deps.logger.error({ err: error }, 'sip access re-check failed'));
  }
}

/** The headers a 400 can copy from a message that failed to parse, or null when they are not there. */
function badRequestHeaders(head: string): [string, string][] | null {
  const lines = head.split('\r\n').slice(1);
  const pick = (names: string[]) => lines.filter((l) => names.includes(l.slice(0, l.indexOf(':')).trim().toLowerCase())).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]);
  const copied = pick(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq']);
  return /^[A-Z]+ /.test(head) && copied.length > 0 ? copied : null;
}
