import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZipWriter } from '../../src/interchange/archive/zipWriter.js';

// A small Slack workspace export in the shape Slack's help page "How to read Slack data exports"
// documents (users.json, channels.json, groups.json, dms.json, mpims.json, a folder per
// conversation of YYYY-MM-DD.json day files), with the awkward cases of issue 18 in it.

const DAY1 = 1614556800; // 2021-03-01T00:00:00Z
const DAY2 = DAY1 + 86400;
/** A Slack timestamp `seconds` after the first day's midnight, with a micro-second part. */
export const ts = (seconds: number, micro = 100): string => `${DAY1 + seconds}.${String(micro).padStart(6, '0')}`;

const user = (id: string, name: string, extra: Record<string, unknown> = {}, profile: Record<string, unknown> = {}) => ({
  id, team_id: 'T0TEAM', name, deleted: false, real_name: name.toUpperCase(), profile: { real_name: name.toUpperCase(), display_name: name, ...profile }, is_bot: false, ...extra,
});

export const SLACK_FILES: Record<string, unknown> = {
  'users.json': [
    user('U1', 'alice', {}, { email: 'alice@example.com' }),
    user('U2', 'bob'),
    user('U3', 'carol', { deleted: true }),
    user('U4', 'dave', { is_restricted: true }),
    user('UB1', 'deploybot', { is_bot: true }, { bot_id: 'B1' }),
  ],
  // "general" was renamed from "lobby" on day 2; its id stays C1 and its folder is its current name.
  'channels.json': [
    { id: 'C1', name: 'general', created: DAY1 - 1000, creator: 'U1', is_archived: false, is_general: true, members: ['U1', 'U2', 'U3'], topic: { value: 'All things &amp; more', creator: 'U1', last_set: DAY1 }, purpose: { value: 'Company-wide', creator: 'U1', last_set: DAY1 } },
    { id: 'C2', name: 'random', created: DAY1 - 900, creator: 'U2', is_archived: false, members: ['U1', 'U2'], topic: { value: '' }, purpose: { value: 'Anything goes' } },
    { id: 'C3', name: 'old-stuff', created: DAY1 - 800, creator: 'U2', is_archived: true, members: [], topic: { value: '' }, purpose: { value: '' } },
  ],
  'groups.json': [{ id: 'G1', name: 'secret-plans', created: DAY1 - 700, creator: 'U1', is_archived: false, members: ['U1', 'U2', 'U4'], topic: { value: 'Do not tell' }, purpose: { value: '' } }],
  'dms.json': [{ id: 'D1', created: DAY1 - 600, members: ['U1', 'U2'] }],
  'mpims.json': [{ id: 'G2', name: 'mpdm-alice--bob--carol-1', created: DAY1 - 500, creator: 'U1', is_archived: false, members: ['U1', 'U2', 'U3'], topic: { value: '' }, purpose: { value: '' } }],
  'general/2021-03-01.json': [
    { type: 'message', subtype: 'channel_join', ts: ts(10), user: 'U1', text: '<@U1> has joined the channel' },
    { type: 'message', ts: ts(20), user: 'U1', text: 'Hello <@U2>, see <#C2|random>, <https://example.com|the site> &amp; <https://x.org> &lt;3 <!here>', reactions: [{ name: 'thumbsup', users: ['U2', 'U9'], count: 2 }, { name: '+1', users: ['U3', 'U2'], count: 2 }, { name: 'partyparrot', users: ['U1'], count: 1 }] },
    // A reply whose thread began before the export's first day.
    { type: 'message', ts: ts(30), user: 'U2', text: 'answering something older', thread_ts: '1614000000.000001', parent_user_id: 'U1' },
    { type: 'message', ts: ts(40), user: 'U1', text: 'a thread starts', thread_ts: ts(40), reply_count: 1, reply_users: ['U2'], replies: [{ user: 'U2', ts: ts(50) }] },
    { type: 'message', ts: ts(50), user: 'U2', text: 'and is answered', thread_ts: ts(40), parent_user_id: 'U1' },
    { type: 'message', ts: ts(60), user: 'U2', text: 'fixed text', edited: { user: 'U2', ts: ts(90, 0) } },
    { type: 'message', subtype: 'bot_message', ts: ts(70), bot_id: 'B1', username: 'deploybot', text: '', attachments: [{ fallback: 'Deployed v1.2', color: 'good' }] },
    { type: 'message', subtype: 'bot_message', ts: ts(80), bot_id: 'B2', username: 'CI Bot', text: 'build green', bot_profile: { name: 'CI Bot' } },
    { type: 'message', subtype: 'file_share', ts: ts(100), user: 'U1', text: 'the report', files: [{ id: 'F1', name: 'report.pdf', title: 'report', mimetype: 'application/pdf', size: 1234, url_private_download: 'https://files.slack.com/files-pri/T0TEAM-F1/download/report.pdf' }] },
    { type: 'message', subtype: 'weird_new_thing', ts: ts(110), user: 'U2', text: 'something new' },
    { type: 'message', subtype: 'weird_new_thing', ts: ts(111), user: 'U2', text: '' },
    { type: 'message', subtype: 'channel_topic', ts: ts(120), user: 'U1', text: 'set the channel topic', topic: 'All things & more' },
    { type: 'message', subtype: 'me_message', ts: ts(130), user: 'U2', text: 'waves' },
    // Slackbot reacts here before its first message (ts 160) makes it an author: its reaction is kept.
    { type: 'message', ts: ts(140), user: 'U1', text: 'pin me', pinned_to: ['C1'], reactions: [{ name: 'eyes', users: ['USLACKBOT'], count: 1 }] },
    { type: 'message', ts: ts(150), user: 'U3', text: 'from a deactivated account' },
    { type: 'message', ts: ts(160), user: 'USLACKBOT', text: 'Reminder: stand-up' },
  ],
  'general/2021-03-02.json': [
    { type: 'message', subtype: 'channel_name', ts: `${DAY2 + 5}.000100`, user: 'U1', old_name: 'lobby', name: 'general', text: 'renamed the channel from "lobby" to "general"' },
    { type: 'message', ts: `${DAY2 + 10}.000100`, user: 'U1', text: 'day two' },
  ],
  'random/2021-03-01.json': [{ type: 'message', ts: ts(200), user: 'U2', text: 'random thought' }],
  'secret-plans/2021-03-01.json': [
    { type: 'message', ts: ts(300), user: 'U1', text: 'the plan' },
    { type: 'message', ts: ts(310), user: 'U4', text: 'a guest speaks' },
  ],
  'D1/2021-03-01.json': [{ type: 'message', ts: ts(400), user: 'U1', text: 'hi bob' }],
  'mpdm-alice--bob--carol-1/2021-03-01.json': [{ type: 'message', ts: ts(500), user: 'U3', text: 'hi both' }],
};

/** Writes the export as a directory (`files` replaces or adds files; `null` removes one). */
export function writeSlackExport(dir: string, files: Record<string, unknown> = {}): string {
  for (const [name, content] of Object.entries({ ...SLACK_FILES, ...files })) {
    if (content === null) continue;
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  }
  return dir;
}

/** Writes the export as a zip, its files under `prefix` (a re-zipped folder: `export/`). */
export async function writeSlackZip(file: string, prefix = ''): Promise<string> {
  const zip = new ZipWriter(createWriteStream(file));
  for (const [name, content] of Object.entries(SLACK_FILES)) await zip.add(`${prefix}${name}`, Buffer.from(JSON.stringify(content)));
  await zip.finish();
  return file;
}
