import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { pchat } from '../helpers/interchange.js';
import { writeLogs, ZONE } from './irclogs/fixture.js';
import { cliWorkDir } from './longNames.js';
import { writeSlackExport } from './slackFixture.js';

// `pchat import <kind>:<location>`: a legacy source read straight into pchat, through the real
// `pchat` executable on real SQLite databases. What it writes must be what export-then-import of
// the same source writes, row for row, so either can be re-run over the other.

/** Everything an import writes, with pchat's ids replaced by the imported items' identities (origins), sorted. */
function contentsOf(dataDir: string): Record<string, unknown[]> {
  const d = new Database(join(dataDir, 'pchat.db'), { readonly: true });
  const all = (sql: string) => d.prepare(sql).all().map((r) => JSON.stringify(r)).sort();
  try {
    return {
      users: all('SELECT login, display_name, email, disabled, is_admin, origin_system, origin_id FROM users'),
      categories: all('SELECT name, description, invitations, file_upload, chat_history, origin_system, origin_id FROM categories'),
      categoryPrincipals: all(
        'SELECT c.origin_id AS category, p.list, p.principal_kind, coalesce(u.origin_id, p.principal_id) AS principal, p.position FROM category_principals p JOIN categories c ON c.id = p.category_id LEFT JOIN users u ON p.principal_kind = \'user\' AND u.id = p.principal_id',
      ),
      rooms: all('SELECT r.name, r.description, c.origin_id AS category, r.privacy, r.type, r.invitations, r.disabled, r.last_seq, r.created_at, r.origin_system, r.origin_id, r.direct FROM rooms r JOIN categories c ON c.id = r.category_id'),
      roomRoles: all("SELECT r.origin_id AS room, rr.role, rr.principal_kind, coalesce(u.origin_id, rr.principal_id) AS principal, rr.position FROM room_roles rr JOIN rooms r ON r.id = rr.room_id LEFT JOIN users u ON rr.principal_kind = 'user' AND u.id = rr.principal_id"),
      messages: all(
        `SELECT r.origin_id AS room, m.seq, u.login AS author, m.kind, m.title, m.text, m.created_at, m.origin_system, m.origin_id, m.has_file, m.edited_at,
                p.origin_id AS reply_to, m.reply_count, m.has_reactions
           FROM messages m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.author_id LEFT JOIN messages p ON p.id = m.reply_to`,
      ),
      reactions: all('SELECT m.origin_id AS message, u.login AS user, x.emoji, x.created_at FROM message_reactions x JOIN messages m ON m.id = x.message_id JOIN users u ON u.id = x.user_id'),
      search: all("SELECT m.origin_id FROM messages_fts f JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH 'plan OR hello OR build'"),
    };
  } finally {
    d.close();
  }
}

const messagesAdded = (stdout: string): number => Number(/(\d+) messages added/.exec(stdout)?.[1] ?? Number.NaN);

describe('pchat import <kind>:<location>', () => {
  const { path, ok } = cliWorkDir('direct');

  it('imports a Slack export directly as export-then-import does, idempotently with it, and --what-if changes nothing', async () => {
    const dir = writeSlackExport(path('slack'));
    const renames = path('renames.csv');
    writeFileSync(renames, 'kind,source id,new name\nroom,C2,watercooler\n');
    // Kind options and a rename file reach the checking thread too (it opens the source itself).
    const kindOptions = ['--direct-messages', 'as-rooms', '--direct-category', 'DMs', '--renames', renames];
    const direct = path('direct');
    const viaArchive = path('via-archive');
    const archive = path('slack.zip');
    const [directRun] = await Promise.all([
      ok(['import', `slack:${dir}`, ...kindOptions, '--yes', '--create-users', '--data-dir', direct]),
      ok(['export', '--from', `slack:${dir}`, ...kindOptions, '--out', archive]),
    ]);
    assert.match(directRun, /Written in one transaction while the source was checked/, 'the bulk path, its check on the worker thread');
    assert.equal(messagesAdded(directRun), 19, '17 channel messages and 2 of the direct conversations');
    const archiveRun = await ok(['import', archive, '--yes', '--create-users', '--data-dir', viaArchive]);
    // The same warnings and conversions are printed (the plan is the same) ...
    assert.equal(directRun.replace(/the source was/g, 'the archive was'), archiveRun);
    // ... and the same rows are written.
    const written = contentsOf(direct);
    assert.ok(written.messages!.length === 19 && written.reactions!.length > 0 && written.search!.length > 0);
    assert.ok(written.rooms!.some((r) => String(r).includes('"name":"watercooler"')), 'renamed');
    assert.deepEqual(written, contentsOf(viaArchive));

    // Idempotent with itself and with the archive (same origins); a dry run writes nothing.
    const [again, archiveOver, dryRun] = await Promise.all([
      ok(['import', `slack:${dir}`, ...kindOptions, '--yes', '--create-users', '--data-dir', direct]),
      ok(['import', `slack:${dir}`, ...kindOptions, '--yes', '--create-users', '--batched', '--data-dir', viaArchive]),
      ok(['import', `slack:${dir}`, ...kindOptions, '--what-if', '--create-users', '--data-dir', path('dry')]),
    ]);
    assert.equal(messagesAdded(again), 0);
    assert.equal(messagesAdded(archiveOver), 0, 'the direct import, batch by batch, over the archive import');
    assert.match(archiveOver, /Written batch by batch after the source was checked/);
    assert.match(dryRun, /19 new messages/);
    assert.match(dryRun, /Dry run: nothing was changed/);
    assert.deepEqual(contentsOf(direct), written);
    assert.deepEqual(contentsOf(viaArchive), written);
    const dry = contentsOf(path('dry'));
    assert.deepEqual([dry.messages, dry.rooms], [[], []]);
    assert.ok(Object.values(dry).flat().every((row) => !String(row).includes('"origin_system":"slack')), 'no Slack user or category created');

    // A bad source fails as `export --from` fails, and leaves the target as it was; so does a refused plan.
    const corrupt = writeSlackExport(path('corrupt'), { 'general/2021-03-01.json': '[{"ts": ' });
    const runs = await Promise.all([
      pchat(['export', '--from', `slack:${corrupt}`, '--out', path('x.zip')]),
      pchat(['import', `slack:${corrupt}`, '--yes', '--create-users', '--data-dir', direct]),
      pchat(['export', '--from', `slack:${path('missing')}`, '--out', path('y.zip')]),
      pchat(['import', `slack:${path('missing')}`, '--yes', '--data-dir', direct]),
      // Refused by the plan (into new databases, without --create-users: unmapped authors are errors): the same errors and exit code as the archive's.
      pchat(['import', `slack:${dir}`, ...kindOptions, '--yes', '--data-dir', path('refused-direct')]),
      pchat(['import', archive, '--yes', '--data-dir', path('refused-archive')]),
    ]);
    const [exportBad, importBad, exportMissing, importMissing, strictDirect, strictArchive] = runs;
    assert.match(strictDirect!.stdout, /user_unmapped: .*\n[^]*Refused: \d+ errors\. Nothing was changed\./);
    assert.deepEqual(contentsOf(path('refused-direct')).messages, []);
    assert.deepEqual([strictDirect!.code, strictDirect!.stdout], [strictArchive!.code, strictArchive!.stdout]);
    assert.equal(strictDirect!.code, 1);
    assert.match(exportBad!.stderr, /general\/2021-03-01\.json in .* is not valid JSON/);
    assert.match(exportMissing!.stderr, /cannot read .*missing/);
    assert.deepEqual([importBad!.code, importBad!.stderr], [exportBad!.code, exportBad!.stderr]);
    assert.deepEqual([importMissing!.code, importMissing!.stderr], [exportMissing!.code, exportMissing!.stderr]);
    assert.equal(importBad!.code, 1);
    assert.deepEqual(contentsOf(direct), written);
  });

  it('imports an irc-logs directory directly, with its kind options and --start-date, as export-then-import does', async () => {
    const logs = path('logs');
    writeLogs(logs);
    const options = ['--log-timezone', ZONE, '--start-date', '2024-02-01'];
    const archive = path('irc.zip');
    const [directRun] = await Promise.all([
      ok(['import', `irc-logs:${logs}`, ...options, '--yes', '--create-users', '--data-dir', path('irc-direct')]),
      ok(['export', '--from', `irc-logs:${logs}`, ...options, '--out', archive]),
    ]);
    const archiveRun = await ok(['import', archive, '--yes', '--create-users', '--data-dir', path('irc-archive')]);
    assert.match(directRun, /Written in one transaction while the source was checked/);
    assert.match(directRun, /--start-date 2024-02-01T00:00:00.000Z: left out 0 older messages/, 'the start date\'s note, as export writes it');
    assert.ok(messagesAdded(directRun) > 0 && messagesAdded(directRun) < 19, 'the messages from the start date on (the logs hold 19)');
    assert.equal(directRun.replace(/the source was/g, 'the archive was'), archiveRun);
    assert.deepEqual(contentsOf(path('irc-direct')), contentsOf(path('irc-archive')));
  });
});
