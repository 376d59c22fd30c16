import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { seedPostgres, upgradePostgres, upgradeSqlite, withPostgres } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

/**
 * Migration 0025 drops the index of messages by author: every post paid a page write of its
 * author's in it. Moderation's selection by author must still find exactly an author's messages,
 * page after page, on a database upgraded with messages in it.
 */

// Users 1 and 2; room 1 with messages by 1, 2, 1, 1.
const SEED = [
  "INSERT INTO users (id, login, display_name, created_at) VALUES (1, 'alice', 'Alice', 0), (2, 'bob', 'Bob', 0)",
  "INSERT INTO categories (id, name, invitations, file_upload, chat_history) VALUES (1, 'cat', TRUE, TRUE, TRUE)",
  "INSERT INTO rooms (id, name, category_id, privacy, type, invitations, created_at, last_seq) VALUES (1, 'room', 1, 'open', 'normal', 'inherit', 0, 4)",
  `INSERT INTO messages (id, room_id, seq, author_id, kind, text, created_at) VALUES
     (1, 1, 1, 1, 'text', 'a1', 1), (2, 1, 2, 2, 'text', 'b1', 2), (3, 1, 3, 1, 'text', 'a2', 3), (4, 1, 4, 1, 'text', 'a3', 4)`,
];

async function checkSelectByAuthor(store: Store): Promise<void> {
  const texts = async (afterId: number, limit: number) => (await store.messages.select({ authorId: 1, afterId, limit })).map((m) => m.text);
  assert.deepEqual(await texts(0, 10), ['a1', 'a2', 'a3']);
  assert.deepEqual(await texts(0, 2), ['a1', 'a2'], 'a page in id order');
  assert.deepEqual(await texts(3, 2), ['a3'], 'and the next one');
}

describe('migration 0025: no index of messages by author', () => {
  it('SQLite: the index is gone, and selection by author still finds every message of the author', async () => {
    await upgradeSqlite(
      25,
      (db) => SEED.forEach((sql) => db.exec(sql)),
      async (store, db) => {
        assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_author'").pluck().get(), 0);
        await checkSelectByAuthor(store);
      },
    );
  });

  describe('PostgreSQL', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('the same', async () => {
      await upgradePostgres(
        cluster,
        25,
        (raw) => seedPostgres(raw, SEED, ['users', 'categories', 'rooms', 'messages']),
        async (store, url) => {
          const found = await withPostgres(url, (raw) => raw.query("SELECT 1 FROM pg_indexes WHERE indexname = 'messages_author'"));
          assert.equal(found.rowCount, 0);
          await checkSelectByAuthor(store);
        },
      );
    });
  });
});
