import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Store } from '../../src/ports/store.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { applySqliteMigrationsBefore, upgradePostgres } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

/** After migration 0017 a store edits and deletes authors' messages, next to the records it held before. */
async function checkUpgraded(store: Store): Promise<void> {
  const before = await store.compliance.list({ limit: 10 });
  assert.deepEqual(
    before.map((e) => [e.type, e.data]),
    [['CHAT', { text: 'said before the upgrade' }]],
    'the records kept before the upgrade are intact',
  );
  const { roomId, userId } = await seedRoom(store, 'after-upgrade');
  const [m] = await store.messages.append([post(roomId, userId, 'typo heer')]);
  assert.equal('editedAt' in m!.message, false);
  const edited = await store.messages.editOwn({ id: m!.message.id, authorId: userId, text: 'typo here', at: 10 });
  assert.equal(edited?.after.editedAt, 10);
  assert.equal(await store.messages.removeOwn({ id: m!.message.id, authorId: userId, at: 11, reason: null }).then((r) => r?.text), 'typo here');
  assert.deepEqual(
    (await store.compliance.list({ afterId: before.at(-1)!.id, limit: 10 })).map((e) => e.type),
    ['CHAT', 'EDIT', 'DELETE'],
  );
}

describe('migration 0017 adds edited_at and the EDIT and DELETE compliance types', () => {
  it('SQLite: widens the compliance CHECK in place, still refuses other types, and connections already open see it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pchat-own-edits-migration-'));
    const file = join(dir, 'pchat.db');
    try {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      // 0016 edits the stored schema too, which better-sqlite3 allows only in unsafe mode (as the store's runner does).
      db.unsafeMode(true);
      applySqliteMigrationsBefore(db, 17);
      db.unsafeMode(false);
      db.prepare(`INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ('CHAT', 1, 1, 1, '{"text":"said before the upgrade"}')`).run();
      const record = (type: string) => () => db.prepare('INSERT INTO compliance (type, room_id, user_id, at) VALUES (?, 1, 1, 2)').run(type);
      assert.throws(record('EDIT'), /CHECK constraint failed/, 'before the upgrade EDIT is refused');
      const store = createSqliteStore(file, { synchronous: 'normal' });
      try {
        await checkUpgraded(store);
        // The connection opened before the upgrade re-reads the schema: it may write the new types too.
        assert.doesNotThrow(record('DELETE'));
        assert.throws(record('BOGUS'), /CHECK constraint failed/);
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      } finally {
        db.close();
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('upgrades in place', async () => {
      await upgradePostgres(
        cluster,
        17,
        async (raw) => void (await raw.query(`INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ('CHAT', 1, 1, 1, '{"text":"said before the upgrade"}')`)),
        checkUpgraded,
      );
    });
  });
});
