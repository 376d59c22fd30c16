import { PchatError } from '../../../core/errors.js';
import { child, element, type XmlElement, parseXml } from '../xml.js';

/**
 * XCCOS envelopes ([MS-XCCOSIP]): every group chat exchange is an INFO whose text/plain body
 * is `<xccos ver="1" envid="N" xmlns="urn:parlano:xml:ns:xccos">` around one command (`cmd`),
 * reply (`rpl`), notice (`ntc`) or chat message (`grpchat`).
 */
export const XCCOS_NS = 'urn:parlano:xml:ns:xccos';

export type Incoming =
  | { readonly kind: 'cmd'; readonly envid: string; readonly id: string; readonly seqid: string; readonly data: XmlElement | undefined }
  | { readonly kind: 'grpchat'; readonly envid: string; readonly seqid: string; readonly chanUri: string; readonly text: string }
  | { readonly kind: 'bad'; readonly envid: string; readonly id: string | null; readonly seqid: string; readonly reason: string };

const numeric = (value: string | undefined): string => (value !== undefined && /^\d{1,20}$/.test(value) ? value : '0');

/** Reads an INFO body; anything that is not a usable XCCOS document comes back as `bad`, with the reason. */
export function parseEnvelope(body: string): Incoming {
  const root = parseXml(body);
  if (!root || root.name !== 'xccos') return { kind: 'bad', envid: '0', id: null, seqid: '0', reason: 'The body is not an <xccos> document.' };
  const envid = numeric(root.attrs.envid);
  const inner = root.children[0];
  if (!inner) return { kind: 'bad', envid, id: null, seqid: '0', reason: 'The <xccos> envelope is empty.' };
  const seqid = numeric(inner.attrs.seqid);
  if (inner.name === 'cmd') {
    const id = inner.attrs.id;
    if (!id || !/^cmd:[A-Za-z]{1,40}$/.test(id)) return { kind: 'bad', envid, id: null, seqid, reason: 'A <cmd> needs an id of the form cmd:<name>.' };
    return { kind: 'cmd', envid, id, seqid, data: child(inner, 'data') };
  }
  if (inner.name === 'grpchat') {
    const chanUri = inner.attrs.chanUri;
    const chat = child(inner, 'chat');
    if (!chanUri || !chat) return { kind: 'bad', envid, id: 'grpchat', seqid, reason: 'A <grpchat> needs a chanUri and a <chat> element.' };
    return { kind: 'grpchat', envid, seqid, chanUri, text: chat.text };
  }
  return { kind: 'bad', envid, id: inner.attrs.id ?? null, seqid, reason: `<${inner.name}> is not something a client sends.` };
}

/** Numbers our envelopes; one per dialog side, as the protocol wants. */
export class EnvelopeWriter {
  private next = 1;

  wrap(inner: string): string {
    return `<xccos ver="1" envid="${this.next++}" xmlns="${XCCOS_NS}">${inner}</xccos>`;
  }
}

/** XCCOS result codes and the text clients show (sipe shows the text in its error dialog). */
export class XccosError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'XccosError';
  }
}

/** A reply to a command: `rpl:<name>` with the command's seqid and envid. */
export function reply(command: { id: string; seqid: string; envid: string }, result: { code: number; text: string }, data: string): string {
  const id = command.id.replace(/^cmd:/, 'rpl:');
  return element('rpl', { id, seqid: command.seqid }, element('commandid', { seqid: command.seqid, envid: command.envid }) + element('resp', { code: result.code }, escapeText(result.text)) + `<data>${data}</data>`);
}

/** A notice (ntc:join, ntc:part …), unsolicited. */
export function notice(id: string, data: string): string {
  return element('ntc', { id, seqid: 1 }, `<data>${data}</data>`);
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Domain errors as XCCOS result codes (the message is the one every door gives). */
export function xccosErrorOf(error: unknown): XccosError | null {
  if (error instanceof XccosError) return error;
  if (!(error instanceof PchatError) || !error.expose) return null;
  const code: Partial<Record<PchatError['code'], number>> = {
    invalid_input: 400,
    invalid_name: 400,
    too_large: 413,
    unauthenticated: 401,
    not_permitted: 403,
    not_found: 404,
    room_not_found: 404,
    room_disabled: 404,
    read_only: 503,
    decommissioned: 503,
    rate_limited: 429,
  };
  return new XccosError(code[error.code] ?? 400, error.message);
}
