import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SYSTEM_ACTOR } from '../../../src/app/context.js';
import { openDir, pchat } from '../../helpers/interchange.js';
import { cliWorkDir } from '../longNames.js';
import { EXPECTED, writeLogs, ZONE } from './fixture.js';

// Issue 18, points 1, 2 and 5 through the real `pchat` executable on a real SQLite database:
// irc-logs:<dir> in export, import (people mapped, not invented), verify and migrate plan.

const messagesByLogin = (db: string): Record<string, number> => {
  const d = new Database(join(db, 'pchat.db'), { readonly: true });
  try {
    const rows = d.prepare("SELECT u.login AS login, count(*) AS n FROM messages m JOIN users u ON u.id = m.author_id WHERE m.origin_system = 'irc-logs' GROUP BY u.login").all() as { login: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.login, r.n]));
  } finally {
    d.close();
  }
};
const userCount = (db: string): number => {
  const d = new Database(join(db, 'pchat.db'), { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  } finally {
    d.close();
  }
};

describe('irc-logs through the pchat command', () => {
  const { path, ok } = cliWorkDir('irclogs');

  it('exports, lists unmapped authors, refuses to invent accounts, maps by file, e-mail and login, imports idempotently and verifies', async () => {
    const logs = path('logs');
    writeLogs(logs);
    const db = path('target');
    const local = await openDir(db);
    for (const [login, email] of [['robert', null], ['alice', 'alice@example.com'], ['erin.smith', null]] as const) {
      await local.app.users.create(SYSTEM_ACTOR, { login, displayName: login, ...(email && { email }), password: 'a-long-password-1' });
    }
    await local.close();
    const users = path('users.csv');
    // grace and alice are one person: two nicks folded into one account (listed once in the category).
    writeFileSync(users, 'source,pchat\nbob,robert\nerin*,erin.smith\nfrank,new\ngrace,alice\n');

    const help = await ok(['export', '--help']);
    for (const flag of ['--log-format', '--log-timezone', '--log-encoding', '--category', '--room-privacy', 'irc-logs:<dir>']) assert.ok(help.includes(flag), flag);
    assert.match(await ok(['import', '--help']), /--create-users/);

    const archive = path('irc.zip');
    const exported = await ok(['export', '--from', `irc-logs:${logs}`, '--log-timezone', ZONE, '--out', archive]);
    assert.match(exported, /19 messages/);

    // The plan lists every unmapped author with their messages, before anything is written.
    const before = userCount(db);
    const whatIf = await pchat(['import', archive, '--what-if', '--users', users, '--data-dir', db]);
    assert.equal(whatIf.code, 1, whatIf.stdout);
    assert.match(whatIf.stdout, /user_unmapped: "dave" \(5 messages\) is no pchat account/);
    assert.match(whatIf.stdout, /user_unmapped: "carol" \(1 message\)/);
    assert.match(whatIf.stdout, /2 source users are not mapped to a pchat account \(6 messages\): the import creates no account unless asked \(--create-users\)/);
    assert.doesNotMatch(whatIf.stdout, /"(alice|bob|erin|frank|grace)" \(/);
    const refused = await pchat(['import', archive, '--yes', '--users', users, '--data-dir', db]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Refused: \d+ errors\. Nothing was changed\./);
    assert.equal(userCount(db), before, 'no account invented');

    const imported = await ok(['import', archive, '--yes', '--users', users, '--create-users', '--data-dir', db]);
    assert.match(imported, /19 messages added/);
    const by = messagesByLogin(db);
    assert.deepEqual(by, { alice: 5, robert: 2, 'erin.smith': 3, frank: 3, carol: 1, dave: 5 }, 'bob → robert by the file, alice by login and grace by the file, erin by its alias line, frank new, the rest created');
    assert.equal(userCount(db), before + 3, 'frank, carol and dave created; nobody else');
    const d = new Database(join(db, 'pchat.db'), { readonly: true });
    const room = d.prepare("SELECT r.name AS name, r.description AS description, r.privacy AS privacy, c.name AS category FROM rooms r JOIN categories c ON c.id = r.category_id WHERE r.name = 'pchat'").get();
    assert.deepEqual(room, { name: 'pchat', description: EXPECTED.rooms['libera/#pchat'], privacy: 'open', category: 'IRC' });
    assert.deepEqual(d.prepare("SELECT kind, text FROM messages WHERE text IN ('/me waves', 'the build is green') ORDER BY text").all(), [{ kind: 'text', text: '/me waves' }, { kind: 'notice', text: 'the build is green' }]);
    d.close();

    // Idempotent: the same archive again adds nothing and creates nobody.
    // (The category's allowed list names alice once although two nicks fold into her: nothing to update.)
    assert.match(await ok(['import', archive, '--yes', '--users', users, '--data-dir', db]), /Imported: 0 created, 0 updated, \d+ unchanged, 0 messages added/);
    assert.equal(userCount(db), before + 3);

    // Verify reads the logs again, through the same mapping and conversions.
    assert.match(await ok(['verify', '--source', `irc-logs:${logs}`, '--log-timezone', ZONE, '--users', users, '--data-dir', db]), /No unexplained difference/);
    const wrongZone = await pchat(['verify', '--source', `irc-logs:${logs}`, '--users', users, '--data-dir', db]);
    assert.equal(wrongZone.code, 1, 'read in UTC the times differ');
    assert.match(wrongZone.stdout, /at/);
    const noFile = await pchat(['verify', '--source', `irc-logs:${logs}`, '--log-timezone', ZONE, '--data-dir', db]);
    assert.equal(noFile.code, 1, 'without the mapping file bob is not robert');

    // The options of a log source are refused for other sources.
    const misplaced = await pchat(['export', '--from', archive, '--log-timezone', ZONE, '--out', path('x.zip'), '--data-dir', db]);
    assert.notEqual(misplaced.code, 0);
    assert.match(misplaced.stderr, /--log-timezone applies to an irc-logs:<dir> source only/);
  });

  it('migrate plan lists the unmapped authors of an irc-logs source; with --create-users, migrate run completes and verifies', async () => {
    const logs = path('logs-plan');
    writeLogs(logs);
    const db = path('plan-target');
    await (await openDir(db)).close();
    const run = await pchat(['migrate', 'plan', '--from', `irc-logs:${logs}`, '--log-timezone', ZONE, '--to', join(db, 'pchat.db'), '--calibrate', '5', '--out', path('plan.json')]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /"dave" \(5 messages\) is no pchat account/);
    const created = await pchat(['migrate', 'plan', '--from', `irc-logs:${logs}`, '--log-timezone', ZONE, '--to', join(db, 'pchat.db'), '--create-users', '--calibrate', '5', '--out', path('plan2.json')]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    // The plan keeps --create-users and the log options: every step of the run converts and maps alike.
    const ran = await pchat(['migrate', 'run', '--plan', path('plan2.json'), '--legacy-stopped', '--yes']);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /19 messages added/);
    assert.match(ran.stdout, /no unexplained difference/);
  });
});
