import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { upgradeSqlite } from '../helpers/migrations.js';

/** Migration 0019 on a database that has history: reactions, the has_reactions flag, and the widened compliance CHECK. */
describe('migration 0019 adds reactions and the REACT and UNREACT compliance types', () => {
  it('SQLite: widens the compliance CHECK in place (still refusing other types), and messages stored before take reactions', async () => {
    const record = (db: Database.Database, type: string) => () => db.prepare('INSERT INTO compliance (type, room_id, user_id, at) VALUES (?, 1, 1, 2)').run(type);
    await upgradeSqlite(
      19,
      (db) => {
        db.prepare(`INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ('EDIT', 1, 1, 1, '{"text":"before"}')`).run();
        assert.throws(record(db, 'REACT'), /CHECK constraint failed/, 'before the upgrade REACT is refused');
      },
      async (store, db) => {
        const { roomId, userId } = await seedRoom(store, 'after-upgrade');
        const [m] = await store.messages.append([post(roomId, userId, 'react to me')]);
        assert.equal((await store.reactions.add({ messageId: m!.message.id, userId, emoji: '👍', at: 5 }, 20))?.changed, true);
        assert.deepEqual((await store.messages.getBySeq(roomId, 1))?.reactions, [{ emoji: '👍', userIds: [userId] }]);
        assert.deepEqual((await store.compliance.list({ limit: 10 })).map((e) => e.type), ['EDIT', 'CHAT', 'REACT'], 'the old record kept, the new types written');
        assert.doesNotThrow(record(db, 'UNREACT'), 'the connection opened before the upgrade sees the new CHECK');
        assert.throws(record(db, 'BOGUS'), /CHECK constraint failed/);
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      },
    );
  });
});
