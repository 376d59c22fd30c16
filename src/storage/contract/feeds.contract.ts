import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** Topic feeds (migration 0021): filters per user with a cap, hits stored in batches, counts above a read mark. */
export function feedsContract(factory: StoreFactory): void {
  describe(`${factory.name} store: topic feeds`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('creates, lists, changes and deletes filters per user, capped per user', async () => {
      const a = await seedRoom(store, 'alpha');
      const b = await seedRoom(store, 'beta');
      const first = await store.feeds.create({ userId: a.userId, name: 'release', words: ['release', 'notes'], authorId: null, roomIds: null, createdAt: 1000 }, 2);
      assert.ok(first);
      assert.deepEqual(first, { id: first.id, userId: a.userId, name: 'release', words: ['release', 'notes'], authorId: null, roomIds: null, readHitId: 0, createdAt: 1000 });
      const second = await store.feeds.create({ userId: a.userId, name: 'b', words: ['outage'], authorId: b.userId, roomIds: [a.roomId, b.roomId], createdAt: 2000 }, 2);
      assert.deepEqual(second && [second.authorId, second.roomIds], [b.userId, [a.roomId, b.roomId]]);
      assert.equal(await store.feeds.create({ userId: a.userId, name: 'c', words: ['c'], authorId: null, roomIds: null, createdAt: 3000 }, 2), null, 'the cap refuses a third');
      assert.ok(await store.feeds.create({ userId: b.userId, name: 'c', words: ['c'], authorId: null, roomIds: null, createdAt: 3000 }, 2), "another user's cap is their own");
      assert.deepEqual((await store.feeds.listByUser(a.userId)).map((f) => f.id), [first.id, second?.id]);
      assert.equal((await store.feeds.listAll()).length, 3);

      const changed = await store.feeds.update({ id: first.id, userId: a.userId, name: 'renamed', words: ['deploy'], authorId: a.userId, roomIds: [b.roomId] });
      assert.deepEqual(changed && [changed.name, changed.words, changed.authorId, changed.roomIds], ['renamed', ['deploy'], a.userId, [b.roomId]]);
      assert.equal(await store.feeds.update({ id: first.id, userId: b.userId, name: 'x', words: ['x'], authorId: null, roomIds: null }), null, "another user cannot change it");
      assert.deepEqual(await store.feeds.get(first.id), changed);
      assert.equal(await store.feeds.remove(first.id, b.userId), false, 'nor delete it');
      assert.equal(await store.feeds.remove(first.id, a.userId), true);
      assert.equal(await store.feeds.get(first.id), null);
      assert.equal(await store.feeds.remove(first.id, a.userId), false);
    });

    it('stores hits once each, pages them newest first, counts them above the read mark per room', async () => {
      const a = await seedRoom(store, 'alpha');
      const b = await seedRoom(store, 'beta');
      const filter = await store.feeds.create({ userId: a.userId, name: 'f', words: ['w'], authorId: null, roomIds: null, createdAt: 1 }, 100);
      assert.ok(filter);
      const posted = await store.messages.append([post(a.roomId, a.userId, 'one w'), post(b.roomId, b.userId, 'two w'), post(a.roomId, a.userId, 'three w')]);
      const [m1, m2, m3] = posted.map((r) => r.message);
      assert.ok(m1 && m2 && m3);
      const ids = await store.feeds.addHits([
        { filterId: filter.id, messageId: m1.id, roomId: m1.roomId },
        { filterId: filter.id, messageId: m2.id, roomId: m2.roomId },
        { filterId: filter.id, messageId: m1.id, roomId: m1.roomId },
        { filterId: filter.id + 1000, messageId: m3.id, roomId: m3.roomId },
      ]);
      assert.equal(ids.filter((id) => id !== null).length, 2, 'a repeated pair and a filter that is gone are skipped');
      assert.equal(ids[2], null);
      assert.equal(ids[3], null);
      const [h3] = await store.feeds.addHits([{ filterId: filter.id, messageId: m3.id, roomId: m3.roomId }]);
      assert.ok(typeof h3 === 'number' && h3 > (ids[1] ?? 0), 'hit ids grow');

      const page1 = await store.feeds.hits(filter.id, null, 2);
      assert.deepEqual(page1.map((h) => h.message.text), ['three w', 'two w']);
      assert.deepEqual(page1[0]?.message, m3, 'the message reads back as it was appended');
      const page2 = await store.feeds.hits(filter.id, page1.at(-1)?.hitId ?? 0, 2);
      assert.deepEqual(page2.map((h) => h.message.text), ['one w']);

      assert.deepEqual(await store.feeds.unread(a.userId), [
        { filterId: filter.id, roomId: a.roomId, count: 2 },
        { filterId: filter.id, roomId: b.roomId, count: 1 },
      ].sort((x, y) => x.roomId - y.roomId));
      assert.equal(await store.feeds.markRead(filter.id, a.userId, ids[0] ?? 0), true);
      assert.equal(await store.feeds.markRead(filter.id, a.userId, 0), true, 'an older mark is accepted');
      assert.equal((await store.feeds.get(filter.id))?.readHitId, ids[0], 'but the mark never moves back');
      assert.equal(await store.feeds.markRead(filter.id, b.userId, h3), false, "another user's mark is not theirs to move");
      assert.deepEqual((await store.feeds.unread(a.userId)).map((u) => u.count).reduce((x, y) => x + y, 0), 2);
      assert.deepEqual(await store.feeds.unread(b.userId), []);
    });

    it('drops hits with their message or their filter', async () => {
      const a = await seedRoom(store, 'alpha');
      const filter = await store.feeds.create({ userId: a.userId, name: 'f', words: ['w'], authorId: null, roomIds: null, createdAt: 1 }, 100);
      assert.ok(filter);
      const [r1, r2] = await store.messages.append([post(a.roomId, a.userId, 'w one'), post(a.roomId, a.userId, 'w two')]);
      assert.ok(r1 && r2);
      await store.feeds.addHits([r1, r2].map((r) => ({ filterId: filter.id, messageId: r.message.id, roomId: a.roomId })));
      await store.messages.remove([r1.message.id]);
      assert.deepEqual((await store.feeds.hits(filter.id, null, 10)).map((h) => h.message.text), ['w two']);
      assert.deepEqual(await store.feeds.addHits([{ filterId: filter.id, messageId: r1.message.id, roomId: a.roomId }]), [null], 'a hit of a removed message is skipped');
      await store.feeds.remove(filter.id, a.userId);
      assert.deepEqual(await store.feeds.hits(filter.id, null, 10), []);
      assert.deepEqual(await store.feeds.unread(a.userId), []);
    });
  });
}
