import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MultiRowInsert } from '../../src/storage/multiRowInsert.js';

describe('MultiRowInsert', () => {
  const table = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, n INTEGER NOT NULL, label TEXT)');
    return { db, insert: new MultiRowInsert(db, 'INSERT INTO t (kind, n, label)', "'row', ?, ?"), count: () => db.prepare('SELECT count(*) FROM t').pluck().get() };
  };

  it('writes every row once, in order: 64 to a statement as they come, the rest at flush', () => {
    const { db, insert, count } = table();
    let next = 0;
    for (const rows of [0, 1, 63, 64, 65, 130, 1]) {
      for (let i = 0; i < rows; i++, next++) {
        insert.values.push(next, next % 3 === 0 ? null : `label ${next}`);
        insert.endRow();
      }
      assert.equal(count(), next - (rows % 64), 'whole statements of 64 only, until flushed');
      insert.flush();
      assert.equal(count(), next);
    }
    const stored = db.prepare('SELECT kind, n, label FROM t ORDER BY id').all() as { kind: string; n: number; label: string | null }[];
    assert.deepEqual(
      stored.map((r) => r.n),
      Array.from({ length: next }, (_, i) => i),
    );
    assert.ok(stored.every((r) => r.kind === 'row'));
    assert.deepEqual(stored.slice(0, 4).map((r) => r.label), [null, 'label 1', 'label 2', null]);
  });

  it('forgets the rows not yet written when discarded, and goes on with the next', () => {
    const { db, insert, count } = table();
    insert.values.push(1, 'kept');
    insert.endRow();
    insert.flush();
    insert.values.push(2, 'of a failed transaction');
    insert.endRow();
    insert.discard();
    insert.flush();
    assert.equal(count(), 1);
    insert.values.push(3, 'next');
    insert.endRow();
    insert.flush();
    assert.deepEqual(db.prepare('SELECT n, label FROM t ORDER BY id').raw().all(), [
      [1, 'kept'],
      [3, 'next'],
    ]);
  });
});
