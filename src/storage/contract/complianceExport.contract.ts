import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import type { StoreFactory } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The compliance export's reads and its cursor: the lease, the compare-and-set claim and advance. */
export function complianceExportContract(factory: StoreFactory): void {
  describe(`${factory.name} store: compliance export`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('spans batches by id, with their rooms in order of first record, bounded by upToId and limit', async () => {
      assert.equal(await store.complianceExport.settled(), 0);
      assert.equal(await store.complianceExport.span({ afterId: 0, upToId: 0, limit: 10 }), null);
      await store.compliance.append([3, 1, 3, 2, 1, 3].map((roomId, i) => ({ type: 'JOIN' as const, roomId, userId: 1, at: i, data: null })));
      const ids = (await store.compliance.list({ limit: 10 })).map((e) => e.id);
      assert.equal(await store.complianceExport.settled(), ids.at(-1));
      assert.deepEqual(await store.complianceExport.span({ afterId: 0, upToId: ids.at(-1)!, limit: 100 }), {
        firstId: ids[0],
        lastId: ids[5],
        count: 6,
        roomIds: [3, 1, 2],
      });
      assert.deepEqual(await store.complianceExport.span({ afterId: ids[0]!, upToId: ids.at(-1)!, limit: 2 }), { firstId: ids[1], lastId: ids[2], count: 2, roomIds: [1, 3] });
      assert.deepEqual(await store.complianceExport.span({ afterId: ids[1]!, upToId: ids[3]!, limit: 100 }), { firstId: ids[2], lastId: ids[3], count: 2, roomIds: [3, 2] });
      assert.deepEqual(
        (await store.complianceExport.records({ afterId: ids[0]!, upToId: ids[4]!, roomId: 1, limit: 10 })).map((e) => e.id),
        [ids[1], ids[4]],
      );
      assert.deepEqual(
        (await store.complianceExport.records({ afterId: ids[1]!, upToId: ids[4]!, limit: 2 })).map((e) => [e.id, e.roomId, e.at]),
        [
          [ids[2], 3, 2],
          [ids[3], 2, 3],
        ],
      );
    });

    it('lets one owner at a time hold the lease, and moves the cursor by compare-and-set only', async () => {
      const x = store.complianceExport;
      assert.equal(await x.state('s'), null);
      const a = await x.lease('s', 'a', 60_000);
      assert.deepEqual({ ...a, leaseUntil: 0 }, { name: 's', cursor: 0, pending: null, owner: 'a', leaseUntil: 0, lastRunAt: 0 });
      assert.equal(await x.lease('s', 'b', 60_000), null, 'b waits while a holds it');
      assert.ok(await x.lease('s', 'a', 60_000), 'a renews by taking it again');
      const batch = { firstId: 1, lastId: 5, count: 5, format: 'xml' as const };
      assert.equal(await x.claim('s', 'b', 0, batch, 60_000), false, 'only the owner claims');
      assert.equal(await x.claim('s', 'a', 3, batch, 60_000), false, 'only from the cursor it saw');
      assert.equal(await x.claim('s', 'a', 0, batch, 60_000), true);
      assert.equal(await x.claim('s', 'a', 0, { ...batch, lastId: 6 }, 60_000), false, 'one pending batch at a time');
      assert.deepEqual((await x.state('s'))?.pending, batch);
      assert.equal(await x.advance('s', 0, { ...batch, lastId: 4 }), false, 'only the pending batch');
      assert.equal(await x.advance('s', 1, batch), false, 'only from the cursor it saw');
      assert.equal(await x.advance('s', 0, batch), true);
      assert.equal(await x.advance('s', 0, batch), false, 'never twice');
      assert.deepEqual({ cursor: (await x.state('s'))?.cursor, pending: (await x.state('s'))?.pending }, { cursor: 5, pending: null });

      await x.release('s', 'b', true);
      assert.equal((await x.state('s'))?.owner, 'a', 'only the owner releases');
      await x.release('s', 'a', true);
      const released = await x.state('s');
      assert.equal(released?.owner, null);
      assert.ok((released?.lastRunAt ?? 0) > 0, 'a run that caught up is recorded');

      // An expired lease goes to whoever asks; the old owner can then neither renew nor claim.
      assert.ok(await x.lease('s', 'a', 1));
      await sleep(20);
      assert.ok(await x.lease('s', 'b', 60_000), 'b takes the expired lease');
      assert.equal(await x.renew('s', 'a', 60_000), false);
      assert.equal(await x.claim('s', 'a', 5, { firstId: 6, lastId: 6, count: 1, format: 'jsonl' }, 60_000), false);
      assert.equal(await x.renew('s', 'b', 60_000), true);
      // An owner whose lease ran out but was not replaced keeps it.
      await x.release('s', 'b', false);
      assert.ok(await x.lease('s', 'c', 1));
      await sleep(20);
      assert.equal(await x.renew('s', 'c', 60_000), true);
      assert.equal((await x.state('s'))?.lastRunAt, released?.lastRunAt, 'a run that did not catch up leaves lastRunAt');
    });
  });
}

