import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { post } from '../../src/storage/contract/harness.js';
import { upgradeSqlite } from '../helpers/migrations.js';

/** Migration 0023 rebuilds SQLite's full-text index without per-message column sizes (columnsize = 0). */
describe('migration 0023: the full-text index without column sizes', () => {
  it('SQLite: finds what it found before, keeps indexing new, edited and deleted messages, and keeps no sizes', async () => {
    await upgradeSqlite(
      23,
      (db) => {
        db.exec("INSERT INTO users (id, login, display_name, created_at) VALUES (1, 'alice', 'Alice', 0)");
        db.exec("INSERT INTO categories (id, name, invitations, file_upload, chat_history) VALUES (1, 'cat', 1, 1, 1)");
        db.exec("INSERT INTO rooms (id, name, category_id, privacy, type, invitations, created_at, last_seq) VALUES (1, 'room', 1, 'open', 'normal', 'inherit', 0, 3)");
        db.exec(`INSERT INTO messages (id, room_id, seq, author_id, kind, title, text, created_at) VALUES
          (1, 1, 1, 1, 'text', NULL, 'the deploy went fine', 1), (2, 1, 2, 1, 'story', 'Déploiement', 'notes on the deploy', 2), (3, 1, 3, 1, 'text', NULL, 'lunch?', 3)`);
        db.exec('INSERT INTO messages_fts (rowid, title, text) SELECT id, title, text FROM messages');
        assert.equal(db.prepare('SELECT count(*) FROM messages_fts_docsize').pluck().get(), 3, 'before: a size row per message');
      },
      async (store, db) => {
        const search = async (...terms: string[]) => (await store.messages.search({ roomIds: [1], terms, limit: 10 })).map((m) => m.id);
        assert.deepEqual(await search('deploy'), [2, 1], 'what was indexed before the upgrade is found, newest first');
        assert.deepEqual(await search('deploiement'), [2], 'titles, with diacritics folded');
        const [added] = await store.messages.append([post(1, 1, 'another deploy today')]);
        assert.deepEqual(await search('deploy'), [added!.message.id, 2, 1], 'new messages are indexed');
        db.exec("UPDATE messages SET text = 'dinner?' WHERE id = 3");
        db.exec('DELETE FROM messages WHERE id = 1');
        assert.deepEqual(await search('deploy'), [added!.message.id, 2]);
        assert.deepEqual(await search('dinner'), [3]);
        assert.deepEqual(await search('lunch'), []);
        assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_fts_docsize'").pluck().get(), 0, 'no size table');
        assert.equal(db.prepare("SELECT v FROM messages_fts_config WHERE k = 'hashsize'").pluck().get(), 67108864, 'the pending-terms size of 0008 kept');
        db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"); // throws if the index and the rows disagree
      },
    );
  });
});
