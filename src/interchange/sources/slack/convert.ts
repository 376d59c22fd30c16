import type { MessageRecord, NoteRecord } from '../../archive/records.js';
import { ReactionTally, reactionRecords } from '../emoji.js';
import { type ExportContainer, exportProblem, readJsonFile } from '../exportContainer.js';
import { namesAuthor, type SlackAuthors } from './authors.js';
import type { Conversation } from './export.js';
import { slackText, type TextNames } from './text.js';

/** Subtypes that are messages people (or integrations) wrote. */
const MESSAGE_SUBTYPES = new Set(['bot_message', 'me_message', 'thread_broadcast', 'reply_broadcast', 'file_share', 'file_comment']);
/** Subtypes that record something happening in the channel: counted per room, not imported. */
export const EVENT_SUBTYPES = new Set([
  'channel_join', 'channel_leave', 'group_join', 'group_leave', 'channel_topic', 'group_topic', 'channel_purpose', 'group_purpose',
  'channel_name', 'group_name', 'channel_archive', 'group_archive', 'channel_unarchive', 'group_unarchive', 'pinned_item',
  'unpinned_item', 'bot_add', 'bot_remove', 'bot_enable', 'bot_disable', 'channel_convert_to_private', 'channel_convert_to_public',
  'reminder_add', 'huddle_thread', 'sh_room_created', 'channel_canvas_updated', 'joiner_notification',
]);

/** What reading the messages found, for the notes (filled by the first pass). */
export interface SlackStats {
  /** Messages the start date leaves out that would be imported without it (events and the like are counted as what they are). */
  olderThanStart: number;
  /** Day files wholly before the start date, not read (their messages are not counted). */
  daysBeforeStart: number;
  /** Per room id: event subtype → count. */
  readonly events: Map<string, Map<string, number>>;
  /** Subtypes pchat does not know, with text: imported as notices. */
  readonly unknownImported: Map<string, number>;
  /** Subtypes pchat does not know, without text or file: not imported. */
  readonly unknownDropped: Map<string, number>;
  replies: number;
  /** Replies whose thread's first message is not in what is read (before the export's range or the start date). */
  orphanReplies: number;
  edited: number;
  /** Reactions by reacting user, settled once every author is known (source.ts): those of users the export does not list are dropped. */
  readonly reactions: ReactionTally;
  pinned: number;
  attachmentsAsText: number;
  withoutAuthor: number;
  /** One `file` note per file a message posted (the export holds links, not bytes). */
  readonly files: NoteRecord[];
}

export const emptyStats = (): SlackStats => ({
  olderThanStart: 0,
  daysBeforeStart: 0,
  events: new Map(),
  unknownImported: new Map(),
  unknownDropped: new Map(),
  replies: 0,
  orphanReplies: 0,
  edited: 0,
  reactions: new ReactionTally(),
  pinned: 0,
  attachmentsAsText: 0,
  withoutAuthor: 0,
  files: [],
});

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
type Json = Record<string, unknown>;

/** A Slack timestamp (`1512085950.000216`, seconds) in milliseconds. */
export function tsMs(ts: string): number {
  const dot = ts.indexOf('.');
  if (dot === -1) return Number(ts) * 1000;
  return Number(ts.slice(0, dot)) * 1000 + Number(`${ts.slice(dot + 1)}000`.slice(0, 3));
}

export interface ConversationReading {
  readonly container: ExportContainer;
  readonly conversation: Conversation;
  /** The room's name, for notes. */
  readonly roomName: string;
  readonly authors: SlackAuthors;
  readonly names: TextNames;
  readonly startMs: number | null;
  /** Null on passes after the first: the stats are complete. */
  readonly stats: SlackStats | null;
}

/** One day file's messages, checked: a JSON array of objects, each with a `ts`. */
export async function dayMessages(container: ExportContainer, name: string): Promise<Json[]> {
  const json = await readJsonFile(container, name, 'slack');
  if (!Array.isArray(json)) throw exportProblem('slack', `${name} in ${container.label} is not a JSON array of messages`);
  let sorted = true;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < json.length; i++) {
    const m = json[i] as Json;
    if (typeof m !== 'object' || m === null || typeof m.ts !== 'string' || !/^\d+(\.\d+)?$/.test(m.ts)) {
      throw exportProblem('slack', `${name} in ${container.label}, message ${i + 1}: not a message object with a "ts" timestamp`);
    }
    const at = Number(m.ts);
    if (at < last) sorted = false;
    last = at;
  }
  return sorted ? (json as Json[]) : (json as Json[]).slice().sort((a, b) => Number(a.ts) - Number(b.ts));
}

/**
 * The messages of one conversation as records, a day file at a time, in time order. Every pass
 * converts alike (verify must see what export wrote); the first also counts what the notes say.
 */
export async function* conversationMessages(r: ConversationReading, days: readonly string[]): AsyncGenerator<MessageRecord[]> {
  const { conversation: c, stats } = r;
  const parents = new Set<string>();
  const startDay = r.startMs === null ? null : new Date(r.startMs).toISOString().slice(0, 10);
  let seq = 0;
  for (const day of days) {
    // A day file wholly before the start date is not read (its name is its date, in the workspace's zone: a day's slack).
    if (startDay !== null && day.slice(-15, -5) < dayBefore(startDay)) {
      if (stats) stats.daysBeforeStart += 1;
      continue;
    }
    const out: MessageRecord[] = [];
    for (const m of await dayMessages(r.container, day)) {
      const record = convert(m, r, parents, day);
      if (record === null) continue;
      record.seq = ++seq;
      out.push(record);
    }
    if (out.length > 0) yield out;
  }
  function convert(m: Json, r: ConversationReading, parents: Set<string>, day: string): MessageRecord | null {
    const ts = m.ts as string;
    // What is not imported either way is counted as what it is, also before the start date; the
    // start date's note counts only the messages it leaves out, and nothing they carry is counted.
    const older = r.startMs !== null && tsMs(ts) < r.startMs;
    const subtype = typeof m.subtype === 'string' ? m.subtype : null;
    if ((m.type !== undefined && m.type !== 'message') || (subtype !== null && EVENT_SUBTYPES.has(subtype))) {
      if (stats) {
        let counts = stats.events.get(c.id);
        if (!counts) stats.events.set(c.id, (counts = new Map()));
        bump(counts, subtype ?? String(m.type));
      }
      return null;
    }
    let raw = typeof m.text === 'string' ? m.text : '';
    const attachments = Array.isArray(m.attachments) ? (m.attachments as Json[]) : [];
    let wordsFromAttachments = false;
    if (raw === '' && attachments.length > 0) {
      // An integration's post often carries its words in legacy attachments only.
      raw = attachments.map((a) => [a.pretext, a.title, a.text ?? a.fallback].filter((t) => typeof t === 'string' && t !== '').join('\n')).filter(Boolean).join('\n');
      wordsFromAttachments = raw !== '';
    }
    const files = Array.isArray(m.files) ? (m.files as Json[]) : [];
    const unknown = subtype !== null && !MESSAGE_SUBTYPES.has(subtype) && subtype !== 'tombstone';
    if (unknown && raw === '' && files.length === 0) {
      if (stats) bump(stats.unknownDropped, subtype);
      return null;
    }
    if (older) {
      // Not authorOf: it would make an author of whoever wrote only left-out messages.
      if (stats && !namesAuthor(m)) stats.withoutAuthor += 1;
      else if (stats) stats.olderThanStart += 1;
      return null;
    }
    if (stats && wordsFromAttachments) stats.attachmentsAsText += 1;
    const author = r.authors.authorOf(m);
    if (author === null) {
      if (stats) stats.withoutAuthor += 1;
      return null;
    }
    if (stats && unknown) bump(stats.unknownImported, subtype);
    const id = `${c.id}/${ts}`;
    // The first pass only counts: its records are not handed out, so their text, time and reactions are not converted.
    let text = stats ? raw : slackText(raw, r.names);
    if (subtype === 'me_message') text = `/me ${text}`;
    for (const f of files) {
      const name = typeof f.name === 'string' && f.name !== '' ? f.name : typeof f.title === 'string' && f.title !== '' ? f.title : 'file';
      text = text === '' ? `[file: ${name}]` : `${text}\n[file: ${name}]`;
      if (stats) stats.files.push(fileNote(f, name, id, r, author, day));
    }
    const record: MessageRecord = {
      id,
      room: c.id,
      seq: 0,
      author,
      at: stats ? '' : new Date(tsMs(ts)).toISOString(),
      kind: unknown || subtype === 'tombstone' ? 'notice' : 'text',
      title: null,
      text,
      origin: null,
    };
    const thread = typeof m.thread_ts === 'string' ? m.thread_ts : null;
    if (thread !== null && thread !== ts) {
      if (parents.has(thread)) record.replyTo = `${c.id}/${thread}`;
      if (stats) {
        stats.replies += 1;
        if (!parents.has(thread)) stats.orphanReplies += 1;
      }
    } else if (thread === ts) parents.add(ts);
    const edited = m.edited as { ts?: unknown } | undefined;
    if (typeof edited?.ts === 'string' && /^\d+(\.\d+)?$/.test(edited.ts)) {
      if (!stats) record.editedAt = new Date(tsMs(edited.ts)).toISOString();
      if (stats) stats.edited += 1;
    }
    if (Array.isArray(m.reactions)) {
      const given = (m.reactions as Json[]).filter((x) => typeof x.name === 'string' && Array.isArray(x.users)) as { name: string; users: unknown[] }[];
      const named = given.map((x) => ({ name: x.name, users: x.users.filter((u): u is string => typeof u === 'string') }));
      // A user that is not a string names nobody: left out.
      if (stats) stats.reactions.add(named, given.reduce((n, x) => n + x.users.length, 0) - named.reduce((n, x) => n + x.users.length, 0));
      else {
        const reactions = reactionRecords(named, (u) => r.authors.has(u));
        if (reactions) record.reactions = reactions;
      }
    }
    if (stats && Array.isArray(m.pinned_to) && m.pinned_to.length > 0) stats.pinned += 1;
    return record;
  }
}

const dayBefore = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

function fileNote(f: Json, name: string, id: string, r: ConversationReading, author: string, day: string): NoteRecord {
  const url = [f.url_private_download, f.url_private, f.permalink].find((u): u is string => typeof u === 'string' && u !== '');
  const size = typeof f.size === 'number' ? `, ${f.size} bytes` : '';
  return {
    severity: 'file',
    code: 'slack_file_reference',
    item: { type: 'message', id, name },
    message: `${r.roomName} on ${day.slice(-15, -5)}: "${name}"${size}, posted by ${r.authors.login(author) ?? author}. A Slack export holds a link to the file, not its bytes${url ? ` (${url})` : ' (and no link: the file was deleted or hidden)'}: download it and post it again by hand; the message says [file: ${name}]`,
  };
}
