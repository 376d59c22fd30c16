import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Store } from '../../src/ports/store.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { upgradePostgres, upgradeSqlite } from '../helpers/migrations.js';
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
    const record = (db: Database.Database, type: string) => () => db.prepare('INSERT INTO compliance (type, room_id, user_id, at) VALUES (?, 1, 1, 2)').run(type);
    await upgradeSqlite(
      17,
      (db) => {
        db.prepare(`INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ('CHAT', 1, 1, 1, '{"text":"said before the upgrade"}')`).run();
        assert.throws(record(db, 'EDIT'), /CHECK constraint failed/, 'before the upgrade EDIT is refused');
      },
      async (store, db) => {
        await checkUpgraded(store);
        // The connection opened before the upgrade re-reads the schema: it may write the new types too.
        assert.doesNotThrow(record(db, 'DELETE'));
        assert.throws(record(db, 'BOGUS'), /CHECK constraint failed/);
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      },
    );
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
