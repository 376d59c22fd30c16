import { join } from 'node:path';
import { MAX_NAME_CHARS } from '../../../core/validation.js';
import type { CategoryRecord, MessageRecord, NoteRecord, RecordOf, RecordType, RoomRecord, UserRecord } from '../../archive/records.js';
import type { RecordSource, SourceDescription } from '../../source.js';
import { ZoneClock } from './clock.js';
import { LineDecoder, legacyDecoder } from './decode.js';
import { MESSAGE_KINDS } from './events.js';
import { type LogFormat, PARSERS, portable } from './formats.js';
import { noProblems, readLog } from './logFile.js';
import { scanNotes } from './notes.js';
import { type Channel, scanLogs } from './scan.js';

export const IRC_LOGS_SYSTEM = 'irc-logs';
export const DEFAULT_IRC_CATEGORY = 'IRC';

export interface IrcLogOptions {
  /** `auto` (default): each file's format is told from its first lines. */
  readonly format?: LogFormat;
  /** The IANA time zone the logs' times are in (default UTC). */
  readonly timezone?: string;
  /** The encoding of lines that are not UTF-8 (default cp1252). */
  readonly encoding?: string;
  /** The category the rooms go into (default "IRC"). */
  readonly category?: string;
  readonly privacy?: RoomRecord['privacy'];
  readonly startDate?: Date | null;
}

const DESCRIPTION_MAX = 256;
// mIRC formatting (colours, bold, italics, reverse, reset), as pchat's IRC door removes it.
// eslint-disable-next-line no-control-regex
const FORMATTING = /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
const plain = (text: string): string => text.replace(FORMATTING, '');

/**
 * A directory of IRC channel logs (weechat, irssi, ZNC, `[HH:MM] <nick>`) as archive records
 * (docs/migration-guide.md, "IRC logs"): one category, a room per channel with its latest topic
 * as description, a user per person who wrote (their first nick; pchat accounts are found for
 * them by the import's people mapping), and messages, actions and notices as messages whose
 * identity is `<file>:<line>` (stable while a log is only appended to). Everything else is
 * counted in the notes.
 */
export async function ircLogsSource(dir: string, options: IrcLogOptions = {}): Promise<RecordSource> {
  const clock = new ZoneClock(options.timezone ?? 'UTC');
  const encoding = options.encoding ?? 'cp1252';
  legacyDecoder(encoding); // refuses an unknown encoding before anything is read
  const startMs = options.startDate ? options.startDate.getTime() : null;
  const scan = await scanLogs(dir, { format: options.format ?? 'auto', clock, encoding, startMs });
  const categoryName = (options.category ?? DEFAULT_IRC_CATEGORY).slice(0, MAX_NAME_CHARS);
  const users: UserRecord[] = [...scan.authors].map(([id, a]) => ({ id, login: a.nick, displayName: a.nick, email: null, disabled: false, isAdmin: false, origin: null }));
  const everyone = users.map((u) => ({ kind: 'user' as const, id: u.id }));
  const category: CategoryRecord = {
    id: 'irc',
    name: categoryName,
    description: 'Channels imported from IRC logs',
    allowed: everyone,
    denied: [],
    creators: [],
    invitations: true,
    fileUpload: true,
    chatHistory: true,
    origin: null,
  };
  const notes: NoteRecord[] = [];
  const rooms: RoomRecord[] = scan.channels.map((c) => roomOf(c, options.privacy ?? 'open', notes));
  let actions = 0;
  let actionsCounted = false;

  const messages = async function* (): AsyncGenerator<MessageRecord[]> {
    const decoder = new LineDecoder(encoding);
    let counting = 0;
    for (const channel of scan.channels) {
      let seq = 0;
      for (const file of channel.files) {
        const id = portable(file.relative);
        const reading = { path: join(dir, file.relative), parser: PARSERS[file.format], startDay: file.startDay, clock, decoder };
        for await (const page of readLog(reading, noProblems())) {
          const out: MessageRecord[] = [];
          for (const e of page) {
            if (!MESSAGE_KINDS.has(e.kind) || (startMs !== null && e.at < startMs)) continue;
            seq += 1;
            if (e.kind === 'action') counting += 1;
            out.push({
              id: `${id}:${e.line}`,
              room: channel.id,
              seq,
              author: e.author,
              at: new Date(e.at).toISOString(),
              kind: e.kind === 'notice' ? 'notice' : 'text',
              title: null,
              text: e.kind === 'action' ? `/me ${plain(e.text)}` : plain(e.text),
              origin: null,
            });
          }
          if (out.length > 0) yield out;
        }
      }
    }
    actions = counting;
    actionsCounted = true;
  };

  const description: SourceDescription = { system: IRC_LOGS_SYSTEM, version: [...scan.formats.keys()].sort().join('+') || 'none', instance: '' };
  const lists = { users, groups: [], memberships: [], addins: [], categories: [category], rooms, policies: [] };
  const records = <T extends RecordType>(type: T): AsyncIterable<RecordOf[T]> => {
    if (type === 'messages') {
      return (async function* () {
        for await (const page of messages()) yield* page;
      })() as AsyncIterable<RecordOf[T]>;
    }
    if (type === 'notes') {
      return (async function* () {
        if (!actionsCounted) for await (const _ of messages());
        yield* notes;
        yield* scanNotes(scan, encoding, actions);
      })() as AsyncIterable<RecordOf[T]>;
    }
    const list = lists[type as keyof typeof lists] as RecordOf[T][];
    return (async function* () {
      yield* list;
    })();
  };
  return {
    description,
    records,
    batches<T extends RecordType>(type: T): AsyncIterable<readonly RecordOf[T][]> {
      if (type === 'messages') return messages() as AsyncIterable<readonly RecordOf[T][]>;
      const all = records(type);
      return (async function* () {
        const list: RecordOf[T][] = [];
        for await (const r of all) list.push(r);
        if (list.length > 0) yield list;
      })();
    },
    // The scan counted every message the message pass yields (same kinds, same start date).
    messageCount: scan.channels.reduce((n, c) => n + c.messages, 0),
    async close() {},
  };
}

function roomOf(c: Channel, privacy: RoomRecord['privacy'], notes: NoteRecord[]): RoomRecord {
  const name = (c.channel.length > 1 && c.channel.startsWith('#') ? c.channel.slice(1) : c.channel).slice(0, MAX_NAME_CHARS);
  let description = plain(c.topic ?? '');
  if ([...description].length > DESCRIPTION_MAX) {
    description = `${[...description].slice(0, DESCRIPTION_MAX - 1).join('')}…`;
    notes.push({ severity: 'conversion', code: 'irc_topic_shortened', item: { type: 'room', id: c.id, name }, message: `the latest topic of ${c.channel} is longer than ${DESCRIPTION_MAX} characters: the room's description keeps its first ${DESCRIPTION_MAX - 1} and "…"` });
  }
  return {
    id: c.id,
    name,
    description,
    category: 'irc',
    privacy,
    type: 'normal',
    members: [],
    managers: [],
    presenters: [],
    invitations: 'inherit',
    addin: null,
    disabled: false,
    createdAt: new Date(Number.isFinite(c.first) ? c.first : 0).toISOString(),
    origin: null,
  };
}
