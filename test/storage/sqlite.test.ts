import { sqliteMigrations } from '../../src/storage/migrations/sqlite/index.js';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PchatError } from '../../src/core/errors.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';

describe('sqlite specifics', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-sqlite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the compliance and audit logs immutable even to raw SQL', async () => {
    const path = join(dir, 'compliance.db');
    const store = createSqliteStore(path);
    await store.compliance.append([{ type: 'JOIN', roomId: 1, userId: 1, at: 1, data: null }]);
    await store.close();
    const raw = new Database(path);
    assert.throws(() => raw.prepare("UPDATE compliance SET type = 'PART'").run(), /append-only/);
    assert.throws(() => raw.prepare('DELETE FROM compliance').run(), /append-only/);
    assert.equal((raw.prepare('SELECT count(*) AS n FROM compliance').get() as { n: number }).n, 1);
    raw.prepare("INSERT INTO audit (at, actor_id, is_admin, action, outcome) VALUES (1, 0, 1, 'x', 'ok')").run();
    assert.throws(() => raw.prepare('DELETE FROM audit').run(), /append-only/);
    raw.close();
  });

  it('applies migrations once, however often the database is opened', () => {
    const path = join(dir, 'twice.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), sqliteMigrations.map((m) => ({ version: m.version })).sort((a, b) => a.version - b.version));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL by default: a commit is on disk before it is acknowledged');
    db.close();
  });

  it('refuses a database written by a newer pchat', () => {
    const path = join(dir, 'newer.db');
    const db = openDatabase(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    db.close();
    assert.throws(
      () => openDatabase(path),
      (error: unknown) => error instanceof PchatError && /newer than this pchat/.test(error.message),
    );
  });

  it('keeps the full-text index in step with posts, imports (partly stored, renumbered), edits and deletes', async () => {
    // Since migration 0007 the writers index new rows themselves; FTS5's integrity check compares
    // the index with the messages table and fails on any row missing, extra or stale.
    const path = join(dir, 'fts.db');
    const store = createSqliteStore(path);
    const { userId, roomId } = await seedRoom(store);
    const legacy = (id: number, at: number) => ({ authorId: userId, kind: 'text' as const, title: null, text: `legacy words ${id}`, createdAt: at, origin: { system: 'legacy', id: String(id) } });
    await store.messages.append([post(roomId, userId, 'native words', { createdAt: 5000 })]);
    await store.messages.importHistory(roomId, [legacy(1, 1000), legacy(2, 2000)]);
    const result = await store.messages.importHistory(roomId, [legacy(2, 2000), legacy(3, 3000), legacy(4, 9000)]);
    assert.deepEqual(result, { inserted: 2, renumbered: true });
    const [first] = await store.messages.history({ roomId, afterSeq: 0, limit: 1 });
    await store.messages.replaceText([first!.id], 'replaced words');
    await store.messages.remove([first!.id + 1]);
    await store.close();
    const raw = new Database(path);
    assert.equal(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name = 'messages_fts_insert'").pluck().get(), 0);
    raw.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
    const hits = raw.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'words'").pluck().get();
    assert.equal(hits, 4, 'five messages, one deleted');
    raw.close();
  });
});
