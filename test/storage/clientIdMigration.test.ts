import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/ports/store.js';
import { post } from '../../src/storage/contract/harness.js';
import { seedPostgres, upgradePostgres, upgradeSqlite, withPostgres } from '../helpers/migrations.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

/**
 * Migration 0022 turns UNIQUE (room_id, author_id, client_id) into a partial unique index over
 * the messages that have a clientId. On SQLite it rebuilds `messages`, which the full-text index,
 * files, reactions, mentions and feed hits point at: every one of them must still find its row.
 */

// Users 1 (alice) and 2 (bob), room 1 with four messages: two posted with clientIds, two imported
// (no clientId), one of those a reply to the other; a reaction, a mention, a file and a feed hit.
const SEED = [
  "INSERT INTO users (id, login, display_name, created_at) VALUES (1, 'alice', 'Alice', 0), (2, 'bob', 'Bob', 0)",
  "INSERT INTO categories (id, name, invitations, file_upload, chat_history) VALUES (1, 'cat', TRUE, TRUE, TRUE)",
  "INSERT INTO rooms (id, name, category_id, privacy, type, invitations, created_at, last_seq) VALUES (1, 'room', 1, 'open', 'normal', 'inherit', 0, 4)",
  `INSERT INTO messages (id, room_id, seq, author_id, kind, text, created_at, client_id, origin_system, origin_id, reply_to, reply_count, has_reactions, has_file) VALUES
     (1, 1, 1, 1, 'text', 'posted with a client id', 1, 'c1', NULL, NULL, NULL, 0, TRUE, FALSE),
     (2, 1, 2, 2, 'text', 'imported parent', 2, NULL, 'slack', 'C1/1', NULL, 1, FALSE, FALSE),
     (3, 1, 3, 2, 'text', 'imported reply', 3, NULL, 'slack', 'C1/2', 2, 0, FALSE, FALSE),
     (4, 1, 4, 1, 'text', 'posted again', 4, 'c2', NULL, NULL, NULL, 0, FALSE, TRUE)`,
  "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (1, 2, '👍', 5)",
  'INSERT INTO mentions (user_id, message_id, room_id, seq) VALUES (2, 1, 1, 1)',
  `INSERT INTO files (room_id, message_id, name, content_type, size, sha256, uploader_id, created_at) VALUES (1, 4, 'a.txt', 'text/plain', 1, '${'a'.repeat(64)}', 1, 4)`,
];

/** What both stores must show after the upgrade, through the store. */
async function checkThroughStore(store: Store): Promise<void> {
  const page = await store.messages.history({ roomId: 1, limit: 10 });
  assert.deepEqual(
    page.map((m) => [m.seq, m.text, m.clientId, m.replyTo?.seq ?? null, m.replyCount ?? 0]),
    [
      [1, 'posted with a client id', 'c1', null, 0],
      [2, 'imported parent', null, null, 1],
      [3, 'imported reply', null, 2, 0],
      [4, 'posted again', 'c2', null, 0],
    ],
  );
  assert.deepEqual(page[0]!.reactions, [{ emoji: '👍', userIds: [2] }], 'the reaction still points at its message');
  const [again] = await store.messages.append([post(1, 1, 'posted with a client id', { clientId: 'c1' })]);
  assert.equal(again!.duplicate, true, 'a post repeated with its clientId is still found');
  const [other] = await store.messages.append([post(1, 2, 'same clientId, another author', { clientId: 'c1' })]);
  assert.equal(other!.duplicate, false);
}

describe('migration 0022 keeps clientIds unique only where there is one', () => {
  it('SQLite: rebuilds messages with every row, reference, index and trigger, and refuses a repeated clientId', async () => {
    await upgradeSqlite(
      22,
      (db) => {
        for (const statement of SEED) db.exec(statement.replace(/\bTRUE\b/g, '1').replace(/\bFALSE\b/g, '0'));
        db.exec("INSERT INTO feed_filters (id, user_id, name, words, created_at) VALUES (1, 1, 'f', 'imported', 0)");
        db.exec('INSERT INTO feed_hits (filter_id, message_id, room_id) VALUES (1, 2, 1)');
        db.exec('INSERT INTO messages_fts (rowid, title, text) SELECT id, title, text FROM messages');
      },
      async (store, db) => {
        await checkThroughStore(store);
        db.pragma('foreign_keys = ON');
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
        assert.deepEqual(db.pragma('foreign_key_check'), []);
        db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"); // throws if the index and the rows disagree
        const tableSql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'messages'").pluck().get() as string;
        assert.doesNotMatch(tableSql, /client_id\)/, 'the constraint is gone from the table');
        assert.match(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'messages_client_id'").pluck().get() as string, /WHERE client_id IS NOT NULL/);
        const insert = (author: number, clientId: string | null) => () =>
          db.prepare("INSERT INTO messages (room_id, seq, author_id, kind, text, created_at, client_id) VALUES (1, (SELECT max(seq) + 1 FROM messages), ?, 'text', 'raw', 9, ?)").run(author, clientId);
        assert.throws(insert(1, 'c2'), /UNIQUE constraint failed: messages\.room_id, messages\.author_id, messages\.client_id/);
        assert.doesNotThrow(insert(1, null));
        assert.doesNotThrow(insert(1, null));
        const search = (word: string) => db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid').pluck().all(word);
        assert.deepEqual(search('imported'), [2, 3]);
        // The triggers are back: deleting the reply takes its parent's count down and its words out of the index.
        db.exec('DELETE FROM messages WHERE id = 3');
        assert.equal(db.prepare('SELECT reply_count FROM messages WHERE id = 2').pluck().get(), 0);
        assert.deepEqual(search('imported'), [2]);
        // The references still cascade from the rebuilt table.
        db.exec('DELETE FROM messages WHERE id IN (1, 2, 4)');
        for (const table of ['message_reactions', 'mentions', 'files', 'feed_hits']) assert.equal(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, `${table} followed its message`);
      },
    );
  });

  describe('PostgreSQL', () => {
    let cluster: PostgresCluster;
    before(async () => {
      cluster = await startPostgres();
    });
    after(() => cluster?.stop());

    it('replaces the constraint by the partial index in place', async () => {
      await upgradePostgres(
        cluster,
        22,
        (raw) => seedPostgres(raw, SEED, ['users', 'categories', 'rooms', 'messages']),
        async (store, url) => {
          await checkThroughStore(store);
          await withPostgres(url, async (raw) => {
            const constraints = await raw.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'messages'::regclass AND contype = 'u' ORDER BY 1");
            assert.deepEqual(constraints.rows.map((r: { def: string }) => r.def), ['UNIQUE (origin_system, origin_id)', 'UNIQUE (room_id, seq)']);
            const index = await raw.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_client_id'");
            assert.match(index.rows[0]?.indexdef ?? '', /UNIQUE INDEX .* WHERE \(+client_id IS NOT NULL\)/);
            const insert = (clientId: string | null) => raw.query("INSERT INTO messages (room_id, seq, author_id, kind, text, created_at, client_id) SELECT 1, max(seq) + 1, 1, 'text', 'raw', 9, $1 FROM messages", [clientId]);
            await assert.rejects(insert('c2'), /duplicate key value violates unique constraint "messages_client_id"/);
            await insert(null);
            await insert(null);
          });
        },
      );
    });
  });
});
