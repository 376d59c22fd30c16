/**
 * One IRC line in and out: IRCv3 message tags (with value escaping), source, command and
 * parameters, as modern.ircdocs.horse and ircv3.net/specs/extensions/message-tags define them.
 * Framing (where a line ends) and length limits live here too, so the session only sees
 * whole, bounded lines.
 */

export interface IrcMessage {
  readonly tags: Readonly<Record<string, string>>;
  readonly source: string | null;
  readonly command: string;
  readonly params: readonly string[];
}

/** The body of a line (source, command, params) without tags and CRLF: 512 bytes minus CRLF. */
export const MAX_BODY_BYTES = 510;
/** The tag section including the leading '@' and the space after it. */
export const MAX_TAG_BYTES = 8191;
/**
 * What a client may send of it: 4094 bytes of tag data, 4096 with the '@' and the space
 * (message-tags, "Size limit"); the rest of the 8191 is the server's, for the tags it adds.
 */
export const MAX_CLIENT_TAG_BYTES = 4096;

/** The bytes of a line's tag section, '@' and the space after it included (0 without tags). */
export function tagSectionBytes(line: string): number {
  if (!line.startsWith('@')) return 0;
  const space = line.indexOf(' ');
  return Buffer.byteLength(space === -1 ? line : line.slice(0, space + 1));
}
/** RFC 1459: at most 15 parameters. Extra words join the last one rather than being dropped. */
export const MAX_PARAMS = 15;

export type ParseResult =
  | { readonly ok: true; readonly message: IrcMessage }
  | { readonly ok: false; readonly reason: 'empty' | 'too_long' | 'malformed'; readonly command?: string; readonly tags?: Readonly<Record<string, string>> };

const TAG_ESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function unescapeTagValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    // A trailing lone backslash is dropped; an unknown escape stands for the character itself.
    if (next !== undefined) out += TAG_ESCAPES[next] ?? next;
  }
  return out;
}

export function escapeTagValue(value: string): string {
  return value.replace(/[\\; \r\n]/g, (c) => ({ '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' })[c] as string);
}

const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
const COMMAND = /^(?:[A-Za-z]+|\d{3})$/;

function parseTags(section: string): Record<string, string> | null {
  const tags: Record<string, string> = {};
  for (const item of section.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (!TAG_KEY.test(key)) return null;
    // Later duplicates win, as the spec says.
    tags[key] = eq === -1 ? '' : unescapeTagValue(item.slice(eq + 1));
  }
  return tags;
}

/**
 * Parses one line (without its line ending). Byte limits are checked on the UTF-8 form:
 * 8191 bytes for the tag section, 510 for the rest.
 */
export function parseLine(line: string): ParseResult {
  let rest = line;
  let tags: Record<string, string> = {};
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    const section = space === -1 ? rest : rest.slice(0, space + 1);
    if (Buffer.byteLength(section) > MAX_TAG_BYTES) return { ok: false, reason: 'too_long' };
    if (space === -1) return { ok: false, reason: 'malformed' };
    const parsed = parseTags(rest.slice(1, space));
    rest = rest.slice(space + 1).replace(/^ +/, '');
    if (Buffer.byteLength(rest) > MAX_BODY_BYTES) return { ok: false, reason: 'too_long', ...(parsed && { tags: parsed }) };
    if (!parsed) return { ok: false, reason: 'malformed', ...commandOf(rest) };
    tags = parsed;
  } else {
    if (Buffer.byteLength(rest) > MAX_BODY_BYTES) return { ok: false, reason: 'too_long' };
    rest = rest.replace(/^ +/, '');
  }
  let source: string | null = null;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space === -1) return { ok: false, reason: 'malformed' };
    source = rest.slice(1, space);
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  if (rest === '') return { ok: false, reason: source === null && Object.keys(tags).length === 0 ? 'empty' : 'malformed', ...(Object.keys(tags).length > 0 && { tags }) };
  let trailing: string | null = null;
  const colon = rest.startsWith(':') ? 0 : rest.indexOf(' :');
  if (colon !== -1) {
    trailing = rest.slice(colon === 0 ? 1 : colon + 2);
    rest = rest.slice(0, colon);
  }
  const words = rest.split(' ').filter((w) => w !== '');
  const command = words.shift();
  if (command === undefined || !COMMAND.test(command)) return { ok: false, reason: 'malformed', ...(Object.keys(tags).length > 0 && { tags }), ...(command !== undefined && { command }) };
  if (trailing !== null) words.push(trailing);
  if (words.length > MAX_PARAMS) {
    // Keep every byte: the surplus becomes part of the last parameter.
    const last = words.splice(MAX_PARAMS - 1).join(' ');
    words.push(last);
  }
  return { ok: true, message: { tags, source, command: command.toUpperCase(), params: words } };
}

function commandOf(body: string): { command?: string } {
  const word = body.replace(/^:\S* +/, '').split(' ')[0];
  return word && COMMAND.test(word) ? { command: word.toUpperCase() } : {};
}

// CR, LF and NUL would end or corrupt the line on the wire: never let them through.
const unsafe = (value: string): string => value.replace(/[\r\n\0]/g, ' ');

/**
 * Serialises a message without the line ending. Only the last parameter may contain spaces
 * or start with ':'; an empty or unsafe middle parameter is a programming error, so it is
 * made safe rather than allowed to split the line.
 */
export function serialize(message: { tags?: Readonly<Record<string, string>> | undefined; source?: string | null | undefined; command: string; params?: readonly string[] }): string {
  let out = '';
  const tags = message.tags ? Object.entries(message.tags) : [];
  if (tags.length > 0) out += '@' + tags.map(([k, v]) => (v === '' ? k : `${k}=${escapeTagValue(v)}`)).join(';') + ' ';
  if (message.source) out += `:${unsafe(message.source)} `;
  out += message.command;
  const params = message.params ?? [];
  params.forEach((p, i) => {
    const value = unsafe(p);
    const last = i === params.length - 1;
    if (last && takesColon(value)) out += ` :${value}`;
    else out += ` ${last ? value : value.replace(/ /g, '_').replace(/^:/, '_') || '*'}`;
  });
  return out;
}

/** Whether a last parameter (made safe) is written with its ':'. */
const takesColon = (value: string): boolean => value === '' || value.includes(' ') || value.startsWith(':');

/**
 * The body of a serialised line (no tags), in bytes, for length budgets: what
 * `Buffer.byteLength(serialize(message))` gives, counted without building the line (the relay
 * check of every PRIVMSG). Making a value safe and a middle parameter one word keeps its bytes.
 */
export function bodyBytes(message: { source?: string | null; command: string; params?: readonly string[] }): number {
  let bytes = (message.source ? Buffer.byteLength(message.source) + 2 : 0) + Buffer.byteLength(message.command);
  const params = message.params ?? [];
  params.forEach((p, i) => {
    if (i < params.length - 1) bytes += 1 + (p === '' ? 1 : Buffer.byteLength(p));
    else bytes += (takesColon(unsafe(p)) ? 2 : 1) + Buffer.byteLength(p);
  });
  return bytes;
}

/**
 * Cuts a byte stream into lines. CR, LF and CRLF all end a line (as common servers accept);
 * empty lines are skipped. A line that grows past the limits without ending is reported once
 * as too long and then discarded up to its end, so memory per connection stays bounded.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  static readonly MAX_LINE_BYTES = MAX_TAG_BYTES + MAX_BODY_BYTES + 2;

  /** Calls `line` for each complete line and `tooLong` once per overlong line. */
  push(chunk: Buffer, line: (bytes: Buffer) => void, tooLong: () => void): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== 0x0a && b !== 0x0d) continue;
      const piece = chunk.subarray(start, i);
      start = i + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const whole = this.pendingBytes > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      if (whole.length > LineSplitter.MAX_LINE_BYTES) tooLong();
      else if (whole.length > 0) line(whole);
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.subarray(start);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
      if (this.pendingBytes > LineSplitter.MAX_LINE_BYTES) {
        this.pending = [];
        this.pendingBytes = 0;
        this.discarding = true;
        tooLong();
      }
    }
  }
}
