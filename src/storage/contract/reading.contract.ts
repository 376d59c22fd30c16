import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import { seedRoom, type StoreFactory } from './harness.js';

/** Followed rooms and read positions: the per-user state that roams between devices. */
export function readingContract(factory: StoreFactory): void {
  describe(`${factory.name} store: reading state`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('follows and unfollows rooms per user, in room order', async () => {
      const a = await seedRoom(store, 'alpha');
      const b = await seedRoom(store, 'beta');
      assert.deepEqual(await store.reading.list(a.userId), []);
      await store.reading.setFollowed(a.userId, b.roomId, true);
      await store.reading.setFollowed(a.userId, a.roomId, true);
      await store.reading.setFollowed(a.userId, a.roomId, true);
      assert.deepEqual(await store.reading.list(a.userId), [
        { roomId: a.roomId, followed: true, lastRead: 0, notify: 'mentions' },
        { roomId: b.roomId, followed: true, lastRead: 0, notify: 'mentions' },
      ]);
      assert.deepEqual(await store.reading.list(b.userId), [], 'another user follows nothing');
      await store.reading.setFollowed(a.userId, b.roomId, false);
      assert.deepEqual((await store.reading.list(a.userId)).map((r) => [r.roomId, r.followed]), [
        [a.roomId, true],
        [b.roomId, false],
      ]);
    });

    it('moves the read position forward only, independently of following', async () => {
      const { userId, roomId } = await seedRoom(store);
      await store.reading.markRead(userId, roomId, 5);
      await store.reading.markRead(userId, roomId, 3);
      assert.deepEqual(await store.reading.list(userId), [{ roomId, followed: false, lastRead: 5, notify: 'mentions' }]);
      await store.reading.setFollowed(userId, roomId, true);
      await store.reading.markRead(userId, roomId, 9);
      assert.deepEqual(await store.reading.list(userId), [{ roomId, followed: true, lastRead: 9, notify: 'mentions' }]);
      await store.reading.setFollowed(userId, roomId, false);
      assert.deepEqual(await store.reading.list(userId), [{ roomId, followed: false, lastRead: 9, notify: 'mentions' }], 'unfollowing keeps the position');
    });

    it('forgets the state of a deleted room', async () => {
      const { userId, roomId } = await seedRoom(store);
      await store.reading.setFollowed(userId, roomId, true);
      await store.reading.markRead(userId, roomId, 2);
      await store.rooms.remove(roomId);
      assert.deepEqual(await store.reading.list(userId), []);
    });
  });
}
