import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZipWriter } from '../../src/interchange/archive/zipWriter.js';

// A small Mattermost bulk export in the shape Mattermost's "Bulk loading data" / "Data format"
// pages document: a version line, then teams, channels, users and bots, posts with their replies,
// direct channels and direct posts; `mmctl export create --attachments` zips it with the
// attachments under data/<path>. The awkward cases of issue 18 are in it.

export const T = Date.UTC(2021, 2, 1); // 2021-03-01T00:00:00Z, ms
/** One line of the bulk format: `{ type, <type>: body }` (the version line carries its number). */
export const line = (type: string, body: unknown) => (type === 'version' ? { type, version: 1 } : { type, [type]: body });

export const MATTERMOST_LINES: unknown[] = [
  line('version', null),
  line('team', { name: 'eng', display_name: 'Engineering', type: 'O', description: 'Builders', allow_open_invite: true }),
  line('team', { name: 'ops', display_name: 'Operations', type: 'O' }),
  line('channel', { team: 'eng', name: 'town-square', display_name: 'Town Square', type: 'O', header: '', purpose: 'Everyone' }),
  line('channel', { team: 'ops', name: 'town-square', display_name: 'Town Square', type: 'O' }),
  line('channel', { team: 'eng', name: 'secret', display_name: 'Secret', type: 'P', header: 'hush' }),
  line('user', { username: 'alice', email: 'alice@example.com', first_name: 'Alice', last_name: 'Smith', roles: 'system_user', teams: [{ name: 'eng', roles: 'team_user', channels: [{ name: 'town-square' }, { name: 'secret' }] }, { name: 'ops', channels: [{ name: 'town-square' }] }] }),
  line('user', { username: 'bob', email: 'bob@example.com', nickname: 'Bobby', teams: [{ name: 'eng', channels: [{ name: 'town-square' }, { name: 'secret' }] }] }),
  line('user', { username: 'carol', email: 'carol@example.com', delete_at: T - 1000, teams: [{ name: 'eng', channels: [{ name: 'town-square' }] }] }),
  line('bot', { username: 'ci', display_name: 'CI', owner: 'alice' }),
  line('emoji', { name: 'partyparrot', image: 'data/emoji/partyparrot.gif' }),
  line('post', {
    team: 'eng', channel: 'town-square', user: 'alice', message: 'Hello @bob', create_at: T + 1000, is_pinned: true, flagged_by: ['bob'],
    reactions: [{ user: 'bob', emoji_name: '+1', create_at: T + 1500 }, { user: 'ghost', emoji_name: 'smile', create_at: T + 1600 }, { user: 'carol', emoji_name: 'partyparrot', create_at: T + 1700 }],
    replies: [{ user: 'bob', message: 'reply one', create_at: T + 3000, edit_at: T + 4000 }],
  }),
  line('post', { team: 'eng', channel: 'town-square', user: 'bob', message: 'with files', create_at: T + 2000, attachments: [{ path: '20210301/teams/x/a.txt' }, { path: '20210301/teams/x/b.png' }, { path: 'missing/c.pdf' }] }),
  line('post', { team: 'eng', channel: 'town-square', user: 'alice', type: 'system_join_channel', message: 'alice joined the channel.', create_at: T + 500 }),
  line('post', { team: 'eng', channel: 'town-square', user: 'ci', type: 'custom_weird', message: 'something odd', create_at: T + 2500 }),
  line('post', { team: 'ops', channel: 'town-square', user: 'carol', message: 'ops hello', create_at: T + 100 }),
  line('post', { team: 'eng', channel: 'secret', user: 'alice', message: 'secret stuff', create_at: T + 5000 }),
  line('post', { team: 'eng', channel: 'nochannel', user: 'alice', message: 'lost', create_at: T + 5500 }),
  line('post', { team: 'eng', channel: 'town-square', user: 'zed', message: 'who am I', create_at: T + 6000 }),
  line('direct_channel', { members: ['alice', 'bob'], favorited_by: null, header: '' }),
  line('direct_post', { channel_members: ['bob', 'alice'], user: 'alice', message: 'hi bob', create_at: T + 7000, replies: [{ user: 'bob', message: 'hi alice', create_at: T + 8000 }] }),
];

export const ATTACHMENTS: Record<string, Buffer> = {
  '20210301/teams/x/a.txt': Buffer.from('hello file\n'),
  '20210301/teams/x/b.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
};

export const jsonl = (lines: unknown[] = MATTERMOST_LINES): string => `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

/** The export as `mmctl export create --attachments` gives it: a zip of the JSONL and data/<path>. */
export async function writeMattermostZip(file: string, lines: unknown[] = MATTERMOST_LINES): Promise<string> {
  const zip = new ZipWriter(createWriteStream(file));
  await zip.add('export_20210302.jsonl', Buffer.from(jsonl(lines)));
  for (const [path, bytes] of Object.entries(ATTACHMENTS)) await zip.add(`data/${path}`, bytes);
  await zip.finish();
  return file;
}

/** The JSONL alone in `dir` (with the attachments beside it under data/ when `withData`). */
export function writeMattermostJsonl(dir: string, lines: unknown[] = MATTERMOST_LINES, withData = true): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'export.jsonl');
  writeFileSync(file, jsonl(lines));
  if (withData) {
    for (const [path, bytes] of Object.entries(ATTACHMENTS)) {
      mkdirSync(dirname(join(dir, 'data', path)), { recursive: true });
      writeFileSync(join(dir, 'data', path), bytes);
    }
  }
  return file;
}
