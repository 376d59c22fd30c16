import { closeSync, openSync } from 'node:fs';
import { MAX_NAME_CHARS } from '../../../core/validation.js';
import type { CategoryRecord, FileRecord, MessageRecord, PrincipalRefRecord, RoomRecord, UserRecord } from '../../archive/records.js';
import type { RecordSource, SourceDescription } from '../../source.js';
import { conversationName, directCategory, type DirectOptions } from '../direct.js';
import { listedRecords } from '../listed.js';
import { type MattermostFiles, openMattermostFiles } from './files.js';
import { readPlacedLine } from './lines.js';
import { mattermostNotes } from './notes.js';
import { classify, postRecords } from './posts.js';
import { type Conversation, type MattermostScan, scanExport } from './scan.js';

export const MATTERMOST_SYSTEM = 'mattermost';

export interface MattermostOptions {
  readonly startDate?: Date | null;
  readonly direct?: DirectOptions;
}

const DESCRIPTION_MAX = 256;
const ref = (id: string): PrincipalRefRecord => ({ kind: 'user', id });
const clip = (s: string, max: number) => [...s].slice(0, max).join('');
type Json = Record<string, unknown>;

/**
 * A Mattermost bulk export (`mmctl export create --attachments`: a zip of the JSONL and its
 * `data/` files, or the JSONL alone) as archive records (docs/migration-guide.md, "Mattermost"):
 * a category per team (its members allowed), a room per channel (public → open, private →
 * secret with its members), the users and bots (deactivated ones and bots disabled), and each
 * room's posts and replies in time order, replies answering their post, with edits, reactions and
 * the attachments' bytes. Users are identified by username, messages by room, time and author.
 */
export async function mattermostSource(location: string, options: MattermostOptions = {}): Promise<RecordSource> {
  const files = await openMattermostFiles(location);
  try {
    const scanOptions = { startMs: options.startDate ? options.startDate.getTime() : null, directs: options.direct?.mode === 'as-rooms' };
    return await build(files, await scanExport(files, scanOptions), options);
  } catch (error) {
    await files.close();
    throw error;
  }
}

async function build(files: MattermostFiles, scan: MattermostScan, options: MattermostOptions): Promise<RecordSource> {
  const direct = options.direct ?? { mode: 'skip', category: null };
  const startMs = options.startDate ? options.startDate.getTime() : null;
  const attachments = new Map<string, FileRecord | null>();
  for (const path of scan.attachments) attachments.set(path, await files.attachment(path));
  const missing = [...attachments].filter(([, f]) => f === null).map(([p]) => p);

  const people = [...scan.users.values()];
  const active = people.filter((u) => !u.deleted && !u.bot);
  const users: UserRecord[] = [
    ...people.map((u) => ({ id: u.username, login: u.username, displayName: clip(u.displayName, 256), email: u.email, disabled: u.deleted || u.bot, isAdmin: false, origin: null })),
    ...[...scan.unknownUsers.keys()].map((u) => ({ id: u, login: u, displayName: u, email: null, disabled: true, isAdmin: false, origin: null })),
  ];
  const known = new Set(users.map((u) => u.id));

  // Names: a team's display name, a channel's display name (with its team's when two teams share it).
  const teamNames = unique(scan.teams.map((t) => [t.name, t.displayName, `${t.displayName} (${t.name})`]));
  const shared = new Map<string, number>();
  for (const c of scan.channels) shared.set(c.displayName.toLowerCase(), (shared.get(c.displayName.toLowerCase()) ?? 0) + 1);
  const roomNames = unique(scan.channels.map((c) => [c.key, shared.get(c.displayName.toLowerCase())! > 1 ? `${c.displayName} (${teamNames.get(c.team) ?? c.team})` : c.displayName, `${c.displayName} (${c.key})`]));
  const categories: CategoryRecord[] = scan.teams.map((t) => ({
    id: `team:${t.name}`, name: teamNames.get(t.name)!, description: clip(t.description, 256), allowed: active.filter((u) => u.teams.has(t.name)).map((u) => ref(u.username)),
    denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null,
  }));
  const shortened: string[] = [];
  const rooms: RoomRecord[] = [];
  const order: { key: string; room: string }[] = [];
  for (const c of scan.channels) {
    let description = c.description;
    if ([...description].length > DESCRIPTION_MAX) {
      description = `${clip(description, DESCRIPTION_MAX - 1)}…`;
      shortened.push(c.key);
    }
    const members = c.private ? active.filter((u) => u.channels.has(c.key)).map((u) => ref(u.username)) : [];
    rooms.push(room(c.key, roomNames.get(c.key)!, description, `team:${c.team}`, c.private ? 'secret' : 'open', members, c.deleted, scan.posts.get(c.key)));
    order.push({ key: c.key, room: c.key });
  }
  const directSkipped = { conversations: 0, messages: 0 };
  if (direct.mode === 'as-rooms') {
    const taken = new Set([...roomNames.values()].map((n) => n.toLowerCase()));
    const participants: string[] = [];
    for (const [key, members] of scan.directs) {
      const id = `direct:${key}`;
      const name = conversationName(members, id, taken);
      roomNames.set(key, name);
      const present = members.filter((m) => known.has(m));
      participants.push(...present);
      rooms.push(room(id, name, '', 'mattermost-direct', 'secret', present.map(ref), false, scan.posts.get(key)));
      order.push({ key, room: id });
    }
    categories.push(directCategory('mattermost-direct', direct.category!, participants));
  } else {
    for (const key of scan.directs.keys()) {
      directSkipped.conversations += 1;
      // As many as as-rooms would import: each post and reply, and each attachment past a post's first.
      const c = scan.posts.get(key);
      directSkipped.messages += c ? c.places.length + c.extraAttachments : 0;
    }
  }
  const notes = mattermostNotes({ scan, roomNames, directSkipped, missing, shortened });

  const messages = async function* (): AsyncGenerator<MessageRecord[]> {
    const fd = openSync(files.jsonl, 'r');
    try {
      for (const { key, room } of order) {
        const conversation = scan.posts.get(key);
        if (conversation) yield* roomMessages(conversation, room);
      }
    } finally {
      closeSync(fd);
    }
    function* roomMessages(c: Conversation, room: string): Generator<MessageRecord[]> {
      const places = [...c.places].sort((a, b) => a.at - b.at || a.offset - b.offset || a.sub - b.sub);
      const cache = new Map<number, Json[]>();
      const ids = new Map<string, number>();
      const parents = new Map<number, string>();
      const ctx = { room, known: (u: string) => known.has(u), attachment: (p: string) => attachments.get(p) ?? null };
      let page: MessageRecord[] = [];
      let seq = 0;
      for (const p of places) {
        let items = cache.get(p.offset);
        if (!items) {
          if (cache.size >= 512) cache.clear();
          const json = readPlacedLine(fd, { offset: p.offset, length: p.length, number: p.line }, files.label);
          const body = json[json.type as string] as Json;
          items = [body, ...(Array.isArray(body.replies) ? (body.replies as Json[]) : [])];
          cache.set(p.offset, items);
        }
        const item = items[p.sub]!;
        const kind = classify(item, room, null);
        if (kind === null || (startMs !== null && p.at < startMs)) continue;
        const base = `${room}/${p.at}/${String(item.user)}`;
        const n = (ids.get(base) ?? 0) + 1;
        ids.set(base, n);
        const id = n === 1 ? base : `${base}~${n}`;
        if (p.sub === 0) parents.set(p.offset, id);
        for (const record of postRecords(item, kind, id, p.sub === 0 ? null : (parents.get(p.offset) ?? null), ctx)) {
          record.seq = ++seq;
          page.push(record);
        }
        if (page.length >= 1000) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    }
  };

  const description: SourceDescription = { system: MATTERMOST_SYSTEM, version: 'bulk-1', instance: '' };
  const lists = { users, groups: [], memberships: [], addins: [], categories, rooms, policies: [], notes };
  return {
    ...listedRecords(description, lists, messages),
    openFile: (sha256) => files.open(sha256),
    close: () => files.close(),
  };
}

function room(id: string, name: string, description: string, category: string, privacy: RoomRecord['privacy'], members: PrincipalRefRecord[], disabled: boolean, posts: Conversation | undefined): RoomRecord {
  const first = posts && Number.isFinite(posts.first) ? posts.first : 0;
  return { id, name: clip(name, MAX_NAME_CHARS), description, category, privacy, type: 'normal', members, managers: [], presenters: [], invitations: 'inherit', addin: null, disabled, createdAt: new Date(first).toISOString(), origin: null };
}

/** Each key's name: its first choice, or its second when two keys would share one (ignoring case). */
function unique(choices: [string, string, string][]): Map<string, string> {
  const count = new Map<string, number>();
  for (const [, first] of choices) count.set(first.toLowerCase(), (count.get(first.toLowerCase()) ?? 0) + 1);
  return new Map(choices.map(([key, first, second]) => [key, count.get(first.toLowerCase())! > 1 ? second : first]));
}
