import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** @mentions (migration 0020): rows written with their message, re-derived by an edit, gone with a delete; unread counts per room; notification settings. */
export function mentionsContract(factory: StoreFactory): void {
  describe(`${factory.name} store: mentions`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('writes mention rows with their messages, lists them newest first by keyset, counts unread ones per room and follows edits and deletes', async () => {
      const a = await seedRoom(store, 'alpha');
      const b = await seedRoom(store, 'beta');
      const reader = b.userId;
      // One batch as group commit writes it: a mention, a plain message, a mention in another room, a mention not kept.
      const results = await store.messages.append([
        post(a.roomId, a.userId, 'hi @beta-author@example.com', { mentions: [reader] }),
        post(a.roomId, a.userId, 'no one'),
        post(b.roomId, a.userId, 'and here @beta-author@example.com', { mentions: [reader] }),
        post(a.roomId, a.userId, 'not kept @beta', { mentions: [reader], keep: false }),
      ]);
      const [first, , second] = results.map((r) => r.message);
      assert.deepEqual((await store.mentions.list(reader, { limit: 10 })).map((m) => m.text), ['and here @beta-author@example.com', 'hi @beta-author@example.com']);
      assert.deepEqual((await store.mentions.list(reader, { limit: 1, beforeId: second!.id })).map((m) => m.id), [first!.id], 'keyset: below the cursor');
      assert.deepEqual(await store.mentions.list(a.userId, { limit: 10 }), [], 'nobody else is mentioned');
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map([[a.roomId, 1], [b.roomId, 1]]));

      // Reading past a mention makes it read; the read position is the reading row's.
      await store.reading.markRead(reader, a.roomId, first!.seq);
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map([[b.roomId, 1]]));

      // An edit re-derives the rows: dropping the mention removes the row, adding one writes it.
      await store.messages.editOwn({ id: second!.id, authorId: a.userId, text: 'and here', at: Date.now() });
      assert.deepEqual((await store.mentions.list(reader, { limit: 10 })).map((m) => m.id), [first!.id]);
      const plain = results[1]!.message;
      await store.messages.editOwn({ id: plain.id, authorId: a.userId, text: 'now @beta', at: Date.now(), mentions: [reader] });
      assert.deepEqual((await store.mentions.list(reader, { limit: 10 })).map((m) => [m.id, m.text]), [[plain.id, 'now @beta'], [first!.id, 'hi @beta-author@example.com']]);
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map([[a.roomId, 1]]), 'the edited message is above the read position');

      // Moderation's replacement text mentions nobody.
      const replaced = (await store.messages.append([post(a.roomId, a.userId, 'rude @beta', { mentions: [reader] })]))[0]!.message;
      await store.messages.replaceText([replaced.id], '(removed by a moderator)');
      assert.deepEqual((await store.mentions.list(reader, { limit: 10 })).map((m) => m.id), [plain.id, first!.id]);

      // Deleting the message (by its author, by moderation or by clearing the room) deletes its mention.
      await store.messages.removeOwn({ id: plain.id, authorId: a.userId, at: Date.now(), reason: null });
      await store.messages.clear(a.roomId, Date.now() + 1000);
      assert.deepEqual(await store.mentions.list(reader, { limit: 10 }), []);
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map());
    });

    it('moves a mention with its message when an import renumbers the room, so unread counts stay right', async () => {
      const { userId, roomId } = await seedRoom(store);
      const reader = (await seedRoom(store, 'other')).userId;
      const [live] = await store.messages.append([post(roomId, userId, 'hey @other', { mentions: [reader], createdAt: 5000 })]);
      assert.equal(live!.message.seq, 1);
      // Older imported history takes the first seqs; the live message (and its mention) move above.
      const imported = { authorId: userId, kind: 'text' as const, title: null, text: 'old', createdAt: 1000, origin: { system: 'legacy', id: '1' } };
      assert.equal((await store.messages.importHistory(roomId, [imported])).renumbered, true);
      const [moved] = await store.mentions.list(reader, { limit: 1 });
      assert.equal(moved!.seq, 4, 'the tail from seq 1 is renumbered in time order: old 3, live 4');
      await store.reading.markRead(reader, roomId, 3);
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map([[roomId, 1]]), 'above the read position at its new seq');
      await store.reading.markRead(reader, roomId, 4);
      assert.deepEqual(await store.mentions.unreadCounts(reader), new Map());
    });

    it('keeps a notification setting per user and room with the read position', async () => {
      const { userId, roomId } = await seedRoom(store);
      await store.reading.setNotify(userId, roomId, 'all');
      assert.deepEqual(await store.reading.list(userId), [{ roomId, followed: false, lastRead: 0, notify: 'all' }]);
      await store.reading.markRead(userId, roomId, 4);
      await store.reading.setFollowed(userId, roomId, true);
      await store.reading.setNotify(userId, roomId, 'none');
      assert.deepEqual(await store.reading.list(userId), [{ roomId, followed: true, lastRead: 4, notify: 'none' }]);
      await assert.rejects(store.reading.setNotify(userId, roomId, 'loud' as never), 'the schema refuses other levels');
    });
  });
}
