import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { openDir, pchat } from '../helpers/interchange.js';
import { cliWorkDir } from './longNames.js';
import { writeSlackExport } from './slackFixture.js';

// Issue 18, point 4 for slack:<export>, through the real `pchat` executable on a real SQLite
// database: export, import (people mapped), verify and migrate plan, once each.

describe('slack through the pchat command', () => {
  const { path, ok } = cliWorkDir('slack');

  it('exports, imports with the people mapping, verifies and plans a migration', async () => {
    const dir = writeSlackExport(path('export'));
    const db = path('target');
    const local = await openDir(db);
    await local.app.users.create(SYSTEM_ACTOR, { login: 'robert', displayName: 'Robert', password: 'a-long-password-1' });
    await local.app.users.create(SYSTEM_ACTOR, { login: 'alice.smith', displayName: 'Alice', email: 'ALICE@example.com', password: 'a-long-password-1' });
    await local.close();
    const users = path('users.csv');
    writeFileSync(users, 'source,pchat\nU2,robert\n');

    const help = await ok(['export', '--help']);
    for (const flag of ['slack:<export.zip|dir>', 'mattermost:<export.zip|export.jsonl>', '--direct-messages', '--direct-category']) assert.ok(help.includes(flag), flag);
    const archive = path('slack.zip');
    assert.match(await ok(['export', '--from', `slack:${dir}`, '--out', archive]), /17 messages/);
    const misplaced = await pchat(['export', '--from', `slack:${dir}`, '--direct-messages', 'as-rooms', '--out', path('x.zip')]);
    assert.equal(misplaced.code, 1);
    assert.match(misplaced.stderr, /--direct-messages as-rooms needs --direct-category <name>/);
    const notHere = await pchat(['export', '--from', archive, '--direct-category', 'DMs', '--out', path('y.zip'), '--data-dir', db]);
    assert.match(notHere.stderr, /--direct-category applies to a slack:<export> or a mattermost:<export> source only/);

    assert.match(await ok(['import', archive, '--yes', '--users', users, '--create-users', '--data-dir', db]), /17 messages added/);
    const d = new Database(join(db, 'pchat.db'), { readonly: true });
    try {
      const by = Object.fromEntries((d.prepare("SELECT u.login AS login, count(*) AS n FROM messages m JOIN users u ON u.id = m.author_id WHERE m.origin_system LIKE 'slack%' GROUP BY u.login").all() as { login: string; n: number }[]).map((r) => [r.login, r.n]));
      assert.deepEqual(by, { 'alice.smith': 6, robert: 6, carol: 1, dave: 1, deploybot: 1, 'ci-bot': 1, slackbot: 1 }, 'alice by e-mail, bob by the file, the rest created');
      const rooms = d.prepare("SELECT r.name AS name, r.privacy AS privacy, r.disabled AS disabled FROM rooms r JOIN categories c ON c.id = r.category_id WHERE c.name = 'Slack' ORDER BY r.name").all();
      assert.deepEqual(rooms, [{ name: 'general', privacy: 'open', disabled: 0 }, { name: 'old-stuff', privacy: 'open', disabled: 1 }, { name: 'random', privacy: 'open', disabled: 0 }, { name: 'secret-plans', privacy: 'secret', disabled: 0 }]);
      // The thread reply answers its first message; the reply whose thread began before the export stands alone; the edit keeps its mark.
      const row = (text: string) => d.prepare('SELECT id, reply_to AS replyTo, edited_at AS editedAt FROM messages WHERE text = ?').get(text) as { id: number; replyTo: number | null; editedAt: number | null };
      assert.equal(row('and is answered').replyTo, row('a thread starts').id);
      assert.equal(row('answering something older').replyTo, null);
      assert.equal(row('fixed text').editedAt, Date.parse('2021-03-01T00:01:30.000Z'));
      // Reactions reach the database: :thumbsup: and :+1: are one 👍 (the unknown U9 left out), a custom emoji keeps its name.
      const reactions = d.prepare("SELECT r.emoji AS emoji, count(*) AS n FROM message_reactions r JOIN messages m ON m.id = r.message_id WHERE m.text LIKE 'Hello %' GROUP BY r.emoji ORDER BY r.emoji").all();
      assert.deepEqual(reactions, [{ emoji: ':partyparrot:', n: 1 }, { emoji: '👍', n: 2 }]);
    } finally {
      d.close();
    }

    assert.match(await ok(['verify', '--source', `slack:${dir}`, '--users', users, '--data-dir', db]), /No unexplained difference/);
    const plan = await pchat(['migrate', 'plan', '--from', `slack:${dir}`, '--to', join(db, 'pchat.db'), '--users', users, '--create-users', '--calibrate', '5', '--out', path('plan.json')]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });
});
