import type { Socket } from 'node:net';
import { decodeUtf8Marked } from '../text.js';
import { MAX_BODY_BYTES } from './parser.js';

// Which capability a tag needs; client-only tags (+…) need message-tags.
const TAG_CAPS: Record<string, string> = { time: 'server-time', msgid: 'message-tags', account: 'account-tag', batch: 'batch', label: 'labeled-response' };

/** The tags a client negotiated, out of those a line carries (undefined when none are left). */
export function negotiatedTags(tags: Record<string, string> | undefined, caps: ReadonlySet<string>): Record<string, string> | undefined {
  let kept: Record<string, string> | undefined;
  if (tags) {
    for (const [key, value] of Object.entries(tags)) {
      const cap = key.startsWith('+') ? 'message-tags' : TAG_CAPS[key];
      if (cap && caps.has(cap)) (kept ??= {})[key] = value;
    }
  }
  return kept;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A received line as text. Invalid UTF-8 is flagged, and its bytes are carried as lone
 * surrogates (protocols/text.ts), never replaced, so the application can refuse the text.
 */
export function decodeLine(bytes: Buffer): { text: string; validUtf8: boolean } {
  try {
    return { text: decoder.decode(bytes), validUtf8: true };
  } catch {
    return { text: decodeUtf8Marked(bytes), validUtf8: false };
  }
}

/** A safety net for lines we build: cut the last parameter so the body stays within 510 bytes. */
export function fit(line: string): string {
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

/**
 * A connection's outgoing lines, gathered over one turn of the event loop (a commit batch, a
 * history replay, NAMES) and written with one system call. Live messages arrive as bytes
 * rendered once for all their recipients (events.ts), so a delivery costs a push here and its
 * share of one copy, not a `socket.write` and an encoding of its own.
 */
export class LineOutput {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly flushSoon = () => this.flush();

  constructor(private readonly socket: Socket) {}

  /** Bytes written but not yet taken by the client: waiting here or in the socket. */
  get queuedBytes(): number {
    return this.bytes + this.socket.writableLength;
  }

  /** One line, without its CRLF. */
  line(text: string): void {
    this.push(Buffer.from(`${text}\r\n`));
  }

  /** Whole lines, each ending in CRLF. The buffer is shared, never changed afterwards. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushSoon);
    }
  }

  /** Writes what is gathered now (before the socket is ended, say). */
  flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    if (this.socket.writable) this.socket.write(data);
  }
}
