import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase, withoutFsync } from '../../src/storage/sqlite/database.js';

// Connections' session rows commit without an fsync; every other write must keep the configured FULL.
describe('sqlite: withoutFsync relaxes only its own commits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-fsync-'));
  const db = openDatabase(join(dir, 'pchat.db'));
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const level = () => db.pragma('synchronous', { simple: true });

  it('commits at NORMAL inside, and puts FULL back after, also when the write throws', () => {
    assert.equal(level(), 2, 'the store opens at FULL');
    assert.equal(withoutFsync(db, () => level()), 1);
    assert.equal(level(), 2);
    assert.throws(() => withoutFsync(db, () => { throw new Error('write failed'); }), /write failed/);
    assert.equal(level(), 2);
  });
});
