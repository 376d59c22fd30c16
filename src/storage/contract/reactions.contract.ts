import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PchatError } from '../../core/errors.js';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** Emoji reactions (migration 0019): add and remove with their compliance records, summaries, reads, the cap, imports. */
export function reactionsContract(factory: StoreFactory): void {
  describe(`${factory.name} store: emoji reactions`, () => {
    let store: Store;
    let alice: number;
    let bob: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId: alice, roomId } = await seedRoom(store));
      bob = (await seedRoom(store, 'other')).userId;
    });
    afterEach(() => factory.destroy(store));

    const change = (messageId: number, userId: number, emoji: string, at: number) => ({ messageId, userId, emoji, at });

    it('adds and removes, says whether it changed, keeps first-reacted order, records REACT/UNREACT, and reads carry the reactions', async () => {
      const [m1, m2] = await store.messages.append([post(roomId, alice, 'ship it'), post(roomId, alice, 'no reactions here')]);
      const id = m1!.message.id;
      assert.equal('reactions' in m1!.message, false, 'a new message has none');

      const first = await store.reactions.add(change(id, bob, '🎉', 1_000), 20);
      assert.deepEqual(first, { changed: true, roomId, seq: 1, reactions: [{ emoji: '🎉', userIds: [bob] }] });
      await store.reactions.add(change(id, alice, '👍', 1_001), 20);
      const third = await store.reactions.add(change(id, alice, '🎉', 1_002), 20);
      assert.deepEqual(third?.reactions, [{ emoji: '🎉', userIds: [bob, alice] }, { emoji: '👍', userIds: [alice] }], 'emoji in first-reacted order, users in reacting order');
      const twice = await store.reactions.add(change(id, bob, '🎉', 1_003), 20);
      assert.equal(twice?.changed, false, 'the same reaction twice changes nothing');
      assert.deepEqual(twice?.reactions, third?.reactions);

      const expected = [{ emoji: '🎉', userIds: [bob, alice] }, { emoji: '👍', userIds: [alice] }];
      assert.deepEqual((await store.messages.getBySeq(roomId, 1))?.reactions, expected, 'getBySeq');
      const page = await store.messages.history({ roomId, afterSeq: 0, limit: 10 });
      assert.deepEqual(page[0]?.reactions, expected, 'history');
      assert.equal('reactions' in page[1]!, false, 'a message without reactions carries no key');
      assert.deepEqual(page[1], m2!.message);
      assert.deepEqual((await store.messages.search({ terms: ['ship'], roomIds: [roomId], limit: 5 }))[0]?.reactions, expected, 'search');
      assert.deepEqual(await store.reactions.summaries([id, m2!.message.id, 999_999]), new Map([[id, expected]]));

      const removed = await store.reactions.remove(change(id, alice, '👍', 2_000));
      assert.deepEqual(removed, { changed: true, roomId, seq: 1, reactions: [{ emoji: '🎉', userIds: [bob, alice] }] });
      assert.equal((await store.reactions.remove(change(id, alice, '👍', 2_001)))?.changed, false, 'removing what is not there changes nothing');
      await store.reactions.remove(change(id, alice, '🎉', 2_002));
      await store.reactions.remove(change(id, bob, '🎉', 2_003));
      assert.equal('reactions' in (await store.messages.getBySeq(roomId, 1))!, false, 'the last one removed: the message reads as before');
      assert.equal(await store.reactions.add(change(999_999, alice, '👍', 3_000), 20), null, 'no such message');
      assert.equal(await store.reactions.remove(change(999_999, alice, '👍', 3_000)), null);

      const records = [...(await store.compliance.list({ type: 'REACT', limit: 10 })), ...(await store.compliance.list({ type: 'UNREACT', limit: 10 }))];
      assert.deepEqual(
        records.map((r) => [r.type, r.userId, r.roomId, r.at, r.data]),
        [
          ['REACT', bob, roomId, 1_000, { messageId: id, seq: 1, emoji: '🎉' }],
          ['REACT', alice, roomId, 1_001, { messageId: id, seq: 1, emoji: '👍' }],
          ['REACT', alice, roomId, 1_002, { messageId: id, seq: 1, emoji: '🎉' }],
          ['UNREACT', alice, roomId, 2_000, { messageId: id, seq: 1, emoji: '👍' }],
          ['UNREACT', alice, roomId, 2_002, { messageId: id, seq: 1, emoji: '🎉' }],
          ['UNREACT', bob, roomId, 2_003, { messageId: id, seq: 1, emoji: '🎉' }],
        ],
        'one record per change, none for what changed nothing',
      );
    });

    it('caps the distinct emoji of a message (a known one still adds) and removes reactions with their message', async () => {
      const [m] = await store.messages.append([post(roomId, alice, 'vote')]);
      const id = m!.message.id;
      await store.reactions.add(change(id, alice, '1️⃣', 1), 2);
      await store.reactions.add(change(id, alice, '2️⃣', 2), 2);
      await assert.rejects(store.reactions.add(change(id, bob, '3️⃣', 3), 2), (e: unknown) => e instanceof PchatError && e.code === 'conflict' && /at most 20 different/.test(e.message));
      assert.equal((await store.reactions.add(change(id, bob, '2️⃣', 4), 2))?.changed, true, 'an emoji already there is not a new one');
      assert.equal((await store.compliance.list({ type: 'REACT', limit: 10 })).length, 3, 'the refused one left no record');

      await store.messages.remove([id]);
      assert.deepEqual(await store.reactions.summaries([id]), new Map(), 'gone with the message');
    });

    it('imports idempotently, keeping times and order, without compliance records or cap', async () => {
      const [m] = await store.messages.append([post(roomId, alice, 'imported')]);
      const id = m!.message.id;
      const rows = [
        { messageId: id, userId: bob, emoji: ':party-parrot:', createdAt: 500 },
        { messageId: id, userId: alice, emoji: '👍', createdAt: 100 },
        { messageId: id, userId: bob, emoji: '👍', createdAt: 200 },
      ];
      assert.equal(await store.reactions.importReactions(rows), 3);
      assert.equal(await store.reactions.importReactions(rows), 0, 'a re-run adds nothing');
      assert.deepEqual((await store.messages.getBySeq(roomId, 1))?.reactions, [
        { emoji: '👍', userIds: [alice, bob] },
        { emoji: ':party-parrot:', userIds: [bob] },
      ]);
      assert.deepEqual(await store.compliance.list({ type: 'REACT', limit: 10 }), []);
      await assert.rejects(store.reactions.importReactions([{ messageId: 999_999, userId: bob, emoji: '👍', createdAt: 1 }]), /no such message or user|does not exist/);
    });
  });
}
