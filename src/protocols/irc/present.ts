import { DOOR_CLIENT_ID_PREFIX, type FileInfo, type Message } from '../../core/model.js';
import { plainText } from '../../core/richText.js';
import type { Snapshot } from '../../app/directory.js';
import { fileSummary, formatSize, replyQuote } from '../present.js';
import { MAX_BODY_BYTES } from './parser.js';

/**
 * Presenters between pchat text and IRC text. IRC carries one line of at most 512 bytes per
 * message; pchat messages can be stories with a title and many lines. Nothing is lost on the
 * way out: every line is split on character boundaries (at a space when there is one).
 */

// mIRC formatting: bold, italics, underline, strike, monospace, reverse, reset, and colours
// with their digits. pchat rejects control characters, so formatting cannot be stored.
// eslint-disable-next-line no-control-regex
const FORMATTING = /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** What a PRIVMSG/NOTICE text becomes in pchat: null for CTCP requests, which are not chat. */
export function textFromIrc(text: string): string | null {
  // CTCP ACTION (/me) is stored as the "/me " convention, and comes back out as ACTION.
  // eslint-disable-next-line no-control-regex
  const action = /^\x01ACTION(?: (.*?))?\x01?$/s.exec(text);
  if (action) return `/me ${(action[1] ?? '').replace(FORMATTING, '').replace(OTHER_CONTROLS, '')}`;
  if (text.startsWith('\x01')) return null;
  return text.replace(FORMATTING, '').replace(OTHER_CONTROLS, '');
}

/**
 * Splits one line into pieces of at most `budget` UTF-8 bytes, never inside a character,
 * breaking after the last space that leaves a piece at least half full.
 */
export function splitLine(line: string, budget: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > budget) {
    let bytes = 0;
    let cut = 0;
    let lastSpace = -1;
    for (const ch of rest) {
      const size = Buffer.byteLength(ch);
      if (bytes + size > budget) break;
      bytes += size;
      cut += ch.length;
      if (ch === ' ' && bytes >= budget / 2) lastSpace = cut;
    }
    if (cut === 0) cut = [...rest][0]?.length ?? 1; // a budget below one character: still progress
    const at = lastSpace > 0 ? lastSpace : cut;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "[2024-05-01 09:30 UTC] ": replayed history for clients that cannot take server-time. */
export function timePrefix(at: number): string {
  const d = new Date(at);
  return `[${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC] `;
}

/**
 * A file post as one IRC line: `[file] report.pdf (1.2 MB) https://chat.example.com/api/v1/files/12/report.pdf`.
 * The link is absolute (`baseUrl` is http.publicUrl) and works in a browser signed in to the web
 * client; when the line would not fit `budget`, the link leaves out the (cosmetic) name.
 */
export function fileLine(file: Pick<FileInfo, 'id' | 'name' | 'size'>, baseUrl: string, budget = MAX_BODY_BYTES): string {
  const line = fileSummary(file, baseUrl);
  return Buffer.byteLength(line) <= budget ? line : `[file] ${file.name} (${formatSize(file.size)}) ${baseUrl}/api/v1/files/${file.id}`;
}

/**
 * The text lines of one pchat message, each within `budget` bytes: a story's title first (in
 * bold), then every non-empty line of the text, split to fit. A one-line "/me …" message
 * becomes a CTCP ACTION when it fits. `prefix` goes before every line (e.g. a time stamp).
 * A file post ends with its file line (see fileLine), after the caption if it has one. Links
 * carried inline as `[label](url)` become `label (url)`. A reply's `quote` of its parent comes first.
 */
export function messageLines(message: Pick<Message, 'kind' | 'title' | 'text' | 'file'>, budget: number, prefix = '', baseUrl = '', quote: string | null = null): string[] {
  const room = Math.max(16, budget - Buffer.byteLength(prefix));
  // A reply starts with a one-line quote of its parent (core/replies.ts), as IRC users write them.
  if (quote !== null) return [prefix + (splitLine(quote, room)[0] ?? ''), ...messageLines(message, budget, prefix, baseUrl)];
  const file = message.file ?? null;
  // Without a caption, a file post's text is the file's name, which the file line shows anyway.
  // An inline link `[label](url)` reads `label (url)` on IRC (core/richText.ts).
  const text = file && message.text === file.name ? '' : plainText(message.text);
  if (!file && message.kind === 'text' && text.startsWith('/me ') && !text.includes('\n')) {
    const action = `\x01ACTION ${prefix}${text.slice(4)}\x01`;
    if (Buffer.byteLength(action) <= budget) return [action];
  }
  const lines: string[] = [];
  if (message.kind === 'story' && message.title) for (const piece of splitLine(message.title, room - 2)) lines.push(`${prefix}\x02${piece}\x02`);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // One word goes on the wire without the ':' the budget counts: a byte more fits. So any line
    // an IRC client could send and see relayed (commands/messaging.ts) comes back whole.
    if (prefix === '' && Buffer.byteLength(line) === room + 1 && !line.includes(' ') && !line.startsWith(':')) lines.push(line);
    else for (const piece of splitLine(line, room)) lines.push(prefix + piece);
  }
  if (file) for (const piece of splitLine(fileLine(file, baseUrl, room), room)) lines.push(prefix + piece);
  return lines;
}

/**
 * The quote line a reply starts with on IRC (core/replies.ts), or null. A reply an IRC client
 * posted with `+draft/reply` reads as it was written, as on any IRC server: its tag is its
 * context for clients that take tags; replies from elsewhere (the web, an import) are quoted.
 */
export const ircReplyQuote = (m: Message, snapshot: Snapshot | null): string | null =>
  m.clientId?.startsWith(DOOR_CLIENT_ID_PREFIX) ? null : replyQuote(m, snapshot);

/** The IRC command a message is shown with: a notice stays a NOTICE. */
export const ircCommandOf = (m: Pick<Message, 'kind'>): 'PRIVMSG' | 'NOTICE' => (m.kind === 'notice' ? 'NOTICE' : 'PRIVMSG');

/** Bytes left for the text of `:<source> <COMMAND> <target> :<text>` within one line. */
export function textBudget(source: string, command: string, target: string): number {
  return MAX_BODY_BYTES - Buffer.byteLength(`:${source} ${command} ${target} :`);
}

/** msgid of the n-th IRC line of a pchat message: "<message id>-<seq>" then "-<n>" after the first. */
export const msgidOf = (m: Pick<Message, 'id' | 'seq'>, line = 0): string => (line === 0 ? `${m.id}-${m.seq}` : `${m.id}-${m.seq}-${line}`);

/**
 * The IRCv3 client tag a reply carries for clients that negotiated message-tags: `+draft/reply`
 * with its parent's msgid, so a client that shows replies itself can (undefined when not a reply,
 * or its parent was removed).
 */
export const replyTagOf = (m: Message): Record<string, string> | undefined =>
  m.replyTo && m.replyTo.seq !== null ? { '+draft/reply': msgidOf({ id: m.replyTo.id, seq: m.replyTo.seq }) } : undefined;

/** The seq a msgid refers to, or null when it is not one of ours. */
export function seqOfMsgid(msgid: string): number | null {
  const m = /^\d+-(\d+)(?:-\d+)?$/.exec(msgid);
  return m ? Number(m[1]) : null;
}

/** IRCv3 server-time format: ISO 8601 UTC with milliseconds. */
export const serverTime = (at: number): string => new Date(at).toISOString();

/** Descriptions may hold line breaks; a topic is one line. */
export const topicText = (description: string): string => description.replace(/\r?\n|\r/g, ' ');
