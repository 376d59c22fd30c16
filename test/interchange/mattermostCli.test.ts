import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDir, pchat } from '../helpers/interchange.js';
import { cliWorkDir } from './longNames.js';
import { writeMattermostZip } from './mattermostFixture.js';

// Issue 18, point 4 for mattermost:<export>, through the real `pchat` executable on a real SQLite
// database: export (attachments carried into the archive), import, verify and migrate plan.

describe('mattermost through the pchat command', () => {
  const { path, ok } = cliWorkDir('mattermost');

  it('exports with the attachments, imports, verifies and plans a migration', async () => {
    const zip = await writeMattermostZip(path('mm.zip'));
    const db = path('target');
    await (await openDir(db)).close();
    const archive = path('archive.zip');
    assert.match(await ok(['export', '--from', `mattermost:${zip}`, '--direct-messages', 'as-rooms', '--direct-category', 'Direct', '--out', archive]), /11 messages/);
    const refused = await pchat(['import', archive, '--yes', '--data-dir', db]);
    assert.equal(refused.code, 1, 'no account is invented');
    assert.match(refused.stdout, /"bob" \(5 messages\) is no pchat account/);
    assert.match(await ok(['import', archive, '--yes', '--create-users', '--data-dir', db]), /11 messages added/);
    const d = new Database(join(db, 'pchat.db'), { readonly: true });
    try {
      assert.deepEqual(d.prepare('SELECT f.name AS name, f.size AS size FROM files f ORDER BY f.name').all(), [{ name: 'a.txt', size: 11 }, { name: 'b.png', size: 11 }]);
      assert.deepEqual(d.prepare("SELECT r.name AS name, r.privacy AS privacy, c.name AS category FROM rooms r JOIN categories c ON c.id = r.category_id WHERE c.name IN ('Engineering', 'Operations', 'Direct') ORDER BY r.name").all(), [
        { name: 'alice, bob', privacy: 'secret', category: 'Direct' },
        { name: 'Secret', privacy: 'secret', category: 'Engineering' },
        { name: 'Town Square (Engineering)', privacy: 'open', category: 'Engineering' },
        { name: 'Town Square (Operations)', privacy: 'open', category: 'Operations' },
      ]);
    } finally {
      d.close();
    }
    assert.match(await ok(['verify', '--source', `mattermost:${zip}`, '--direct-messages', 'as-rooms', '--direct-category', 'Direct', '--data-dir', db]), /No unexplained difference/);
    const plan = await pchat(['migrate', 'plan', '--from', `mattermost:${zip}`, '--to', join(db, 'pchat.db'), '--create-users', '--calibrate', '5', '--out', path('plan.json')]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });
});
