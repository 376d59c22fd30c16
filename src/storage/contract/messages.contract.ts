import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

/** Appending, history, search, moderation and the compliance record. */
export function messagesContract(factory: StoreFactory): void {
  describe(`${factory.name} store: messages`, () => {
    let store: Store;
    let userId: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId, roomId } = await seedRoom(store));
    });
    afterEach(() => factory.destroy(store));

    const texts = (messages: { text: string }[]) => messages.map((m) => m.text);

    it('numbers each room separately, from 1, in append order', async () => {
      const other = await seedRoom(store, 'other');
      const results = await store.messages.append([post(roomId, userId, 'a'), post(other.roomId, other.userId, 'x'), post(roomId, userId, 'b')]);
      assert.deepEqual(results.map((r) => [r.message.roomId, r.message.seq, r.duplicate]), [
        [roomId, 1, false],
        [other.roomId, 1, false],
        [roomId, 2, false],
      ]);
      assert.ok(results.every((r) => r.message.id > 0));
      assert.deepEqual(results[0]?.message, await store.messages.getBySeq(roomId, 1), 'a new message reads back exactly as returned');
      assert.equal(await store.rooms.lastSeq(roomId), 2);
      assert.deepEqual(await store.rooms.lastSeqs(), new Map([[roomId, 2], [other.roomId, 1]]));
      assert.equal(await store.messages.count(roomId), 2);
    });

    it('stores a repeated client id or origin once, returning the stored message', async () => {
      const [first] = await store.messages.append([post(roomId, userId, 'once', { clientId: 'c1' })]);
      const again = await store.messages.append([post(roomId, userId, 'once', { clientId: 'c1' }), post(roomId, userId, 'in batch', { clientId: 'c2' }), post(roomId, userId, 'in batch', { clientId: 'c2' })]);
      assert.deepEqual(again.map((r) => r.duplicate), [true, false, true]);
      assert.equal(again[0]?.message.id, first?.message.id);
      assert.equal(again[2]?.message.id, again[1]?.message.id);
      const imported = post(roomId, userId, 'legacy', { origin: { system: 'groupchat', id: '42' }, createdAt: 1_000 });
      await store.messages.append([imported]);
      const [dup] = await store.messages.append([imported]);
      assert.equal(dup?.duplicate, true);
      assert.deepEqual(dup?.message.origin, { system: 'groupchat', id: '42' });
      assert.equal(await store.messages.count(roomId), 3);
    });

    it('keeps live-only messages out of history but in the compliance record', async () => {
      const [live] = await store.messages.append([post(roomId, userId, 'not kept', { keep: false })]);
      assert.equal(live?.message.seq, 0);
      assert.deepEqual(await store.messages.history({ roomId, limit: 10 }), []);
      const chat = await store.compliance.list({ type: 'CHAT', limit: 10 });
      assert.equal(chat.length, 1);
      assert.equal(chat[0]?.data?.text, 'not kept');
    });

    it('writes nothing of a batch that fails, compliance records included, and only its own of the next', async () => {
      // 70 posts: CHAT records go in 64 to a statement in SQLite, so some were written inside the failed transaction, some not yet.
      const failing = [...Array.from({ length: 70 }, (_, i) => post(roomId, userId, `lost ${i}`)), post(roomId + 1000, userId, 'to no room')];
      await assert.rejects(store.messages.append(failing));
      assert.equal(await store.messages.count(roomId), 0);
      assert.deepEqual(await store.compliance.list({ type: 'CHAT', limit: 100 }), []);
      await store.messages.append([post(roomId, userId, 'next')]);
      const chat = await store.compliance.list({ type: 'CHAT', limit: 100 });
      assert.deepEqual(chat.map((c) => c.data?.text), ['next']);
    });

    it('pages history by keyset before, after and between sequence numbers', async () => {
      await store.messages.append(Array.from({ length: 10 }, (_, i) => post(roomId, userId, `m${i + 1}`, { createdAt: 1000 + i })));
      assert.deepEqual(texts(await store.messages.history({ roomId, limit: 3 })), ['m8', 'm9', 'm10']);
      assert.deepEqual(texts(await store.messages.history({ roomId, beforeSeq: 8, limit: 3 })), ['m5', 'm6', 'm7']);
      assert.deepEqual(texts(await store.messages.history({ roomId, afterSeq: 8, limit: 5 })), ['m9', 'm10']);
      assert.deepEqual(texts(await store.messages.history({ roomId, afterSeq: 2, beforeSeq: 6, limit: 10 })), ['m3', 'm4', 'm5']);
      assert.equal(await store.messages.seqAtOrAfter(roomId, 1004), 5);
      assert.equal(await store.messages.seqAtOrAfter(roomId, 99_999), null);
      assert.equal((await store.messages.getBySeq(roomId, 4))?.text, 'm4');
      assert.equal(await store.messages.getBySeq(roomId, 44), null);
    });

    it('searches words in the given rooms only, newest first, with filters and a keyset cursor', async () => {
      const other = await seedRoom(store, 'other');
      await store.messages.append([
        post(roomId, userId, 'deploy the release', { createdAt: 1000 }),
        post(roomId, userId, 'the release is out', { createdAt: 2000 }),
        post(other.roomId, other.userId, 'release notes elsewhere', { createdAt: 3000 }),
        post(roomId, userId, 'Release day', { kind: 'story', title: 'Déploiement', createdAt: 4000 }),
      ]);
      const q = { terms: ['release'], roomIds: [roomId], limit: 10 };
      assert.deepEqual(texts(await store.messages.search(q)), ['Release day', 'the release is out', 'deploy the release']);
      assert.deepEqual(texts(await store.messages.search({ ...q, roomIds: [roomId, other.roomId], authorId: other.userId })), ['release notes elsewhere']);
      assert.deepEqual(texts(await store.messages.search({ ...q, from: 1500, to: 3500 })), ['the release is out']);
      const [newest] = await store.messages.search({ ...q, limit: 1 });
      assert.deepEqual(texts(await store.messages.search({ ...q, beforeId: newest!.id })), ['the release is out', 'deploy the release']);
      assert.deepEqual(texts(await store.messages.search({ ...q, terms: ['deploiement'] })), ['Release day'], 'titles are indexed, accents folded');
      assert.deepEqual(texts(await store.messages.search({ ...q, terms: ['rel'] })), ['Release day', 'the release is out', 'deploy the release'], 'the last word matches as a prefix');
      assert.deepEqual(texts(await store.messages.search({ ...q, terms: ['release', 'deploy'] })), ['deploy the release'], 'every word must appear');
      assert.deepEqual(await store.messages.search({ ...q, roomIds: [] }), []);
      // Query syntax in user input is taken literally, never as operators.
      assert.deepEqual(await store.messages.search({ ...q, terms: ['AND', 'NEAR(', '"', '*'] }), []);
    });

    it('removes and replaces messages, keeping the search index in step', async () => {
      const results = await store.messages.append([post(roomId, userId, 'secret plan alpha'), post(roomId, userId, 'harmless'), post(roomId, userId, 'secret plan beta')]);
      const [a, , c] = results.map((r) => r.message);
      await store.messages.remove([a!.id]);
      await store.messages.replaceText([c!.id], 'redacted by admin');
      assert.deepEqual(texts(await store.messages.history({ roomId, limit: 10 })), ['harmless', 'redacted by admin']);
      assert.deepEqual(await store.messages.search({ terms: ['secret'], roomIds: [roomId], limit: 10 }), []);
      assert.equal((await store.messages.search({ terms: ['redacted'], roomIds: [roomId], limit: 10 })).length, 1);
      const chat = await store.compliance.list({ type: 'CHAT', roomId, limit: 10 });
      assert.deepEqual(chat.map((e) => e.data?.text), ['secret plan alpha', 'harmless', 'secret plan beta'], 'compliance keeps the originals');
    });

    it('selects moderation candidates by author, dates and room, in id order', async () => {
      const other = await seedRoom(store, 'other');
      await store.messages.append([
        post(roomId, userId, 'one', { createdAt: 100 }),
        post(roomId, userId, 'two', { createdAt: 200 }),
        post(other.roomId, other.userId, 'three', { createdAt: 300 }),
      ]);
      assert.deepEqual(texts(await store.messages.select({ limit: 10 })), ['one', 'two', 'three']);
      assert.deepEqual(texts(await store.messages.select({ authorId: other.userId, limit: 10 })), ['three']);
      assert.deepEqual(texts(await store.messages.select({ from: 150, to: 250, limit: 10 })), ['two']);
      assert.deepEqual(texts(await store.messages.select({ roomIds: [roomId], limit: 1 })), ['one']);
      const [first] = await store.messages.select({ limit: 1 });
      assert.deepEqual(texts(await store.messages.select({ afterId: first!.id, roomIds: [roomId], limit: 10 })), ['two']);
    });

    it('clears a room from the oldest message through a date, and sequence numbers keep growing', async () => {
      await store.messages.append([post(roomId, userId, 'old', { createdAt: 100 }), post(roomId, userId, 'older than cut', { createdAt: 200 }), post(roomId, userId, 'new', { createdAt: 300 })]);
      assert.equal(await store.messages.clear(roomId, 200), 2);
      assert.deepEqual(texts(await store.messages.history({ roomId, limit: 10 })), ['new']);
      const [next] = await store.messages.append([post(roomId, userId, 'after clear')]);
      assert.equal(next?.message.seq, 4);
    });

    it('appends compliance events and lists them by type and room', async () => {
      await store.compliance.append([
        { type: 'JOIN', roomId, userId, at: 1, data: null },
        { type: 'BACKCHAT', roomId, userId, at: 2, data: { count: 3 } },
        { type: 'PART', roomId: roomId + 1, userId, at: 3, data: null },
      ]);
      const all = await store.compliance.list({ limit: 10 });
      assert.deepEqual(all.map((e) => e.type), ['JOIN', 'BACKCHAT', 'PART']);
      assert.deepEqual((await store.compliance.list({ type: 'BACKCHAT', limit: 10 }))[0]?.data, { count: 3 });
      assert.equal((await store.compliance.list({ roomId, limit: 10 })).length, 2);
      assert.deepEqual((await store.compliance.list({ afterId: all[1]!.id, limit: 10 })).map((e) => e.type), ['PART']);
    });
  });
}
