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
  it('with depth 2 writes the next batch while the previous one is pending, and delivers in write order', async () => {
    assert.equal(store.messages.overlappingAppends, true, 'a file database at synchronous=full flushes after the commit');
    const batches: number[][] = [];
    // The first batch's promise is held until a second batch has been written.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const writer = new GroupCommit<NewMessage, AppendResult>(
      async (posts) => {
        writes += 1;
        const written = store.messages.append(posts);
        if (writes === 1) await held;
        else release();
        return written;
      },
      (results) => batches.push(results.map((r) => r.message.seq)),
      { depth: 2 },
    );
    // Posts arriving over several turns of the event loop, as lines from sockets do.
    const pending: Promise<AppendResult>[] = [];
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 5; i++) pending.push(writer.submit(post(roomId, userId, `t${turn}-${i}`)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(pending);
    assert.ok(writes >= 2);
    const delivered = batches.flat();
    assert.equal(delivered.length, 50);
    assert.deepEqual(delivered, [...delivered].sort((a, b) => a - b), 'delivered in seq order');
    assert.deepEqual(results.map((r) => r.message.text), pending.map((_, k) => `t${Math.floor(k / 5)}-${k % 5}`));
  });

  it('with depth 2 writes a failed batch again item by item after the batches already written, in seq order', async () => {
    const batches: number[][] = [];
    const writer = new GroupCommit<NewMessage, AppendResult>((posts) => store.messages.append(posts), (results) => batches.push(results.map((r) => r.message.seq)), { depth: 2 });
    const good = writer.submit(post(roomId, userId, 'good'));
    const bad = writer.submit(post(roomId, 999_999, 'author does not exist'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = writer.submit(post(roomId, userId, 'later'));
    assert.equal((await good).message.text, 'good');
    await assert.rejects(bad, /FOREIGN KEY/);
    assert.equal((await later).message.text, 'later');
    const delivered = batches.flat();
    assert.deepEqual(delivered, [...delivered].sort((a, b) => a - b));
    assert.equal(delivered.length, 2);
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
