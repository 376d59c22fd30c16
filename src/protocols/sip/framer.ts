import { parseMessage, type SipMessage, SipParseError } from './message.js';

/** What the framer hands out: a message, a keep-alive ping, or a fatal framing error. */
export type Framed =
  | { readonly type: 'message'; readonly message: SipMessage }
  | { readonly type: 'ping' }
  | { readonly type: 'bad'; readonly reason: string; readonly fatal: boolean; readonly partial: string | null };

const HEAD_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
/** Headers alone beyond this are refused before any body is awaited. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Splits a stream (TCP or TLS) into SIP messages (RFC 3261 §18.3): the head ends at the first
 * blank line, and Content-Length, mandatory on a stream, says how long the body is. A CRLFCRLF
 * between messages is a keep-alive ping (RFC 5626 §3.5.1), answered with a CRLF. After a
 * framing error the stream cannot be resynchronised, so such errors are fatal.
 */
export class SipFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer, out: (framed: Framed) => void): void {
    if (this.failed) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      // Leading CRLFs: keep-alives. A double one is a ping that wants a pong.
      let skip = 0;
      while (this.buffer[skip] === 0x0d && this.buffer[skip + 1] === 0x0a) skip += 2;
      if (skip > 0) {
        if (skip >= 4) out({ type: 'ping' });
        this.buffer = this.buffer.subarray(skip);
      }
      if (this.buffer.length === 0) {
        // An empty view would still pin the last chunk read: drop it.
        this.buffer = EMPTY;
        return;
      }
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buffer.length > Math.min(MAX_HEAD_BYTES, this.maxMessageBytes)) return this.fail(out, `The message head exceeds ${Math.min(MAX_HEAD_BYTES, this.maxMessageBytes)} bytes.`, null);
        return;
      }
      const head = this.buffer.subarray(0, end).toString('utf8');
      const lengthValue = /^(?:content-length|l)[ \t]*:[ \t]*(.*)$/im.exec(head)?.[1]?.trim();
      if (lengthValue === undefined) return this.fail(out, 'Content-Length is mandatory on a stream transport.', head);
      if (!/^\d{1,10}$/.test(lengthValue)) return this.fail(out, `Malformed Content-Length "${lengthValue.slice(0, 20)}".`, head);
      const length = Number(lengthValue);
      if (end + 4 + length > this.maxMessageBytes) return this.fail(out, `The message (${end + 4 + length} bytes) exceeds the limit of ${this.maxMessageBytes} bytes.`, head);
      if (this.buffer.length < end + 4 + length) return;
      const body = Buffer.from(this.buffer.subarray(end + 4, end + 4 + length));
      this.buffer = this.buffer.subarray(end + 4 + length);
      try {
        out({ type: 'message', message: parseMessage(head, body) });
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error;
        // The length was known, so the stream is still in step: only this message is lost.
        out({ type: 'bad', reason: error.message, fatal: false, partial: head });
      }
    }
  }

  private fail(out: (framed: Framed) => void, reason: string, head: string | null): void {
    this.failed = true;
    this.buffer = Buffer.alloc(0);
    out({ type: 'bad', reason, fatal: true, partial: head });
  }
}
