import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/ports/store.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

const newUser = (login: string) => ({ login, displayName: login, email: null, disabled: false, isAdmin: false, origin: null, passwordHash: 'h' });

/** Fills a user's SIP state, deletes the user with raw SQL (the port has no user delete), and expects nothing left. */
async function cascadeCase(store: Store, raw: (sql: string, params: unknown[]) => Promise<number>): Promise<void> {
  const u = await store.users.create(newUser('gone@example.com'));
  const keep = await store.users.create(newUser('kept@example.com'));
  await store.users.setNtHashEnc(u.id, Buffer.from([1, 2, 3]), 'h');
  await store.preferences.set(u.id, 'a', '1', 10);
  await store.preferences.set(keep.id, 'a', '2', 10);
  assert.equal(await raw('SELECT count(*) AS n FROM user_prefs WHERE user_id = $1', [u.id]), 1);
  await raw('DELETE FROM users WHERE id = $1', [u.id]);
  assert.equal(await raw('SELECT count(*) AS n FROM user_prefs WHERE user_id = $1', [u.id]), 0, 'preferences go with the user');
  assert.deepEqual(await store.preferences.list(keep.id), [{ key: 'a', value: '2' }]);
  assert.equal(await store.users.ntHashEnc(u.id), null);
}

describe('SIP schema (migration 0009)', () => {
  it('sqlite: preferences are deleted with their user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pchat-sip-'));
    const file = join(dir, 'pchat.db');
    const store = createSqliteStore(file, { synchronous: 'normal' });
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    try {
      await cascadeCase(store, async (sql, params) => {
        const statement = db.prepare(sql.replace(/\$\d/g, '?'));
        if (statement.reader) return Number((statement.get(...params) as { n: number }).n);
        return statement.run(...params).changes;
      });
      assert.deepEqual(
        (db.prepare("SELECT name FROM pragma_table_info('users') WHERE name = 'nt_hash_enc'").all() as { name: string }[]).map((r) => r.name),
        ['nt_hash_enc'],
      );
    } finally {
      db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('postgres', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('postgres: preferences are deleted with their user', async () => {
      const url = await cluster.createSchema();
      const store = await createPostgresStore(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await cascadeCase(store, async (sql, params) => {
          const result = await client.query<{ n: string }>(sql, params);
          return result.command === 'SELECT' ? Number(result.rows[0]?.n) : (result.rowCount ?? 0);
        });
      } finally {
        await client.end();
        await store.close();
        cluster.drop(url);
      }
    });
  });
});
