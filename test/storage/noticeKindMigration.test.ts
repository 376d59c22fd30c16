import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Store } from '../../src/ports/store.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { upgradePostgres, upgradeSqlite } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

/** After migration 0016 a store keeps notices as notices, next to what it held before. */
async function checkNotices(store: Store): Promise<void> {
  const { roomId, userId } = await seedRoom(store, 'after-upgrade');
  await store.messages.append([post(roomId, userId, 'a message'), post(roomId, userId, 'a notice', { kind: 'notice' })]);
  const page = await store.messages.history({ roomId, limit: 10 });
  assert.deepEqual(
    page.map((m) => [m.text, m.kind]),
    [
      ['a message', 'text'],
      ['a notice', 'notice'],
    ],
  );
}

describe('migration 0016 adds the notice message kind', () => {
  it('SQLite: widens the CHECK in place, still refuses other kinds, and connections already open see it', async () => {
    const kindOf = (db: Database.Database, k: string) => () =>
      db.prepare("INSERT INTO messages (room_id, seq, author_id, kind, text, created_at) SELECT id, 999, (SELECT id FROM users LIMIT 1), ?, 'raw', 0 FROM rooms WHERE id > 0 LIMIT 1").run(k);
    await upgradeSqlite(
      16,
      () => undefined,
      async (store, db) => {
        await checkNotices(store);
        // The connection opened before the upgrade re-reads the schema: it may write notices too.
        assert.doesNotThrow(kindOf(db, 'notice'));
        assert.throws(kindOf(db, 'bogus'), /CHECK constraint failed/);
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
      await upgradePostgres(cluster, 16, async () => undefined, checkNotices);
    });
  });
});
