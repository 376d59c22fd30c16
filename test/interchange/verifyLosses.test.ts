import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { ExportOptions } from '../../src/interchange/archive/records.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import { errorsOf } from '../../src/interchange/import/plan.js';
import { exportJob, importJob, verifyJob } from '../../src/interchange/jobs.js';
import type { PeopleOptions } from '../../src/interchange/people/mapping.js';
import { Progress } from '../../src/interchange/progress.js';
import { readRenames, withRenames } from '../../src/interchange/renames.js';
import type { RecordSource } from '../../src/interchange/source.js';
import { LEGACY_SOURCES, type LegacySourceOptions } from '../../src/interchange/sources/index.js';
import type { Conflict } from '../../src/interchange/verify/verify.js';
import { describeConflict } from '../../src/interchange/verify/describe.js';
import { openDir } from '../helpers/interchange.js';
import { baseTables, chat, writeDump } from './groupchat/helpers.js';
import { writeLogs, ZONE } from './irclogs/fixture.js';
import { MATTERMOST_LINES, T, writeMattermostZip } from './mattermostFixture.js';
import { writeSlackExport } from './slackFixture.js';

// Issue 18, point 5: `pchat verify --source <kind>:<location>` reports no difference after a clean
// import of each legacy kind (directly and through an archive, with the awkward cases), and
// reports every loss done to the pchat database afterwards, naming what differs. The import and
// verify run in process through the jobs the CLI runs (importJob, verifyJob), one import per
// case; each damage is done with SQL to a copy of the imported database.

const quiet = () => new Progress('off');
const people: PeopleOptions = { file: null, createUsers: true };

interface Case {
  readonly kind: string;
  readonly location: string;
  readonly options: LegacySourceOptions;
  readonly startDate: string | null;
  readonly renames?: string;
}

/** The legacy source of `c`, opened as the CLI opens it (with the rename file when given). */
async function openLegacy(c: Case): Promise<RecordSource> {
  const source = await LEGACY_SOURCES[c.kind]!.open(c.location, { startDate: c.startDate, ...c.options });
  return c.renames ? withRenames(source, await readRenames(c.renames)) : source;
}

/** Imports `c` into `dataDir`: the source read directly, or (`archive`) exported to a zip first. */
async function importCase(c: Case, dataDir: string, archive?: string): Promise<void> {
  let source = await openLegacy(c);
  if (archive) {
    try {
      await exportJob(source, archive, { level: 'all', scope: [], startDate: c.startDate, disableExported: false }, quiet());
    } finally {
      await source.close();
    }
    source = await openArchive(archive);
  }
  const local = await openDir(dataDir);
  try {
    const outcome = await importJob(source, local.app, { whatIf: false, confirm: async () => true, preconfirmed: true, progress: quiet(), blobs: local.store.blobs, people });
    assert.deepEqual(errorsOf(outcome.plan), []);
  } finally {
    await source.close();
    await local.close();
  }
}

/** What `pchat verify --source <kind>:<location>` (with the case's options) finds in `dataDir`. */
async function verifyCase(c: Case, dataDir: string): Promise<Conflict[]> {
  const source = await openLegacy(c);
  const local = await openDir(dataDir);
  try {
    const filter: ExportOptions = { level: 'all', scope: [], startDate: c.startDate, disableExported: false };
    return (await verifyJob(source, local.store, { progress: quiet(), filter, people: { file: null, createUsers: false } })).conflicts;
  } finally {
    await source.close();
    await local.close();
  }
}

let work: string;
let copies = 0;
/** A copy of the data directory `dataDir` (database and file store). */
function copyOf(dataDir: string): string {
  const copy = join(work, `damaged-${++copies}`);
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}
/** A copy of the imported `dataDir` with `damage` done to its database (foreign keys on, as the store has them); each statement of `damage` checks it changed something (run). */
function damaged(dataDir: string, damage: (db: Database.Database) => void): string {
  const copy = copyOf(dataDir);
  const db = new Database(join(copy, 'pchat.db'));
  try {
    db.pragma('foreign_keys = ON');
    db.transaction(() => damage(db))();
  } finally {
    db.close();
  }
  return copy;
}

/** The first column of the first row `sql` gives in the database of `dataDir`. */
function valueOf(dataDir: string, sql: string, ...params: unknown[]): unknown {
  const db = new Database(join(dataDir, 'pchat.db'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get(...params);
  } finally {
    db.close();
  }
}

/** Runs `sql` with `params` and checks it changed at least one row. */
const run = (db: Database.Database, sql: string, ...params: unknown[]) => assert.ok(db.prepare(sql).run(...params).changes > 0, sql);
const idOf = (db: Database.Database, text: string): number => {
  const row = db.prepare('SELECT id FROM messages WHERE text = ?').get(text) as { id: number } | undefined;
  assert.ok(row, `a message "${text}"`);
  return row.id;
};

/** The losses every kind is damaged with, by message text; `edited`, `reacted`, `reply`: texts of such messages (absent: the kind has none). */
interface Losses {
  readonly plain: string;
  readonly edited?: string;
  readonly reacted?: string;
  readonly reply?: string;
  readonly room: string;
  readonly login: string;
  readonly file?: string;
}

/** The conflicts as `type name: field …` lines, for assertions that name what differs. */
const lines = (conflicts: Conflict[]) => conflicts.map(describeConflict);
const assertFound = (conflicts: Conflict[], pattern: RegExp) => assert.ok(lines(conflicts).some((l) => pattern.test(l)), `expected ${pattern} among:\n${lines(conflicts).join('\n') || '(no conflict)'}`);

/** Every loss of `losses`, each on its own copy of `dataDir`, must be reported by verify, naming it. */
async function assertLossesFound(c: Case, dataDir: string, losses: Losses): Promise<void> {
  const check = async (damage: (db: Database.Database) => void, pattern: RegExp) => assertFound(await verifyCase(c, damaged(dataDir, damage)), pattern);
  await check((db) => run(db, 'DELETE FROM messages WHERE id = ?', idOf(db, losses.plain)), /content .*: message count: source \d+, target \d+; first differing message/);
  await check((db) => run(db, "UPDATE messages SET text = text || ' (changed)' WHERE id = ?", idOf(db, losses.plain)), /content .*: message digest: .*: text: /);
  if (losses.edited) await check((db) => run(db, 'UPDATE messages SET edited_at = NULL WHERE id = ?', idOf(db, losses.edited!)), /content .*: message digest: .*: editedAt: /);
  if (losses.reacted) {
    await check((db) => {
      const id = idOf(db, losses.reacted!);
      const first = db.prepare('SELECT emoji, user_id AS user FROM message_reactions WHERE message_id = ? LIMIT 1').get(id) as { emoji: string; user: number };
      run(db, 'DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?', id, first.emoji, first.user);
    }, /content .*: message digest: .*: reactions: /);
  }
  if (losses.reply) {
    await check((db) => {
      const id = idOf(db, losses.reply!);
      run(db, 'UPDATE messages SET reply_count = reply_count - 1 WHERE id = (SELECT reply_to FROM messages WHERE id = ?)', id);
      run(db, 'UPDATE messages SET reply_to = NULL WHERE id = ?', id);
    }, /content .*: message digest: .*: reply: source "reply", target "not a reply"/);
    // The reply answers another message of its room than its parent.
    await check((db) => {
      const id = idOf(db, losses.reply!);
      const { parent, room } = db.prepare('SELECT reply_to AS parent, room_id AS room FROM messages WHERE id = ?').get(id) as { parent: number; room: number };
      const other = db.prepare('SELECT id FROM messages WHERE room_id = ? AND id NOT IN (?, ?) ORDER BY id LIMIT 1').pluck().get(room, parent, id) as number;
      run(db, 'UPDATE messages SET reply_count = reply_count - 1 WHERE id = ?', parent);
      run(db, 'UPDATE messages SET reply_count = reply_count + 1 WHERE id = ?', other);
      run(db, 'UPDATE messages SET reply_to = ? WHERE id = ?', other, id);
    }, /content .*: message digest: .*: replyTo: source "…[^"]+", target "…[^"]+"/);
  }
  await check((db) => run(db, 'DELETE FROM rooms WHERE name = ?', losses.room), new RegExp(`room ${losses.room}: \\(missing\\)`));
  await check((db) => run(db, "UPDATE rooms SET name = name || ' (renamed)' WHERE name = ?", losses.room), new RegExp(`room ${losses.room}: name: `));
  await check((db) => run(db, "UPDATE users SET login = 'changed-' || login WHERE login = ?", losses.login), new RegExp(`user ${losses.login}: login: `));
  if (losses.file) {
    await check((db) => run(db, 'DELETE FROM files WHERE message_id = ?', idOf(db, losses.file!)), /file .*: file: .*the message has no file/);
    const bytesGone = copyOf(dataDir);
    const sha = valueOf(bytesGone, 'SELECT sha256 FROM files WHERE message_id = (SELECT id FROM messages WHERE text = ?)', losses.file) as string;
    rmSync(join(bytesGone, 'files', sha.slice(0, 2), sha.slice(2, 4), sha));
    assertFound(await verifyCase(c, bytesGone), /file .*: file bytes: .*absent from the file store/);
  }
}

/** Imports `c` directly and (unless `directOnly`) through an archive; each verifies clean. Returns the direct import's data directory. */
async function cleanImports(c: Case, name: string, directOnly = false): Promise<string> {
  const direct = join(work, `${name}-direct`);
  await importCase(c, direct);
  assert.deepEqual(lines(await verifyCase(c, direct)), [], 'no difference after the direct import');
  if (!directOnly) {
    const viaArchive = join(work, `${name}-archive`);
    await importCase(c, viaArchive, join(work, `${name}.zip`));
    assert.deepEqual(lines(await verifyCase(c, viaArchive)), [], 'no difference after the import of the archive');
  }
  return direct;
}

describe('verify finds every loss, and only losses', () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'pchat-verify-losses-'));
  });
  after(() => process.env.KEEP_VERIFY_LOSSES ? undefined : rmSync(work, { recursive: true, force: true }));

  it('slack: clean imports verify clean (direct messages skipped; as rooms with --start-date and --renames), and every loss is found', async () => {
    const location = writeSlackExport(join(work, 'slack'));
    const plain = await cleanImports({ kind: 'slack', location, options: {}, startDate: null }, 'slack');
    const renames = join(work, 'slack-renames.csv');
    writeFileSync(renames, 'kind,source id,new name\nroom,C2,musings\n');
    const asRooms: Case = { kind: 'slack', location, options: { directMessages: 'as-rooms', directCategory: 'DMs' }, startDate: '2021-03-01T00:01:00.000Z', renames };
    const direct = await cleanImports(asRooms, 'slack-as-rooms', true);
    assertFound(await verifyCase(asRooms, damaged(direct, (db) => run(db, "DELETE FROM rooms WHERE name = 'alice, bob'"))), /room alice, bob: \(missing\)/);
    // ci-bot: the account made for a bot that is no user of the export.
    await assertLossesFound({ kind: 'slack', location, options: {}, startDate: null }, plain, {
      plain: 'a guest speaks', edited: 'fixed text', reacted: 'pin me', reply: 'and is answered', room: 'random', login: 'ci-bot',
    });
  });

  it('mattermost: clean imports verify clean (a channel of an undeclared team, merged reactions, an early reply; as rooms with --start-date), and every loss is found', async () => {
    const lines_ = [
      ...MATTERMOST_LINES,
      { type: 'channel', channel: { team: 'nosuch', name: 'orphan', display_name: 'Orphan', type: 'O' } },
      { type: 'post', post: { team: 'nosuch', channel: 'orphan', user: 'alice', message: 'in an undeclared team', create_at: T + 9000 } },
      {
        type: 'post', post: {
          team: 'eng', channel: 'secret', user: 'bob', message: 'thumbs twice', create_at: T + 9500,
          reactions: [{ user: 'alice', emoji_name: 'thumbsup', create_at: T + 9600 }, { user: 'bob', emoji_name: '+1', create_at: T + 9700 }],
          replies: [{ user: 'alice', message: 'older than its post', create_at: T + 9400 }],
        },
      },
    ];
    const location = await writeMattermostZip(join(work, 'mattermost.zip'), lines_);
    const c: Case = { kind: 'mattermost', location, options: {}, startDate: null };
    const plain = await cleanImports(c, 'mm');
    const asRooms: Case = { kind: 'mattermost', location, options: { directMessages: 'as-rooms', directCategory: 'DMs' }, startDate: new Date(T + 1800).toISOString() };
    const direct = await cleanImports(asRooms, 'mm-as-rooms', true);
    assertFound(await verifyCase(asRooms, damaged(direct, (db) => run(db, "DELETE FROM messages WHERE text = 'hi alice'"))), /content alice, bob: message count: source 2, target 1/);
    // zed: the account made for an author who is no user of the export; "thumbs twice": 👍 from :thumbsup: and :+1:.
    await assertLossesFound(c, plain, { plain: 'secret stuff', edited: 'reply one', reacted: 'thumbs twice', reply: 'reply one', room: 'Secret', login: 'zed', file: 'with files' });
  });

  it('irc-logs: clean imports verify clean, and every loss is found', async () => {
    const location = join(work, 'irc');
    writeLogs(location);
    const c: Case = { kind: 'irc-logs', location, options: { logTimezone: ZONE }, startDate: null };
    const plain = await cleanImports(c, 'irc');
    await assertLossesFound(c, plain, { plain: 'late night deploy', room: 'ops', login: 'dave' });
  });

  it('groupchat-db: clean imports verify clean (a message naming its file twice), and every loss is found', async () => {
    const t = baseTables();
    t.tblChat.rows.push(chat(10, 3, 100, 'ma-filelink://x/c/one.txt (again: ma-filelink://x/c/one.txt)'));
    const location = await writeDump(work, t);
    mkdirSync(join(location, 'filestore', 'c'), { recursive: true });
    writeFileSync(join(location, 'filestore', 'c', 'one.txt'), 'one');
    const c: Case = { kind: 'groupchat-db', location, options: {}, startDate: null };
    const plain = await cleanImports(c, 'gc');
    const fileText = valueOf(plain, 'SELECT text FROM messages WHERE has_file = 1') as string;
    assert.ok(readdirSync(join(plain, 'files')).length > 0, 'the file reached the file store');
    await assertLossesFound(c, plain, { plain: 'world', room: 'room', login: 'bob@example.com', file: fileText });
  });
});
