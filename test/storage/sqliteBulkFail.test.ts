import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SpooledMessage } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { seedRoom } from '../../src/storage/contract/harness.js';
import { openSpoolWriter } from '../../src/stores.js';

const message = (n: number): SpooledMessage => ({ author: 'alice', kind: 'text', title: null, text: `message ${n}`, createdAt: 1_700_000_000_000 + n, origin: { system: 'test', id: `m${n}` } });

// The bulk copy's statements say OR FAIL (bulkImport.ts): a statement that fails keeps the rows it
// wrote before the failing one, inside the session's transaction. What must hold is that the
// session then ends with nothing written at all.
describe('a bulk copy that fails halfway through a statement', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-bulk-fail-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the target as it was once the session is rolled back, and a clean run after it imports everything', async () => {
    const path = join(dir, 'target.db');
    const store = createSqliteStore(path);
    const { userId, roomId } = await seedRoom(store);
    const authors = new Map([['alice', userId]]);

    const session = await store.bulk!.begin(1);
    const writer = openSpoolWriter(session.spoolFiles[0]!);
    for (let n = 1; n <= 5; n++) writer.add(message(n));
    writer.close();
    // The third row names an author the spool does not list, so its author_id is NULL: the copy
    // fails on messages.author_id NOT NULL after two rows are in.
    const spool = new Database(session.spoolFiles[0]!);
    spool.prepare('UPDATE rows SET author = 99 WHERE rowid = 3').run();
    spool.close();
    await assert.rejects(session.importSpooled(0, [{ roomId, from: 1, to: 5, allNew: true }], authors), /NOT NULL constraint failed: messages\.author_id/);
    await session.finish(false);
    const history = await store.messages.history({ roomId, limit: 10 });
    assert.deepEqual(history, [], 'none of the rows before the failing one is kept');

    const again = await store.bulk!.begin(1);
    const clean = openSpoolWriter(again.spoolFiles[0]!);
    for (let n = 1; n <= 5; n++) clean.add(message(n));
    clean.close();
    assert.deepEqual(await again.importSpooled(0, [{ roomId, from: 1, to: 5, allNew: true }], authors), [{ inserted: 5, renumbered: false }]);
    await again.finish(true);
    const texts = (await store.messages.history({ roomId, limit: 10 })).map((m) => `${m.seq} ${m.text}`);
    assert.deepEqual(texts, ['1 message 1', '2 message 2', '3 message 3', '4 message 4', '5 message 5']);
    await store.close();
  });
});
