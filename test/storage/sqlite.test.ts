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
});
