// A small SIP + XCCOS client over TCP, for tests and benchmarks: what a Lync / OCS group chat
// client does, without NTLM (the server runs with sip.auth = none-loopback-test).
//
//   const c = await SipClient.connect({ port, login: 'alice@pchat.test' });
//   await c.register();                      // REGISTER → 200
//   await c.openChat();                      // INVITE ocschat@ → cmd:requri → BYE → INVITE the service
//   const r = await c.command('cmd:join', chanidXml(uri));   // resolves with the rpl:join
//   const res = await c.post(uri, 'hello');  // the SIP response: 200 once durable, or 403/404/503
//   const ev = await c.next((e) => e.id === 'ntc:join');      // live grpchat / ntc (and stray rpl)
//
// Framing and serialising reuse the server's own code (SipFramer, parseMessage, serialize): the
// framer only splits a byte stream on Content-Length, so it serves a client as well.
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { SipFramer } from '../../src/protocols/sip/framer.js';
import { cseqOf, header, paramOf, responseHeaders, serialize, type SipRequest, type SipResponse } from '../../src/protocols/sip/message.js';
import { child, escapeXml, type XmlElement } from '../../src/protocols/sip/xml.js';

export const XCCOS_NS = 'urn:parlano:xml:ns:xccos';

/** The ma-chan URI of a native pchat room (src/protocols/sip/xccos/uris.ts). */
export const roomUri = (domain: string, roomId: number): string => `ma-chan://${domain}/00000000-0000-0000-0000-${roomId.toString(16).padStart(12, '0')}`;

/** `<chanid key="0" domain value/>`, the form sipe uses in cmd:join, from a ma-chan URI. */
export function chanidXml(uri: string): string {
  const match = /^ma-chan:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not a ma-chan URI: ${uri}`);
  return `<chanid key="0" domain="${escapeXml(match[1] as string)}" value="${escapeXml(match[2] as string)}"/>`;
}

/** `<chanib uri="…"/>`, the form of part and bccontext. */
export const chanibXml = (uri: string, inner = ''): string => (inner ? `<chanib uri="${escapeXml(uri)}">${inner}</chanib>` : `<chanib uri="${escapeXml(uri)}"/>`);

/** Something the server sent in an INFO: a live message (grpchat), a notice (ntc:*), or a reply nobody waited for. */
export interface XccosEvent {
  /** grpchat, ntc or rpl: the element under <xccos>. */
  readonly kind: string;
  /** `grpchat`, `ntc:join`, `ntc:part`, `rpl:…`. */
  readonly id: string;
  /** The INFO's body (the whole <xccos> document). */
  readonly body: string;
  /** process.hrtime.bigint() when the TCP chunk that completed it arrived (before any parsing). */
  readonly at: bigint;
  /** The element under <xccos>, parsed on first use. */
  readonly element: XmlElement;
}

/** A reply (rpl:*) to one of our commands. */
export interface XccosReply {
  readonly id: string;
  readonly code: number;
  /** The <resp> text (SUCCESS_OK, or the reason). */
  readonly text: string;
  /** The reply's <data> element (empty when there was none). */
  readonly data: XmlElement;
  readonly body: string;
}

/** A dialog we opened with an INVITE (the lookup or the chat service). */
export interface SipDialog {
  readonly callId: string;
  readonly localTag: string;
  /** The To header with the server's tag, as the INVITE's 200 gave it. */
  remote: string;
  /** Where in-dialog requests go. */
  readonly target: string;
  cseq: number;
}

export interface SipClientOptions {
  readonly host?: string;
  readonly port: number;
  /** The pchat login, which is the SIP address: `alice@pchat.test`. */
  readonly login: string;
  readonly localAddress?: string;
  /** Replies and responses not answered within this time reject (default 10 s). */
  readonly timeoutMs?: number;
}

const SDP = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=session', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=message 5060 sip null', 'a=accept-types:text/plain', ''].join('\r\n');
const token = (bytes = 6): string => randomBytes(bytes).toString('hex');
const EMPTY: XmlElement = { name: 'data', attrs: {}, children: [], text: '' };

/** Reads the element under <xccos> by a regex (cheap, no XML parse): kind and id. */
const HEAD = /<xccos\b[^>]*>\s*<(\w+)\b[^>]*?\bid="([^"]*)"/;
/** A reply's command envid: `<commandid seqid=".." envid="N"/>`. */
const COMMAND_ENVID = /<commandid\b[^>]*\benvid="(\d+)"/;

export class SipClient {
  readonly login: string;
  readonly domain: string;
  readonly selfUri: string;
  /** The chat service's address, once openChat found it (from rpl:requri). */
  serviceUri = '';
  /** Live events are queued here unless `onEvent` takes them. */
  readonly events: XccosEvent[] = [];
  /** When set, every event goes here instead of the queue (a benchmark's receive path). */
  onEvent: ((event: XccosEvent) => void) | null = null;
  /** Requests the server sent (INFO…), answered with 200 before they are handed on. */
  serverRequests = 0;
  /** The requests the server sent other than INFO (BYE, BENOTIFY …), in order. */
  readonly otherRequests: SipRequest[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private readonly framer = new SipFramer(64 * 1024 * 1024);
  private readonly timeoutMs: number;
  private readonly fromTag = token();
  private readonly registerCallId = `${token(8)}@pchat-bench`;
  private registerCseq = 0;
  private nextEnvid = 1;
  private lookup: SipDialog | null = null;
  private service: SipDialog | null = null;
  private chunkAt = 0n;
  private readonly transactions = new Map<string, { resolve: (r: SipResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly replies = new Map<string, { resolve: (r: XccosReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private waiters: { match: (e: XccosEvent) => boolean; resolve: (e: XccosEvent) => void }[] = [];

  private constructor(
    readonly socket: Socket,
    options: SipClientOptions,
  ) {
    this.login = options.login.toLowerCase();
    this.domain = this.login.slice(this.login.lastIndexOf('@') + 1);
    this.selfUri = `sip:${this.login}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.chunkAt = process.hrtime.bigint();
      this.framer.push(chunk, (framed) => {
        if (framed.type === 'message') {
          if (framed.message.kind === 'response') this.onResponse(framed.message);
          else this.onRequest(framed.message);
        } else if (framed.type === 'bad') socket.destroy(new Error(`the server sent an unreadable message: ${framed.reason}`));
      });
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        const gone = new Error('SIP connection closed');
        for (const pending of [...this.transactions.values(), ...this.replies.values()]) {
          clearTimeout(pending.timer);
          pending.reject(gone);
        }
        this.transactions.clear();
        this.replies.clear();
        resolve();
      }),
    );
  }

  /** Opens the TCP connection (nothing is sent yet). */
  static connect(options: SipClientOptions): Promise<SipClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host ?? '127.0.0.1', port: options.port, ...(options.localAddress && { localAddress: options.localAddress }) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new SipClient(socket, options));
      });
    });
  }

  /** Connects, registers and opens the chat dialog: a client ready for commands. */
  static async signIn(options: SipClientOptions): Promise<SipClient> {
    const client = await SipClient.connect(options);
    try {
      const registered = await client.register();
      if (registered.status !== 200) throw new Error(`REGISTER ${options.login}: ${registered.status} ${registered.reason}`);
      await client.openChat();
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  // ---- SIP transactions

  private get via(): string {
    return `SIP/2.0/TCP ${this.socket.localAddress ?? '127.0.0.1'}:${this.socket.localPort ?? 0};branch=z9hG4bK${token(8)}`;
  }

  private get contact(): string {
    return `<sip:${this.login};transport=tcp>`;
  }

  /**
   * Sends a request and resolves with its final response (matched by Call-ID and CSeq).
   * `headers` come after Via, From, To, Call-ID, CSeq and Max-Forwards.
   */
  request(method: string, uri: string, options: { callId: string; cseq: number; from?: string; to: string; headers?: [string, string][]; body?: string | Buffer }): Promise<SipResponse> {
    const key = `${options.callId} ${options.cseq} ${method}`;
    const response = new Promise<SipResponse>((resolve, reject) => {
      if (this.closed) return reject(new Error('SIP connection closed'));
      const timer = setTimeout(() => {
        this.transactions.delete(key);
        reject(new Error(`no response to ${method} ${uri} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.transactions.set(key, { resolve, reject, timer });
    });
    this.write(
      serialize({
        method,
        uri,
        headers: [
          ['Via', this.via],
          ['Max-Forwards', '70'],
          ['From', options.from ?? `<${this.selfUri}>;tag=${this.fromTag}`],
          ['To', options.to],
          ['Call-ID', options.callId],
          ['CSeq', `${options.cseq} ${method}`],
          ['User-Agent', 'pchat-bench-sip/1'],
          ...(options.headers ?? []),
        ],
        ...(options.body !== undefined && { body: options.body }),
      }),
    );
    return response;
  }

  /** REGISTER (To = From = sip:<login>); resolves with the response, whatever its status. */
  register(expires = 900): Promise<SipResponse> {
    return this.request('REGISTER', `sip:${this.domain}`, {
      callId: this.registerCallId,
      cseq: ++this.registerCseq,
      to: `<${this.selfUri}>`,
      headers: [
        ['Contact', `${this.contact};+sip.instance="<urn:uuid:${randomUuid()}>"`],
        ['Expires', String(expires)],
        ['Supported', 'gruu-10, adhoclist, msrtc-event-categories'],
        ['Event', 'registration'],
      ],
    });
  }

  /** INVITE (with an SDP offer) and ACK: a dialog with `uri`. Throws unless the answer is 200. */
  async invite(uri: string): Promise<SipDialog> {
    const callId = `${token(10)}@pchat-bench`;
    const localTag = token();
    const response = await this.request('INVITE', uri, {
      callId,
      cseq: 1,
      from: `<${this.selfUri}>;tag=${localTag}`,
      to: `<${uri}>`,
      headers: [
        ['Contact', this.contact],
        ['Supported', 'ms-sender'],
        ['Content-Type', 'application/sdp'],
      ],
      body: SDP,
    });
    if (response.status !== 200) throw new Error(`INVITE ${uri}: ${response.status} ${response.reason}`);
    const to = header(response, 'to') ?? '';
    if (!paramOf(to, 'tag')) throw new Error(`INVITE ${uri}: the 200 has no To tag`);
    const dialog: SipDialog = { callId, localTag, remote: to, target: uri, cseq: 1 };
    // ACK carries the INVITE's CSeq number and expects no answer.
    this.write(
      serialize({
        method: 'ACK',
        uri,
        headers: [
          ['Via', this.via],
          ['Max-Forwards', '70'],
          ['From', `<${this.selfUri}>;tag=${localTag}`],
          ['To', to],
          ['Call-ID', callId],
          ['CSeq', '1 ACK'],
        ],
      }),
    );
    return dialog;
  }

  /** A request inside a dialog (INFO, BYE, UPDATE). */
  inDialog(dialog: SipDialog, method: string, body?: string | Buffer, headers: [string, string][] = []): Promise<SipResponse> {
    return this.request(method, dialog.target, {
      callId: dialog.callId,
      cseq: ++dialog.cseq,
      from: `<${this.selfUri}>;tag=${dialog.localTag}`,
      to: dialog.remote,
      headers: [...(body !== undefined ? ([['Content-Type', 'text/plain']] as [string, string][]) : []), ...headers],
      ...(body !== undefined && { body }),
    });
  }

  /**
   * The group chat sign-in: INVITE sip:ocschat@<domain>, cmd:requri there, BYE, then INVITE the
   * chat service it named. Commands and posts then go to that dialog.
   */
  async openChat(): Promise<void> {
    this.lookup = await this.invite(`sip:ocschat@${this.domain}`);
    const requri = await this.command('cmd:requri', '', this.lookup);
    if (requri.code !== 200) throw new Error(`cmd:requri: ${requri.code} ${requri.text}`);
    this.serviceUri = child(requri.data, 'uib')?.attrs.uri ?? '';
    if (!this.serviceUri) throw new Error(`cmd:requri named no service: ${requri.body}`);
    const bye = await this.inDialog(this.lookup, 'BYE');
    if (bye.status !== 200) throw new Error(`BYE of the lookup dialog: ${bye.status} ${bye.reason}`);
    this.lookup = null;
    this.service = await this.invite(this.serviceUri);
  }

  /** The open chat service dialog (throws before openChat). */
  get chatDialog(): SipDialog {
    if (!this.service) throw new Error('no chat dialog: call openChat() first');
    return this.service;
  }

  // ---- XCCOS

  /** The <xccos> envelope around one element, with the next envid. */
  envelope(inner: string): { envid: string; body: string } {
    const envid = String(this.nextEnvid++);
    return { envid, body: `<xccos ver="1" envid="${envid}" xmlns="${XCCOS_NS}">${inner}</xccos>` };
  }

  /**
   * Sends `<cmd id seqid="1"><data>…</data></cmd>` in an INFO and resolves with the rpl (matched
   * by the envid the server echoes in <commandid>). Rejects when the INFO itself is not answered 200.
   */
  async command(id: string, data = '', dialog: SipDialog = this.chatDialog): Promise<XccosReply> {
    const { envid, body } = this.envelope(`<cmd id="${escapeXml(id)}" seqid="1"><data>${data}</data></cmd>`);
    const reply = this.awaitReply(envid);
    const response = await this.inDialog(dialog, 'INFO', body);
    if (response.status !== 200) {
      this.replies.get(envid)?.reject(new Error(`INFO ${id}: ${response.status} ${response.reason}`));
      this.replies.delete(envid);
    }
    return reply;
  }

  /** Sends any INFO body in the chat dialog (malformed ones, and bytes that are not UTF-8, included); resolves with the SIP response. */
  info(body: string | Buffer, dialog: SipDialog = this.chatDialog): Promise<SipResponse> {
    return this.inDialog(dialog, 'INFO', body);
  }

  /** Resolves with the reply to the command sent with `envid` (used with info() for hand-made commands). */
  awaitReply(envid: string): Promise<XccosReply> {
    return new Promise<XccosReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(envid);
        reject(new Error(`no rpl to envid ${envid} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.replies.set(envid, { resolve, reject, timer });
    });
  }

  /** Posts a chat line (grpchat) to a room; resolves with the SIP response: 200 once stored, else the refusal. */
  post(chanUri: string, text: string): Promise<SipResponse> {
    const { body } = this.envelope(
      `<grpchat id="grpchat" seqid="1" chanUri="${escapeXml(chanUri)}" author="${escapeXml(this.selfUri)}"><chat>${escapeXml(text)}</chat></grpchat>`,
    );
    return this.inDialog(this.chatDialog, 'INFO', body);
  }

  /** The next event (already queued or future) that matches; rejects after `ms`. */
  next(match: (event: XccosEvent) => boolean = () => true, ms = this.timeoutMs): Promise<XccosEvent> {
    const i = this.events.findIndex(match);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0] as XccosEvent);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: XccosEvent) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.login}: no matching XCCOS event within ${ms} ms; queued: ${this.events.map((e) => e.id).join(', ') || 'none'}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  // ---- incoming

  private onResponse(response: SipResponse): void {
    const cseq = cseqOf(response);
    if (!cseq || response.status < 200) return;
    const key = `${header(response, 'call-id')} ${cseq.number} ${cseq.method}`;
    const pending = this.transactions.get(key);
    if (!pending) return;
    this.transactions.delete(key);
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  private onRequest(request: SipRequest): void {
    this.serverRequests++;
    // Every request from the server is answered 200, with its Via, From, To, Call-ID and CSeq.
    this.write(serialize({ status: 200, reason: 'OK', headers: responseHeaders(request, null) }));
    if (request.method !== 'INFO') this.otherRequests.push(request);
    if (request.method !== 'INFO' || request.body.length === 0) return;
    const body = request.body.toString('utf8');
    const head = HEAD.exec(body);
    if (!head) return;
    const [, kind = '', id = ''] = head;
    if (kind === 'rpl') {
      const envid = COMMAND_ENVID.exec(body)?.[1];
      const pending = envid === undefined ? undefined : this.replies.get(envid);
      if (pending && envid !== undefined) {
        this.replies.delete(envid);
        clearTimeout(pending.timer);
        pending.resolve(toReply(id, body));
        return;
      }
    }
    this.emit(new Event(kind, id, body, this.chunkAt));
  }

  private emit(event: XccosEvent): void {
    if (this.onEvent) return this.onEvent(event);
    const i = this.waiters.findIndex((w) => w.match(event));
    if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(event);
    else this.events.push(event);
  }

  /** Raw bytes to the server (tests use it for malformed input). */
  write(bytes: Buffer | string): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Ends the connection (the server leaves its rooms). */
  close(): void {
    if (this.closed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

/** An event whose element is parsed only when asked for (benchmarks read the raw body). */
class Event implements XccosEvent {
  private parsed: XmlElement | undefined;
  constructor(
    readonly kind: string,
    readonly id: string,
    readonly body: string,
    readonly at: bigint,
  ) {}

  get element(): XmlElement {
    this.parsed ??= parseXccos(this.body)?.children[0] ?? EMPTY;
    return this.parsed;
  }
}

function toReply(id: string, body: string): XccosReply {
  const rpl = parseXccos(body)?.children[0];
  const resp = child(rpl, 'resp');
  return { id, code: Number(resp?.attrs.code ?? NaN), text: resp?.text ?? '', data: child(rpl, 'data') ?? EMPTY, body };
}

// The client's own XML reader (same element shape as the server's src/protocols/sip/xml.ts), but
// decoding character references too (`&#13;`, `&#233;`), as Lync clients and libxml2 do: the server
// writes a line break as `&#13;` + LF.
const xmlParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: true });
type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toElement(node: Ordered): XmlElement | string | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name.startsWith('?') || name.startsWith('!')) return null;
  if (name === '#text') return String(node[name] ?? '');
  const children: XmlElement[] = [];
  let text = '';
  for (const item of (node[name] as Ordered[] | undefined) ?? []) {
    const converted = toElement(item);
    if (typeof converted === 'string') text += converted;
    else if (converted) children.push(converted);
  }
  return { name, attrs: { ...(node[':@'] ?? {}) }, children, text };
}

/** Parses one XCCOS document; null when it is not well-formed XML. */
export function parseXccos(body: string): XmlElement | null {
  try {
    const roots = (xmlParser.parse(body) as Ordered[]).map(toElement).filter((n): n is XmlElement => typeof n === 'object' && n !== null);
    return roots[0] ?? null;
  } catch {
    return null;
  }
}

function randomUuid(): string {
  const h = token(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
