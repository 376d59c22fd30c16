import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ImportedMessage, Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

const legacy = (authorId: number, id: number, createdAt: number, system = 'legacy'): ImportedMessage => ({
  authorId,
  kind: 'text',
  title: null,
  text: `legacy ${id}`,
  createdAt,
  origin: { system, id: String(id) },
});

/** Imported history: idempotent by origin, merged into live rooms in timestamp order. */
export function importsContract(factory: StoreFactory): void {
  describe(`${factory.name} store: imported history`, () => {
    let store: Store;
    let userId: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId, roomId } = await seedRoom(store));
    });
    afterEach(() => factory.destroy(store));

    const timeline = async () => (await store.messages.history({ roomId, limit: 100 })).map((m) => [m.seq, m.text]);

    it('appends to an empty room in source order and adds nothing the second time', async () => {
      const batch = [legacy(userId, 1, 1000), legacy(userId, 2, 2000), legacy(userId, 3, 3000)];
      assert.deepEqual(await store.messages.importHistory(roomId, batch), { inserted: 3, renumbered: false });
      assert.deepEqual(await store.messages.importHistory(roomId, batch), { inserted: 0, renumbered: false });
      assert.deepEqual(await timeline(), [[1, 'legacy 1'], [2, 'legacy 2'], [3, 'legacy 3']]);
      assert.equal(await store.rooms.lastSeq(roomId), 3);
      const found = await store.messages.search({ terms: ['legacy'], roomIds: [roomId], limit: 10 });
      assert.equal(found.length, 3, 'imported messages are in the search index');
      assert.deepEqual(await store.compliance.list({ type: 'CHAT', limit: 10 }), [], 'importing is not posting');
    });

    it('a batch that partly overlaps stored messages adds only the new ones, with the next seqs', async () => {
      await store.messages.importHistory(roomId, [legacy(userId, 1, 1000), legacy(userId, 2, 2000)]);
      const result = await store.messages.importHistory(roomId, [legacy(userId, 2, 2000), legacy(userId, 3, 3000)]);
      assert.deepEqual(result, { inserted: 1, renumbered: false });
      assert.deepEqual(await timeline(), [[1, 'legacy 1'], [2, 'legacy 2'], [3, 'legacy 3']]);
    });

    it('puts older imported history before live messages, renumbering upwards so seqs only grow', async () => {
      await store.messages.append([post(roomId, userId, 'live a', { createdAt: 5000 }), post(roomId, userId, 'live b', { createdAt: 6000 })]);
      const result = await store.messages.importHistory(roomId, [legacy(userId, 1, 1000), legacy(userId, 2, 5500)]);
      assert.deepEqual(result, { inserted: 2, renumbered: true });
      const after = await timeline();
      assert.deepEqual(after.map(([, text]) => text), ['legacy 1', 'live a', 'legacy 2', 'live b'], 'timestamp order');
      const seqs = after.map(([seq]) => seq as number);
      assert.ok(seqs.every((seq) => seq > 2), `every renumbered seq is above the old highest (2): ${seqs}`);
      assert.equal(await store.rooms.lastSeq(roomId), Math.max(...seqs));
      const [next] = await store.messages.append([post(roomId, userId, 'live c', { createdAt: 7000 })]);
      assert.equal(next?.message.seq, Math.max(...seqs) + 1, 'a live post continues above them');
      assert.deepEqual(await store.messages.importHistory(roomId, [legacy(userId, 1, 1000), legacy(userId, 2, 5500)]), { inserted: 0, renumbered: false });
    });

    it("does not reorder the import's own earlier batches when timestamps go backwards in the source", async () => {
      await store.messages.importHistory(roomId, [legacy(userId, 1, 2000)]);
      const result = await store.messages.importHistory(roomId, [legacy(userId, 2, 1500)]);
      assert.equal(result.renumbered, false);
      assert.deepEqual(await timeline(), [[1, 'legacy 1'], [2, 'legacy 2']], 'source order kept');
    });

    it('tells which origins are stored, and whether a room holds any message of a system', async () => {
      const other = await seedRoom(store, 'other');
      await store.messages.append([post(roomId, userId, 'native')]);
      assert.equal(await store.messages.roomHoldsOrigins(roomId, 'legacy'), false, 'native posts have no origin');
      await store.messages.importHistory(roomId, [legacy(userId, 1, 1000), legacy(userId, 2, 2000)]);
      await store.messages.importHistory(other.roomId, [legacy(userId, 3, 1000, 'elsewhere')]);
      assert.equal(await store.messages.roomHoldsOrigins(roomId, 'legacy'), true);
      assert.equal(await store.messages.roomHoldsOrigins(roomId, 'elsewhere'), false);
      assert.equal(await store.messages.roomHoldsOrigins(other.roomId, 'legacy'), false);
      assert.deepEqual([...(await store.messages.storedOrigins('legacy', ['1', '3', '2']))].sort(), ['1', '2']);
    });

    it('refuses an unknown room', async () => {
      await assert.rejects(store.messages.importHistory(roomId + 999, [legacy(userId, 1, 1000)]));
    });
  });
}
