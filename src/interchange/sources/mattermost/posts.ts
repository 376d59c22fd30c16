import type { FileRecord, MessageRecord } from '../../archive/records.js';
import { reactionRecords } from '../emoji.js';

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : []);

/** What the posts hold that the notes count (filled by the first pass). */
export interface PostCounts {
  /** Posts and replies the start date leaves out that would be imported without it. */
  olderThanStart: number;
  replies: number;
  /** Replies whose post is not imported (older than the start date, or a system message) or is younger than they are. */
  orphanReplies: number;
  edited: number;
  /** Reactions the records carry (settled once the first pass knows every author: scan.ts). */
  reactions: number;
  /** Reactions left out: of users no line names and who wrote nothing imported, or naming no emoji or no user. */
  reactionsDropped: number;
  flagged: number;
  pinned: number;
  attachmentsAsText: number;
  /** Attachments past a post's first, each imported as one more message right after it. */
  extraAttachments: number;
  /** Per room key: system message type → count (not imported). */
  readonly events: Map<string, Map<string, number>>;
  readonly unknownImported: Map<string, number>;
  readonly unknownDropped: Map<string, number>;
}

export const emptyCounts = (): PostCounts => ({
  olderThanStart: 0, replies: 0, orphanReplies: 0, edited: 0, reactions: 0, reactionsDropped: 0, flagged: 0, pinned: 0, attachmentsAsText: 0, extraAttachments: 0,
  events: new Map(), unknownImported: new Map(), unknownDropped: new Map(),
});
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** A post's (or reply's) words: its message, else its integration attachments' text. */
function wordsOf(item: Json): { text: string; fromAttachments: boolean } {
  const message = typeof item.message === 'string' ? item.message : '';
  if (message !== '') return { text: message, fromAttachments: false };
  const props = (typeof item.props === 'object' && item.props !== null ? item.props : {}) as Json;
  const text = list(props.attachments)
    .map((a) => [a.pretext, a.title, a.text ?? a.fallback].filter((t) => typeof t === 'string' && t !== '').join('\n'))
    .filter(Boolean)
    .join('\n');
  return { text, fromAttachments: text !== '' };
}

/**
 * How a post or reply is imported: `text` (a post, `type` empty), `me` (a /me post), `notice` (a
 * type pchat does not know, with words or files), or null, counted as what it is: a system message
 * (`system_*`: joins, leaves, header changes …, counted per room) or an unknown type without
 * words. What an imported one carries is counted by `countCarried`, once it is known to be
 * imported (a post the start date leaves out is counted by nothing it carries).
 */
export function classify(item: Json, room: string, counts: PostCounts | null): 'text' | 'me' | 'notice' | null {
  const type = typeof item.type === 'string' ? item.type : '';
  const kind: 'text' | 'me' | 'notice' = type === '' ? 'text' : type === 'me' ? 'me' : 'notice';
  const words = wordsOf(item);
  if (type.startsWith('system_')) {
    if (counts) {
      let byType = counts.events.get(room);
      if (!byType) counts.events.set(room, (byType = new Map()));
      bump(byType, type);
    }
    return null;
  }
  if (kind === 'notice' && words.text === '' && list(item.attachments).length === 0) {
    if (counts) bump(counts.unknownDropped, type);
    return null;
  }
  return kind;
}

/** Counts what an imported post or reply (of `kind`, as `classify` gave it) carries, but its extra attachments (scan.ts counts those). */
export function countCarried(item: Json, kind: 'text' | 'me' | 'notice', counts: PostCounts): void {
  if (kind === 'notice') bump(counts.unknownImported, typeof item.type === 'string' ? item.type : '');
  if (wordsOf(item).fromAttachments) counts.attachmentsAsText += 1;
  if (typeof item.edit_at === 'number' && item.edit_at > 0) counts.edited += 1;
  if (Array.isArray(item.flagged_by) && item.flagged_by.length > 0) counts.flagged += 1;
  if (item.is_pinned === true) counts.pinned += 1;
}

/** The attachments a post's messages carry: those with a path (one without names no file). */
export const attachmentsOf = (item: Json): Json[] => list(item.attachments).filter((a) => typeof a.path === 'string' && a.path !== '');

/** A post's reactions by emoji name and user, as its message carries them; `malformed`: entries naming no emoji or no user. */
export function namedReactions(item: Json): { named: { name: string; users: string[] }[]; malformed: number } {
  const all = list(item.reactions);
  const named = all.filter((r) => typeof r.emoji_name === 'string' && typeof r.user === 'string').map((r) => ({ name: r.emoji_name as string, users: [r.user as string] }));
  return { named, malformed: all.length - named.length };
}

export interface PostContext {
  readonly room: string;
  /** The user id a username is (the same, when the export lists them). */
  readonly known: (user: string) => boolean;
  /** An attachment's file record (hashed before the first message), null when the export lacks it. */
  readonly attachment: (path: string) => FileRecord | null;
}

/**
 * A post or reply as records: the message (its first attachment as its file), then one message
 * per further attachment (pchat posts one file per message), all with the same author and time.
 */
export function postRecords(item: Json, kind: 'text' | 'me' | 'notice', id: string, replyTo: string | null, ctx: PostContext): MessageRecord[] {
  const author = item.user as string;
  const at = new Date(item.create_at as number).toISOString();
  const { text } = wordsOf(item);
  const base = (suffix: string, words: string): MessageRecord => ({ id: `${id}${suffix}`, room: ctx.room, seq: 0, author, at, kind: kind === 'notice' ? 'notice' : 'text', title: null, text: words, origin: null });
  const first = base('', kind === 'me' ? `/me ${text}` : text);
  if (replyTo !== null) first.replyTo = replyTo;
  if (typeof item.edit_at === 'number' && item.edit_at > 0) first.editedAt = new Date(item.edit_at).toISOString();
  const reactions = reactionRecords(namedReactions(item).named, ctx.known);
  if (reactions) first.reactions = reactions;
  const out = [first];
  const attachments = attachmentsOf(item);
  for (let i = 0; i < attachments.length; i++) {
    const path = attachments[i]!.path as string;
    const file = ctx.attachment(path);
    const record = i === 0 ? first : base(`#${i + 1}`, '');
    if (i > 0 && replyTo !== null) record.replyTo = replyTo;
    if (file) record.file = file;
    else {
      const name = path.split('/').pop() || path;
      record.text = record.text === '' ? `[file: ${name}]` : `${record.text}\n[file: ${name}]`;
    }
    if (i > 0) out.push(record);
  }
  return out;
}
