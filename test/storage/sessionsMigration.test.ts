import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { upgradePostgres, upgradeSqlite } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

const DAY = 86_400_000;
const EXPIRES = Date.UTC(2027, 0, 31);

/** What a session of before migration 0014 becomes: still valid, created 30 days before its expiry, last used at the upgrade. */
async function checkUpgraded(store: Store, before: number): Promise<void> {
  const session = await store.sessions.get('old-token-hash');
  assert.ok(session, 'the session survives the upgrade');
  assert.ok(Number.isInteger(session.id) && session.id > 0);
  assert.equal(session.kind, 'token');
  assert.equal(session.createdAt, EXPIRES - 30 * DAY);
  assert.equal(session.expiresAt, EXPIRES);
  assert.ok(session.lastUsedAt >= before - 1000 && session.lastUsedAt <= Date.now() + 1000, `last use is the upgrade's time: ${session.lastUsedAt}`);
  assert.equal(session.mustChangePassword, false);
  assert.deepEqual([session.userAgent, session.address], [null, null]);
  // New sessions get the next ids.
  const next = await store.sessions.create({ tokenHash: 'new', userId: session.userId, kind: 'token', createdAt: Date.now(), expiresAt: EXPIRES, userAgent: null, address: null }, 0);
  assert.ok(next.id > session.id);
}

describe('migration 0014 keeps the sessions of before', () => {
  it('SQLite', async () => {
    let before = 0;
    await upgradeSqlite(
      14,
      (db) => {
        const user = db.prepare("INSERT INTO users (login, display_name, disabled, is_admin, created_at) VALUES ('old@example.com', 'Old', 0, 0, 0)").run();
        db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)').run('old-token-hash', user.lastInsertRowid, EXPIRES);
        before = Date.now();
      },
      (store) => checkUpgraded(store, before),
    );
  });

  describe('PostgreSQL', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('upgrades in place', async () => {
      let before = 0;
      await upgradePostgres(
        cluster,
        14,
        async (raw) => {
          const { rows } = await raw.query<{ id: string }>("INSERT INTO users (login, display_name, created_at) VALUES ('old@example.com', 'Old', 0) RETURNING id");
          await raw.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', ['old-token-hash', rows[0]?.id, EXPIRES]);
          before = Date.now();
        },
        (store) => checkUpgraded(store, before),
      );
    });
  });
});
