import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GroupCommit } from '../../src/app/groupCommit.js';
import type { AppendResult, NewMessage, Store } from '../../src/ports/store.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

describe('group commit', () => {
  let dir: string;
  let store: Store;
  let userId: number;
  let roomId: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-writer-'));
    store = createSqliteStore(join(dir, 'pchat.db'));
    ({ userId, roomId } = await seedRoom(store));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits posts submitted in one turn as one batch, in order, and reports them before resolving', async () => {
    const batches: number[][] = [];
    let resolvedBeforeCommit = false;
    const writer = new GroupCommit<NewMessage, AppendResult>((posts) => store.messages.append(posts), (results) => batches.push(results.map((r) => r.message.seq)));
    const pending = Array.from({ length: 50 }, (_, i) =>
      writer.submit(post(roomId, userId, `m${i}`)).then((r) => {
        if (batches.length === 0) resolvedBeforeCommit = true;
        return r;
      }),
    );
    const results = await Promise.all(pending);
    assert.equal(resolvedBeforeCommit, false);
    assert.deepEqual(batches, [Array.from({ length: 50 }, (_, i) => i + 1)]);
    assert.deepEqual(results.map((r) => r.message.text), Array.from({ length: 50 }, (_, i) => `m${i}`));
  });

  it('fails only the bad post of a batch', async () => {
    const writer = new GroupCommit<NewMessage, AppendResult>((posts) => store.messages.append(posts));
    const good = writer.submit(post(roomId, userId, 'good'));
    const bad = writer.submit(post(roomId, 999_999, 'author does not exist'));
    const alsoGood = writer.submit(post(roomId, userId, 'also good'));
    assert.equal((await good).message.text, 'good');
    await assert.rejects(bad, /FOREIGN KEY/);
    assert.equal((await alsoGood).message.text, 'also good');
  });

  it('flush waits for everything submitted', async () => {
    let committed = 0;
    // A commit that takes a while, as a networked store's would.
    const writer = new GroupCommit<NewMessage, AppendResult>(async (posts) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const results = await store.messages.append(posts);
      committed += results.length;
      return results;
    });
    void writer.submit(post(roomId, userId, 'x'));
    void writer.submit(post(roomId, userId, 'y'));
    await writer.flush();
    assert.equal(committed, 2);
  });
  it('never writes again a batch whose store committed but could not flush (afterCommit)', async () => {
    let calls = 0;
    const writer = new GroupCommit<string, string>(async () => {
      calls += 1;
      throw Object.assign(new Error('flushing the write-ahead log failed: EIO'), { afterCommit: true });
    });
    const outcomes = await Promise.allSettled([writer.submit('a'), writer.submit('b')]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
    assert.equal(calls, 1);
  });
});
