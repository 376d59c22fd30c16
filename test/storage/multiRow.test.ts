import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { multiRowInsert } from '../../src/storage/sqlite/multiRow.js';

describe('multiRowInsert', () => {
  it('inserts every row once, in order, across the statements of 64 rows', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, n INTEGER NOT NULL, label TEXT)');
    const insert = multiRowInsert(db, 'INSERT INTO t (kind, n, label)', "'row', ?, ?");
    let next = 0;
    for (const count of [0, 1, 63, 64, 65, 130, 1]) {
      const rows = Array.from({ length: count }, () => [next, next++ % 3 === 0 ? null : `label ${next}`]);
      insert(rows);
    }
    const stored = db.prepare('SELECT kind, n, label FROM t ORDER BY id').all() as { kind: string; n: number; label: string | null }[];
    assert.equal(stored.length, next);
    assert.deepEqual(
      stored.map((r) => r.n),
      Array.from({ length: next }, (_, i) => i),
    );
    assert.ok(stored.every((r) => r.kind === 'row'));
    assert.deepEqual(stored.slice(0, 4).map((r) => r.label), [null, 'label 2', 'label 3', null]);
  });
});
