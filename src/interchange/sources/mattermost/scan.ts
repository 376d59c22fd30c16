import { exportProblem } from '../exportContainer.js';
import type { MattermostFiles } from './files.js';
import { parseLine, placedLines } from './lines.js';
import { classify, emptyCounts, type PostCounts } from './posts.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : []);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

export interface MmTeam { readonly name: string; readonly displayName: string; readonly description: string }
export interface MmChannel { readonly key: string; readonly team: string; readonly name: string; readonly displayName: string; readonly private: boolean; readonly description: string; readonly deleted: boolean }
export interface MmUser { readonly username: string; readonly displayName: string; readonly email: string | null; readonly deleted: boolean; readonly bot: boolean; readonly teams: Set<string>; readonly channels: Set<string> }

/** Where one message (a post, or reply `sub` of it) is in the JSONL file. */
export interface PostPlace { readonly at: number; readonly offset: number; readonly length: number; readonly sub: number; readonly line: number }

/** A room's messages: a channel's (`team/name`) or a direct conversation's (its members, sorted, comma-separated). */
export interface Conversation {
  readonly key: string;
  readonly places: PostPlace[];
  first: number;
}

export interface MattermostScan {
  readonly teams: MmTeam[];
  readonly channels: MmChannel[];
  readonly users: Map<string, MmUser>;
  /** Per channel key, then per direct conversation key: where its messages are. */
  readonly posts: Map<string, Conversation>;
  /** Direct conversations: key → members (usernames). */
  readonly directs: Map<string, string[]>;
  /** Authors no user or bot line names, with their messages. */
  readonly unknownUsers: Map<string, number>;
  readonly counts: PostCounts;
  /** Attachment paths, in the order met. */
  readonly attachments: Set<string>;
  /** Lines of types pchat does not carry (scheme, emoji, role …), by type. */
  readonly otherLines: Map<string, number>;
  /** Posts of channels the export does not declare, by channel key. */
  readonly strayPosts: Map<string, number>;
}

/**
 * The first pass over a Mattermost bulk export: the version line first, then the teams, channels,
 * users and bots (the directory), and for every post and direct post where it and its replies are
 * (so each room's messages can be read in time order later, without holding them), with what the
 * notes count. Each bad line is an error naming the file and the line number.
 */
export async function scanExport(files: MattermostFiles, startMs: number | null): Promise<MattermostScan> {
  const scan: MattermostScan = { teams: [], channels: [], users: new Map(), posts: new Map(), directs: new Map(), unknownUsers: new Map(), counts: emptyCounts(), attachments: new Set(), otherLines: new Map(), strayPosts: new Map() };
  const channelKeys = new Set<string>();
  let versioned = false;
  const conversation = (key: string): Conversation => {
    let c = scan.posts.get(key);
    if (!c) scan.posts.set(key, (c = { key, places: [], first: Number.POSITIVE_INFINITY }));
    return c;
  };
  const met = (user: string | null) => {
    if (user !== null && !scan.users.has(user)) scan.unknownUsers.set(user, (scan.unknownUsers.get(user) ?? 0) + 1);
  };
  for await (const batch of placedLines(files.jsonl)) {
    for (const line of batch) {
      const json = parseLine(line, files.label);
      const at = `${files.label} line ${line.number}`;
      if (!versioned) {
        if (json.type !== 'version') throw exportProblem('mattermost', `${at}: the first line of a bulk export is the version line ({"type":"version","version":1}), not "${String(json.type)}"`);
        versioned = true;
        continue;
      }
      const body = (json[json.type as string] ?? {}) as Json;
      switch (json.type) {
        case 'team': {
          const name = str(body.name);
          if (name === null) throw exportProblem('mattermost', `${at}: a team without a "name"`);
          scan.teams.push({ name, displayName: str(body.display_name) ?? name, description: str(body.description) ?? '' });
          break;
        }
        case 'channel': {
          const team = str(body.team);
          const name = str(body.name);
          if (team === null || name === null) throw exportProblem('mattermost', `${at}: a channel without a "team" and a "name"`);
          const key = `${team}/${name}`;
          channelKeys.add(key);
          scan.channels.push({ key, team, name, displayName: str(body.display_name) ?? name, private: body.type === 'P', description: str(body.purpose) ?? str(body.header) ?? '', deleted: typeof body.deleted_at === 'number' && body.deleted_at > 0 });
          break;
        }
        case 'user':
        case 'bot': {
          const username = str(body.username);
          if (username === null) throw exportProblem('mattermost', `${at}: a ${json.type} without a "username"`);
          const teams = new Set<string>();
          const channels = new Set<string>();
          for (const t of list(body.teams)) {
            const team = str(t.name);
            if (team === null) continue;
            teams.add(team);
            for (const c of list(t.channels)) if (str(c.name)) channels.add(`${team}/${c.name as string}`);
          }
          const full = [str(body.first_name), str(body.last_name)].filter(Boolean).join(' ');
          const displayName = (json.type === 'bot' ? str(body.display_name) : full || str(body.nickname)) ?? username;
          const deleted = typeof body.delete_at === 'number' && body.delete_at > 0;
          scan.users.set(username, { username, displayName, email: str(body.email), deleted, bot: json.type === 'bot', teams, channels });
          break;
        }
        case 'direct_channel': {
          const members = names(body.members).length > 0 ? names(body.members) : list(body.participants).map((p) => str(p.username)).filter((u): u is string => u !== null);
          const key = [...new Set(members)].sort().join(',');
          if (!scan.directs.has(key)) scan.directs.set(key, [...new Set(members)].sort());
          break;
        }
        case 'post':
        case 'direct_post': {
          let key: string;
          if (json.type === 'post') {
            key = `${str(body.team) ?? ''}/${str(body.channel) ?? ''}`;
            if (!channelKeys.has(key)) {
              scan.strayPosts.set(key, (scan.strayPosts.get(key) ?? 0) + 1 + list(body.replies).length);
              break;
            }
          } else {
            const members = [...new Set(names(body.channel_members))].sort();
            key = members.join(',');
            if (!scan.directs.has(key)) scan.directs.set(key, members);
          }
          place(conversation(key), body, line, at, startMs, scan, met);
          break;
        }
        default:
          scan.otherLines.set(json.type as string, (scan.otherLines.get(json.type as string) ?? 0) + 1);
      }
    }
  }
  if (!versioned) throw exportProblem('mattermost', `${files.label} is empty: a bulk export starts with its version line`);
  for (const user of scan.unknownUsers.keys()) if (scan.users.has(user)) scan.unknownUsers.delete(user);
  return scan;
}

/** Places a post and its replies, counting what the notes say (replies whose post is not imported answer nothing). */
function place(c: Conversation, post: Json, line: { number: number; offset: number; length: number }, where: string, startMs: number | null, scan: MattermostScan, met: (u: string | null) => void): void {
  const items = [post, ...list(post.replies)];
  let parentImported = false;
  for (let sub = 0; sub < items.length; sub++) {
    const item = items[sub]!;
    const at = typeof item.create_at === 'number' ? item.create_at : Number.NaN;
    if (!Number.isFinite(at)) throw exportProblem('mattermost', `${where}: a ${sub === 0 ? 'post' : 'reply'} without a numeric "create_at"`);
    if (startMs !== null && at < startMs) {
      scan.counts.olderThanStart += 1;
      continue;
    }
    const kind = classify(item, c.key, scan.counts);
    if (kind === null) continue;
    if (sub === 0) parentImported = true;
    else if (!parentImported) scan.counts.orphanReplies += 1;
    else scan.counts.replies += 1;
    met(str(item.user));
    for (const a of list(item.attachments)) if (str(a.path)) scan.attachments.add(a.path as string);
    c.places.push({ at, offset: line.offset, length: line.length, sub, line: line.number });
    if (at < c.first) c.first = at;
  }
}
