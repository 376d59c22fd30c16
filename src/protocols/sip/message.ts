/**
 * SIP messages (RFC 3261 §7): parsing a complete message, serialising one, and the header
 * helpers the endpoint needs. Framing a byte stream into messages is framer.ts's job.
 */

export interface SipHeader {
  readonly name: string;
  readonly value: string;
}

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** Why a message could not be parsed; the endpoint answers 400 with this text. */
export class SipParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipParseError';
  }
}

/** RFC 3261 §7.3.3 compact forms, and the canonical spelling we write. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
};

const canonical = (name: string): string => {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
};

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_HEADERS = 128;

/** Parses the head (start line and headers, without the blank line) and attaches the body. */
export function parseMessage(head: string, body: Buffer): SipMessage {
  const lines = head.split('\r\n');
  const start = lines[0] ?? '';
  const headers: SipHeader[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Folded continuation of the previous header (RFC 3261 §7.3.1).
      const last = headers.pop();
      if (!last) throw new SipParseError('A header line starts with whitespace but follows no header.');
      headers.push({ name: last.name, value: `${last.value} ${line.trim()}` });
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`Malformed header line (no name before a colon): "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim();
    if (!TOKEN.test(name)) throw new SipParseError(`Malformed header name "${name.slice(0, 60)}".`);
    headers.push({ name, value: line.slice(colon + 1).trim() });
    if (headers.length > MAX_HEADERS) throw new SipParseError(`More than ${MAX_HEADERS} headers.`);
  }
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  let message: SipMessage;
  if (response) {
    message = { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  } else {
    const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
    if (!request) throw new SipParseError(`Malformed start line "${start.slice(0, 80)}": expected "METHOD uri SIP/2.0" or "SIP/2.0 code reason".`);
    message = { kind: 'request', method: (request[1] as string).toUpperCase(), uri: request[2] as string, headers, body };
  }
  for (const required of ['call-id', 'cseq', 'from', 'to', 'via']) {
    if (!header(message, required)) throw new SipParseError(`Missing mandatory header ${required === 'call-id' ? 'Call-ID' : required === 'cseq' ? 'CSeq' : required[0]?.toUpperCase() + required.slice(1)}.`);
  }
  if (!cseqOf(message)) throw new SipParseError(`Malformed CSeq "${header(message, 'cseq')}": expected "<number> <METHOD>".`);
  return message;
}

/** The first value of a header (compact forms included), or undefined. */
export function header(message: { headers: readonly SipHeader[] }, name: string): string | undefined {
  const wanted = canonical(name);
  return message.headers.find((h) => canonical(h.name) === wanted)?.value;
}

/** Every value of a header, in order (comma-separated values are not split). */
export function headers(message: { headers: readonly SipHeader[] }, name: string): string[] {
  const wanted = canonical(name);
  return message.headers.filter((h) => canonical(h.name) === wanted).map((h) => h.value);
}

export function cseqOf(message: SipMessage): { number: number; method: string } | null {
  const match = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(header(message, 'cseq') ?? '');
  return match ? { number: Number(match[1]), method: (match[2] as string).toUpperCase() } : null;
}

/** The URI inside a name-addr (`"Alice" <sip:a@b>;tag=x`) or an addr-spec (`sip:a@b;tag=x`). */
export function uriOf(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  if (angle) return (angle[1] as string).trim();
  return (value.split(';')[0] ?? '').trim();
}

/** A header parameter outside the URI's angle brackets, e.g. `tag` of From. */
export function paramOf(value: string, name: string): string | undefined {
  const after = value.includes('>') ? value.slice(value.lastIndexOf('>') + 1) : value.slice(value.indexOf(';'));
  for (const part of after.split(';')) {
    const [key, ...rest] = part.split('=');
    if (key?.trim().toLowerCase() === name.toLowerCase()) return rest.join('=').trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** `user@host` of a sip: URI (no scheme, no parameters), lowercased; null when it is not one. */
export function addressOf(uri: string): string | null {
  const match = /^sips?:([^;?>]+)/i.exec(uri.trim());
  if (!match) return null;
  const address = (match[1] as string).replace(/:\d+$/, '');
  return address.includes('@') ? address.toLowerCase() : null;
}

export interface OutgoingRequest {
  method: string;
  uri: string;
  headers: [string, string][];
  body?: string | Buffer;
}

export interface OutgoingResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body?: string | Buffer;
}

/** Serialises with a correct Content-Length (any given one is replaced). */
export function serialize(message: OutgoingRequest | OutgoingResponse): Buffer {
  const body = message.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body, 'utf8');
  const start = 'method' in message ? `${message.method} ${message.uri} SIP/2.0` : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const [name, value] of message.headers) {
    if (name.toLowerCase() === 'content-length') continue;
    // A CR or LF in a value would let it forge headers: they never reach the wire.
    lines.push(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`);
  }
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

/**
 * The headers a response copies from its request (RFC 3261 §8.2.6.2): every Via, From, To (with
 * our tag added when it has none), Call-ID and CSeq.
 */
export function responseHeaders(request: SipRequest, toTag: string | null): [string, string][] {
  const out: [string, string][] = [];
  for (const h of request.headers) {
    const name = canonical(h.name);
    if (name === 'via') out.push(['Via', h.value]);
  }
  out.push(['From', header(request, 'from') ?? '']);
  const to = header(request, 'to') ?? '';
  out.push(['To', toTag && paramOf(to, 'tag') === undefined ? `${to};tag=${toTag}` : to]);
  out.push(['Call-ID', header(request, 'call-id') ?? '']);
  out.push(['CSeq', header(request, 'cseq') ?? '']);
  return out;
}
