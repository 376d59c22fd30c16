import { closeSync, openSync } from 'node:fs';
import { exportProblem } from '../exportContainer.js';
import type { MattermostFiles } from './files.js';
import { parseLine, placedLines, readPlacedLine } from './lines.js';
import { ReactionTally } from '../emoji.js';
import { attachmentsOf, classify, countCarried, emptyCounts, namedReactions, type PostCounts } from './posts.js';

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
  /** Attachments past a post's first: each one more message (the skipped-conversations note counts them). */
  extraAttachments: number;
}

/** Where a line is in the JSONL file, to read it again. */
interface LinePlace { readonly offset: number; readonly length: number; readonly number: number }
/** A post line met before its channel is declared, with its messages (the post and its replies). */
interface EarlyPost extends LinePlace { readonly messages: number }

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
  /** Channels whose team no team line declares (not imported; their posts are stray): key → team. */
  readonly teamless: Map<string, string>;
  /** Channels declared before their team's line (imported once it comes): key → the channel's first line and the team's. */
  readonly channelsBeforeTeam: Map<string, { channelLine: number; teamLine: number }>;
  /** Channels declared by more than one channel line (one room, the later lines' fields over the earlier's): key → line numbers. */
  readonly repeatedChannels: Map<string, number[]>;
  /** Channels some of whose posts come before their channel line (imported all the same): key → what and where. */
  readonly postsBeforeChannel: Map<string, { posts: number; messages: number; firstLine: number; channelLine: number }>;
}

export interface ScanOptions {
  readonly startMs: number | null;
  /**
   * Whether direct conversations are imported (as rooms): when they are skipped, their posts are
   * only placed (the skipped-conversations note counts them), not counted by kind, their authors
   * are made no users and their attachments are not looked for.
   */
  readonly directs: boolean;
}

/**
 * The first pass over a Mattermost bulk export: the version line first, then the teams, channels,
 * users and bots (the directory), and for every post and direct post where it and its replies are
 * (so each room's messages can be read in time order later, without holding them), with what the
 * notes count. Each bad line is an error naming the file and the line number. A channel declared
 * twice is one channel, updated by its later line; one before its team's line is declared when
 * that line comes; posts that come before their channel is declared are placed once the pass is
 * over (their lines read again), those of undeclared channels (or of undeclared teams') counted.
 */
export async function scanExport(files: MattermostFiles, options: ScanOptions): Promise<MattermostScan> {
  const { startMs } = options;
  const scan: MattermostScan = { teams: [], channels: [], users: new Map(), posts: new Map(), directs: new Map(), unknownUsers: new Map(), counts: emptyCounts(), attachments: new Set(), otherLines: new Map(), strayPosts: new Map(), teamless: new Map(), channelsBeforeTeam: new Map(), repeatedChannels: new Map(), postsBeforeChannel: new Map() };
  const channelKeys = new Set<string>();
  // Per channel: its fields as its lines so far set them, its place in scan.channels, its lines.
  const channelLines = new Map<string, { body: Json; index: number; lines: number[] }>();
  // Posts met before their channel is declared, per channel key: placed once the pass knows every channel.
  const early = new Map<string, EarlyPost[]>();
  // Channels whose team no line has declared yet: declared when it is (their fields merged as a repeated channel's).
  const waiting = new Map<string, { team: string; name: string; body: Json; lines: number[] }>();
  const declare = (key: string, team: string, name: string, body: Json, lines: number[]) => {
    channelKeys.add(key);
    channelLines.set(key, { body: { ...body }, index: scan.channels.length, lines });
    scan.channels.push(channelOf(key, team, name, body));
  };
  const teamNames = new Set<string>();
  // Whether the records keep a reaction depends on who turns out to be an author: settled below.
  const reactions = new ReactionTally();
  let versioned = false;
  const conversation = (key: string): Conversation => {
    let c = scan.posts.get(key);
    if (!c) scan.posts.set(key, (c = { key, places: [], first: Number.POSITIVE_INFINITY, extraAttachments: 0 }));
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
          teamNames.add(name);
          scan.teams.push({ name, displayName: str(body.display_name) ?? name, description: str(body.description) ?? '' });
          // Channels declared before their team: imported in its category all the same (noted).
          for (const [key, w] of waiting) {
            if (w.team !== name) continue;
            waiting.delete(key);
            scan.channelsBeforeTeam.set(key, { channelLine: w.lines[0]!, teamLine: line.number });
            declare(key, w.team, w.name, w.body, w.lines);
          }
          break;
        }
        case 'channel': {
          const team = str(body.team);
          const name = str(body.name);
          if (team === null || name === null) throw exportProblem('mattermost', `${at}: a channel without a "team" and a "name"`);
          const key = `${team}/${name}`;
          if (!teamNames.has(team)) {
            // No category to put it in yet (Mattermost's own import refuses it): declared if a team
            // line for it comes further down, else not imported, its posts stray, and said so.
            const w = waiting.get(key);
            if (!w) waiting.set(key, { team, name, body: { ...body }, lines: [line.number] });
            else {
              mergeFields(w.body, body);
              w.lines.push(line.number);
            }
            break;
          }
          const earlier = channelLines.get(key);
          if (earlier) {
            // Mattermost's bulk import updates the channel it already has (same team and name): the
            // fields the later line gives replace the earlier ones, those it lacks are kept. One room.
            mergeFields(earlier.body, body);
            earlier.lines.push(line.number);
            scan.channels[earlier.index] = channelOf(key, team, name, earlier.body);
            break;
          }
          declare(key, team, name, body, [line.number]);
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
              const messages = 1 + list(body.replies).length;
              scan.strayPosts.set(key, (scan.strayPosts.get(key) ?? 0) + messages);
              let lines = early.get(key);
              if (!lines) early.set(key, (lines = []));
              lines.push({ offset: line.offset, length: line.length, number: line.number, messages });
              break;
            }
          } else {
            const members = [...new Set(names(body.channel_members))].sort();
            key = members.join(',');
            if (!scan.directs.has(key)) scan.directs.set(key, members);
          }
          const counted = json.type === 'post' || options.directs;
          place(conversation(key), body, line, at, startMs, scan, counted ? { met, reactions } : null);
          break;
        }
        default:
          scan.otherLines.set(json.type as string, (scan.otherLines.get(json.type as string) ?? 0) + 1);
      }
    }
  }
  if (!versioned) throw exportProblem('mattermost', `${files.label} is empty: a bulk export starts with its version line`);
  for (const [key, w] of waiting) scan.teamless.set(key, w.team);
  for (const [key, c] of channelLines) if (c.lines.length > 1) scan.repeatedChannels.set(key, c.lines);
  // Posts of a channel declared further down (by its line, or by its team's): nothing read from a
  // post depends on the lines before it once the pass is over (authors and reactions are settled
  // below, a room is read in time order). Only those before the channel's line are noted as such.
  const late = [...early].filter(([key]) => channelKeys.has(key));
  if (late.length > 0) {
    const fd = openSync(files.jsonl, 'r');
    try {
      for (const [key, lines] of late) {
        const channelLine = channelLines.get(key)!.lines[0]!;
        const before = lines.filter((l) => l.number < channelLine);
        if (before.length > 0) scan.postsBeforeChannel.set(key, { posts: before.length, messages: before.reduce((n, l) => n + l.messages, 0), firstLine: before[0]!.number, channelLine });
        scan.strayPosts.delete(key);
        for (const l of lines) {
          const json = readPlacedLine(fd, l, files.label);
          place(conversation(key), (json.post ?? {}) as Json, l, `${files.label} line ${l.number}`, startMs, scan, { met, reactions });
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  for (const user of scan.unknownUsers.keys()) if (scan.users.has(user)) scan.unknownUsers.delete(user);
  // The message pass keeps the reactions of the users there are records of: listed, or authors.
  const settled = reactions.settle((user) => scan.users.has(user) || scan.unknownUsers.has(user));
  scan.counts.reactions = settled.kept;
  scan.counts.reactionsDropped = settled.dropped;
  return scan;
}

/** A later line of the same channel: the fields it gives replace the earlier ones, those it lacks (or gives as null) are kept. */
function mergeFields(into: Json, body: Json): void {
  for (const [field, value] of Object.entries(body)) if (value !== null && value !== undefined) into[field] = value;
}

const channelOf = (key: string, team: string, name: string, body: Json): MmChannel => ({
  key, team, name, displayName: str(body.display_name) ?? name, private: body.type === 'P', description: str(body.purpose) ?? str(body.header) ?? '', deleted: typeof body.deleted_at === 'number' && body.deleted_at > 0,
});

/** What counting a conversation's posts needs; null for a skipped direct conversation, which is only placed. */
interface Counting {
  readonly met: (user: string | null) => void;
  readonly reactions: ReactionTally;
}

/**
 * Places a post and its replies, counting what the notes say. A reply answers nothing when its
 * post is not imported, or when it is older than its post: the message pass reads a room in time
 * order, so such a reply comes before its post and cannot answer it.
 */
function place(c: Conversation, post: Json, line: { number: number; offset: number; length: number }, where: string, startMs: number | null, scan: MattermostScan, counting: Counting | null): void {
  const items = [post, ...list(post.replies)];
  let parentAt: number | null = null;
  for (let sub = 0; sub < items.length; sub++) {
    const item = items[sub]!;
    const at = typeof item.create_at === 'number' ? item.create_at : Number.NaN;
    if (!Number.isFinite(at)) throw exportProblem('mattermost', `${where}: a ${sub === 0 ? 'post' : 'reply'} without a numeric "create_at"`);
    // A system message (or an unknown type without words) is counted as what it is, also before
    // the start date; the start date's count is of the messages it leaves out, nothing they carry.
    const kind = classify(item, c.key, counting ? scan.counts : null);
    if (kind === null) continue;
    if (startMs !== null && at < startMs) {
      scan.counts.olderThanStart += 1;
      continue;
    }
    if (sub === 0) parentAt = at;
    const attachments = attachmentsOf(item);
    // Each attachment past the first is a message of its own (counted for skipped conversations too).
    const extra = Math.max(0, attachments.length - 1);
    c.extraAttachments += extra;
    if (counting) {
      countCarried(item, kind, scan.counts);
      scan.counts.extraAttachments += extra;
      if (sub > 0 && (parentAt === null || at < parentAt)) scan.counts.orphanReplies += 1;
      else if (sub > 0) scan.counts.replies += 1;
      counting.met(str(item.user));
      const { named, malformed } = namedReactions(item);
      counting.reactions.add(named, malformed);
      for (const a of attachments) scan.attachments.add(a.path as string);
    }
    c.places.push({ at, offset: line.offset, length: line.length, sub, line: line.number });
    if (at < c.first) c.first = at;
  }
}
