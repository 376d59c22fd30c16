import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { post } from '../../src/storage/contract/harness.js';
import { CHECKED_CLIENT_ID } from '../../src/storage/rows.js';
import { seedPostgres, upgradePostgres, upgradeSqlite, withPostgres } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

/**
 * Migration 0024 leaves the clientIds IRC makes itself (`irc-…`) out of the uniqueness index:
 * they are unique by construction, and the index cost every IRC post a page write in its author's
 * part of it. Every other clientId must stay unique, and the stored IRC ids must stay readable.
 */

// Users 1 and 2, room 1 with a post from the web ('web-1') and one over IRC ('irc-AbCd-1').
const SEED = [
  "INSERT INTO users (id, login, display_name, created_at) VALUES (1, 'alice', 'Alice', 0), (2, 'bob', 'Bob', 0)",
  "INSERT INTO categories (id, name, invitations, file_upload, chat_history) VALUES (1, 'cat', TRUE, TRUE, TRUE)",
  "INSERT INTO rooms (id, name, category_id, privacy, type, invitations, created_at, last_seq) VALUES (1, 'room', 1, 'open', 'normal', 'inherit', 0, 2)",
  `INSERT INTO messages (id, room_id, seq, author_id, kind, text, created_at, client_id) VALUES
     (1, 1, 1, 1, 'text', 'from the web', 1, 'web-1'),
     (2, 1, 2, 1, 'text', 'over IRC', 2, 'irc-AbCd-1')`,
];

/** What both stores must do after the upgrade, through the store. */
async function checkThroughStore(store: Store): Promise<void> {
  const page = await store.messages.history({ roomId: 1, limit: 10 });
  assert.deepEqual(
    page.map((m) => [m.seq, m.clientId]),
    [
      [1, 'web-1'],
      [2, 'irc-AbCd-1'],
    ],
    'the ids are still stored',
  );
  const [again] = await store.messages.append([post(1, 1, 'from the web', { clientId: 'web-1' })]);
  assert.equal(again!.duplicate, true, 'a clientId from a client is still found when repeated');
  assert.equal(again!.message.id, 1);
  const results = await store.messages.append([post(1, 1, 'retry', { clientId: 'web-2' }), post(1, 1, 'retry', { clientId: 'web-2' })]);
  assert.deepEqual(
    results.map((r) => r.duplicate),
    [false, true],
    'and so is one repeated within a batch',
  );
  const [irc] = await store.messages.append([post(1, 1, 'over IRC, next line', { clientId: 'irc-AbCd-2' })]);
  assert.equal(irc!.duplicate, false);
  assert.equal(irc!.message.clientId, 'irc-AbCd-2');
}

describe('migration 0024 leaves the clientIds IRC makes out of the uniqueness index', () => {
  it('SQLite: the index holds the other ids only, and a query by clientId still uses it', async () => {
    await upgradeSqlite(
      24,
      (db) => {
        for (const statement of SEED) db.exec(statement.replace(/\bTRUE\b/g, '1'));
      },
      async (store, db) => {
        await checkThroughStore(store);
        const indexSql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'messages_client_id'").pluck().get() as string;
        assert.match(indexSql, /WHERE client_id IS NOT NULL AND substr\(client_id, 1, 4\) <> 'irc-'/);
        // The stores' condition is the index's: INDEXED BY fails unless the query can use the index.
        assert.equal(db.prepare(`SELECT count(*) FROM messages INDEXED BY messages_client_id WHERE ${CHECKED_CLIENT_ID}`).pluck().get(), 2, 'the two web ids');
        assert.equal(db.prepare("SELECT count(*) FROM messages WHERE client_id LIKE 'irc-%'").pluck().get(), 2);
        const insert = (clientId: string) => () =>
          db.prepare("INSERT INTO messages (room_id, seq, author_id, kind, text, created_at, client_id) VALUES (1, (SELECT max(seq) + 1 FROM messages), 1, 'text', 'raw', 9, ?)").run(clientId);
        assert.throws(insert('web-1'), /UNIQUE constraint failed: messages\.room_id, messages\.author_id, messages\.client_id/);
      },
    );
  });

  describe('PostgreSQL', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('makes the index again with the same condition', async () => {
      await upgradePostgres(
        cluster,
        24,
        (raw) => seedPostgres(raw, SEED, ['users', 'categories', 'rooms', 'messages']),
        async (store, url) => {
          await checkThroughStore(store);
          await withPostgres(url, async (raw) => {
            const index = await raw.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_client_id'");
            assert.match(index.rows[0]?.indexdef ?? '', /UNIQUE INDEX .* WHERE \(\(client_id IS NOT NULL\) AND \(substr\(client_id, 1, 4\) <> 'irc-'::text\)\)/);
            const insert = (clientId: string) => raw.query("INSERT INTO messages (room_id, seq, author_id, kind, text, created_at, client_id) SELECT 1, max(seq) + 1, 1, 'text', 'raw', 9, $1 FROM messages", [clientId]);
            await assert.rejects(insert('web-1'), /duplicate key value violates unique constraint "messages_client_id"/);
          });
        },
      );
    });
  });
});
