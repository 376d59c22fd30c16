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
