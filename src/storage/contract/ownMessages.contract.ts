import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** Authors' edits and deletions of their own messages (migration 0017): the change and its compliance record together. */
export function ownMessagesContract(factory: StoreFactory): void {
  describe(`${factory.name} store: authors' own edits and deletions`, () => {
    let store: Store;
    let userId: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId, roomId } = await seedRoom(store));
    });
    afterEach(() => factory.destroy(store));

    const search = (word: string) => store.messages.search({ terms: [word], roomIds: [roomId], limit: 10 });

    it('edits the text, marks the message edited, records EDIT with the previous text, and search follows', async () => {
      const [first, other] = await store.messages.append([post(roomId, userId, 'the meeting is on tuesdya', { createdAt: 1_000 }), post(roomId, userId, 'untouched', { createdAt: 1_001 })]);
      assert.equal('editedAt' in first!.message, false, 'a new message is not edited');
      const done = await store.messages.editOwn({ id: first!.message.id, authorId: userId, text: 'the meeting is on wednesday', at: 5_000 });
      assert.ok(done);
      assert.equal(done.before.text, 'the meeting is on tuesdya');
      assert.equal(done.after.text, 'the meeting is on wednesday');
      assert.equal(done.after.editedAt, 5_000);
      const read = await store.messages.getBySeq(roomId, 1);
      assert.deepEqual(read, done.after, 'reads back exactly as returned');
      assert.deepEqual(await store.messages.getBySeq(roomId, 2), other!.message, 'an unedited message reads as before, without editedAt');
      const [page] = await store.messages.history({ roomId, limit: 1, afterSeq: 0 });
      assert.equal(page?.editedAt, 5_000, 'history pages carry the mark');

      const edits = await store.compliance.list({ type: 'EDIT', limit: 10 });
      assert.equal(edits.length, 1);
      assert.deepEqual(
        { roomId: edits[0]?.roomId, userId: edits[0]?.userId, at: edits[0]?.at, data: edits[0]?.data },
        { roomId, userId, at: 5_000, data: { messageId: first!.message.id, seq: 1, kind: 'text', title: null, previousText: 'the meeting is on tuesdya', text: 'the meeting is on wednesday' } },
      );
      assert.equal((await store.compliance.list({ type: 'CHAT', limit: 10 }))[0]?.data?.text, 'the meeting is on tuesdya', 'the CHAT record keeps the original');

      assert.deepEqual((await search('wednesday')).map((m) => m.id), [first!.message.id], 'the new text is found');
      assert.deepEqual(await search('tuesdya'), [], 'the old text is not');

      const again = await store.messages.editOwn({ id: first!.message.id, authorId: userId, text: 'on thursday', at: 6_000 });
      assert.equal(again?.before.text, 'the meeting is on wednesday', 'a second edit records what it replaced');
      assert.equal((await store.compliance.list({ type: 'EDIT', limit: 10 }))[1]?.data?.previousText, 'the meeting is on wednesday');
    });

    it('changes nothing for another author or a message that is gone', async () => {
      const other = await seedRoom(store, 'other');
      const [m] = await store.messages.append([post(roomId, userId, 'mine alone')]);
      assert.equal(await store.messages.editOwn({ id: m!.message.id, authorId: other.userId, text: 'hijacked', at: 2 }), null);
      assert.equal(await store.messages.removeOwn({ id: m!.message.id, authorId: other.userId, at: 2, reason: null }), null);
      assert.equal(await store.messages.editOwn({ id: 999_999, authorId: userId, text: 'nothing', at: 2 }), null);
      assert.equal((await store.messages.getBySeq(roomId, 1))?.text, 'mine alone');
      assert.deepEqual(await store.compliance.list({ type: 'EDIT', limit: 10 }), []);
      assert.deepEqual(await store.compliance.list({ type: 'DELETE', limit: 10 }), []);
    });

    it('deletes the message with its file, records DELETE with the text removed and the reason, and search forgets it', async () => {
      const sha256 = 'a'.repeat(64);
      const [plain, filed] = await store.messages.append([
        post(roomId, userId, 'wrong room, sorry'),
        post(roomId, userId, 'the plan', { file: { name: 'plan.txt', contentType: 'text/plain', size: 4, sha256 } }),
      ]);
      const removed = await store.messages.removeOwn({ id: plain!.message.id, authorId: userId, at: 7_000, reason: 'wrong room' });
      assert.deepEqual(removed, plain!.message);
      assert.equal(await store.messages.getBySeq(roomId, 1), null);
      assert.deepEqual(await search('sorry'), []);
      assert.equal(await store.messages.removeOwn({ id: plain!.message.id, authorId: userId, at: 7_001, reason: null }), null, 'only once');

      const fileId = filed!.message.file!.id;
      assert.ok(await store.files.get(fileId));
      const gone = await store.messages.removeOwn({ id: filed!.message.id, authorId: userId, at: 8_000, reason: null });
      assert.equal(gone?.file?.id, fileId, 'the removed message is returned with its file');
      assert.equal(await store.files.get(fileId), null, 'its file row went with it');
      assert.deepEqual(await store.files.unreferenced([sha256]), [sha256]);

      const deletes = await store.compliance.list({ type: 'DELETE', limit: 10 });
      assert.deepEqual(
        deletes.map((e) => [e.userId, e.at, e.data]),
        [
          [userId, 7_000, { messageId: plain!.message.id, seq: 1, kind: 'text', title: null, text: 'wrong room, sorry', reason: 'wrong room' }],
          [userId, 8_000, { messageId: filed!.message.id, seq: 2, kind: 'text', title: null, text: 'the plan', reason: null, file: { id: fileId, name: 'plan.txt', contentType: 'text/plain', size: 4, sha256 } }],
        ],
      );
      assert.equal(await store.messages.count(roomId), 0);
    });
  });
}
