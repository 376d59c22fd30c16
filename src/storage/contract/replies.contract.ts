import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ImportedMessage, Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** Replies (migration 0018): the link to the parent, what a reply shows of it, and the parent's count, on every read and write path. */
export function repliesContract(factory: StoreFactory): void {
  describe(`${factory.name} store: replies`, () => {
    let store: Store;
    let userId: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId, roomId } = await seedRoom(store));
    });
    afterEach(() => factory.destroy(store));

    it('links a reply to its parent, counts replies, and shows both on history, getBySeq and search', async () => {
      const [parent] = await store.messages.append([post(roomId, userId, 'who takes the release notes?')]);
      const ref = { id: parent!.message.id, seq: 1, authorId: userId, excerpt: 'who takes the release notes?' };
      const [reply, second] = await store.messages.append([
        post(roomId, userId, 'I will, zebra', { replyTo: ref }),
        post(roomId, userId, 'me too', { replyTo: ref }),
      ]);
      assert.deepEqual(reply!.message.replyTo, ref, 'the appended reply carries its parent');
      const page = await store.messages.history({ roomId, afterSeq: 0, limit: 10 });
      assert.deepEqual(page.map((m) => [m.seq, m.replyTo?.seq ?? null, m.replyCount ?? 0]), [[1, null, 2], [2, 1, 0], [3, 1, 0]]);
      assert.deepEqual(page[1]!.replyTo, ref, 'history shows the parent: seq, author, excerpt');
      assert.deepEqual((await store.messages.getBySeq(roomId, 2))?.replyTo, ref);
      const [hit] = await store.messages.search({ terms: ['zebra'], roomIds: [roomId], limit: 10 });
      assert.deepEqual(hit?.replyTo, ref, 'search results are replies too');
      assert.equal('replyTo' in page[0]!, false, 'a message that answers none has no replyTo');

      // Removing a reply lowers the count; removing the parent leaves a reply to a removed message.
      await store.messages.remove([second!.message.id]);
      assert.equal((await store.messages.getBySeq(roomId, 1))?.replyCount, 1);
      await store.messages.remove([parent!.message.id]);
      assert.deepEqual((await store.messages.getBySeq(roomId, 2))?.replyTo, { id: ref.id, seq: null, authorId: null, excerpt: '' });
      assert.equal(reply!.message.id, (await store.messages.getBySeq(roomId, 2))?.id);
    });

    it('cuts the excerpt to 120 characters', async () => {
      const long = 'x'.repeat(300);
      const [parent] = await store.messages.append([post(roomId, userId, long)]);
      await store.messages.append([post(roomId, userId, 'a reply', { replyTo: { id: parent!.message.id, seq: 1, authorId: userId, excerpt: long.slice(0, 120) } })]);
      assert.equal((await store.messages.getBySeq(roomId, 2))?.replyTo?.excerpt, 'x'.repeat(120));
    });

    it('links imported replies by their parent origin, in the same batch or a later one, and keeps the edited mark', async () => {
      const imported = (id: string, text: string, extra: Partial<ImportedMessage> = {}): ImportedMessage => ({
        authorId: userId,
        kind: 'text',
        title: null,
        text,
        createdAt: 1_000 + Number(id),
        origin: { system: 'slack:T1', id },
        ...extra,
      });
      await store.messages.importHistory(roomId, [imported('1', 'the parent'), imported('2', 'a reply in the same batch', { replyTo: { system: 'slack:T1', id: '1' }, editedAt: 5_000 })]);
      await store.messages.importHistory(roomId, [
        imported('3', 'a reply in a later batch', { replyTo: { system: 'slack:T1', id: '1' } }),
        imported('4', 'a reply whose parent is not here', { replyTo: { system: 'slack:T1', id: '999' } }),
      ]);
      // A re-run adds nothing and counts nothing twice.
      await store.messages.importHistory(roomId, [imported('3', 'a reply in a later batch', { replyTo: { system: 'slack:T1', id: '1' } })]);
      const page = await store.messages.history({ roomId, afterSeq: 0, limit: 10 });
      assert.deepEqual(page.map((m) => [m.text, m.replyTo?.seq ?? null, m.replyCount ?? 0, m.editedAt ?? null]), [
        ['the parent', null, 2, null],
        ['a reply in the same batch', 1, 0, 5_000],
        ['a reply in a later batch', 1, 0, null],
        ['a reply whose parent is not here', null, 0, null],
      ]);
    });
  });
}
