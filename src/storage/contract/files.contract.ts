import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Message } from '../../core/model.js';
import type { ImportedMessage, NewFile, Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

const MiB = 1024 * 1024;
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bytes as a stream of `piece`-sized chunks (uneven, so they never line up with a store's chunks). */
export async function* streamOf(bytes: Uint8Array, piece = 100_003): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += piece) yield bytes.subarray(at, Math.min(at + piece, bytes.byteLength));
}

export async function collect(stream: AsyncIterable<Uint8Array> | null): Promise<Buffer | null> {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** Files in rooms: the BlobStore (whichever adapter the store uses) and the file rows of the message paths. */
export function filesContract(factory: StoreFactory): void {
  describe(`${factory.name} store: files and blobs`, () => {
    let store: Store;
    let userId: number;
    let roomId: number;
    beforeEach(async () => {
      store = await factory.create();
      ({ userId, roomId } = await seedRoom(store));
    });
    afterEach(() => factory.destroy(store));

    const put = async (bytes: Uint8Array, maxBytes = 64 * MiB) => store.blobs.put(streamOf(bytes), maxBytes);
    const fileOf = (stored: { sha256: string; size: number }, name = 'report.pdf'): NewFile => ({ name, contentType: 'application/pdf', ...stored });

    it('stores bytes by SHA-256 and reads them back whole and by ranges', async () => {
      const bytes = randomBytes(2 * MiB + 12_345);
      const stored = await put(bytes);
      assert.deepEqual(stored, { sha256: sha(bytes), size: bytes.byteLength });
      assert.equal(await store.blobs.has(stored.sha256), true);
      assert.deepEqual(await collect(await store.blobs.get(stored.sha256)), bytes);
      for (const [start, end] of [
        [0, 0],
        [10, 99],
        [MiB - 10, MiB + 9],
        [MiB, 2 * MiB - 1],
        [MiB - 1, 2 * MiB + 1],
        [bytes.byteLength - 1, bytes.byteLength - 1],
        [5, bytes.byteLength - 1],
      ] as const) {
        assert.deepEqual(await collect(await store.blobs.get(stored.sha256, { start, end })), bytes.subarray(start, end + 1), `range ${start}-${end}`);
      }
      assert.deepEqual(await collect(await store.blobs.get(stored.sha256, { start: 100, end: 10 * MiB })), bytes.subarray(100), 'an end past the blob stops at its end');
      assert.deepEqual(await collect(await store.blobs.get(stored.sha256, { start: bytes.byteLength, end: bytes.byteLength + 5 })), Buffer.alloc(0));

      const empty = await put(new Uint8Array(0));
      assert.deepEqual(empty, { sha256: sha(new Uint8Array(0)), size: 0 });
      assert.deepEqual(await collect(await store.blobs.get(empty.sha256)), Buffer.alloc(0));

      const absent = sha(Buffer.from('never stored'));
      assert.equal(await store.blobs.get(absent), null);
      assert.equal(await store.blobs.has(absent), false);
      assert.equal(await store.blobs.get('../../etc/passwd'), null, 'only digests name blobs');
      assert.equal(await store.blobs.has('ABC'), false);
    });

    it('stores the same content once, and lists digests in order, page by page', async () => {
      const contents = Array.from({ length: 5 }, (_, i) => Buffer.from(`content ${i}`));
      const first = await put(contents[0]!);
      assert.deepEqual(await put(contents[0]!), first, 'the same content again');
      for (const c of contents.slice(1)) await put(c);
      const all = contents.map(sha).sort();
      assert.deepEqual(await store.blobs.list(null, 100), all);
      assert.deepEqual(await store.blobs.list(null, 2), all.slice(0, 2));
      assert.deepEqual(await store.blobs.list(all[1]!, 2), all.slice(2, 4));
      assert.deepEqual(await store.blobs.list(all[4]!, 2), []);
      await store.blobs.delete(all[2]!);
      await store.blobs.delete(all[2]!); // deleting what is gone is no error
      assert.deepEqual(await store.blobs.list(null, 100), [...all.slice(0, 2), ...all.slice(3)]);
    });

    it('gives up the moment more than maxBytes arrive, keeping nothing', async () => {
      const bytes = randomBytes(3 * MiB);
      let read = 0;
      let closed = false;
      async function* source(): AsyncIterable<Uint8Array> {
        try {
          for (let at = 0; at < bytes.byteLength; at += 256 * 1024) {
            read += 256 * 1024;
            yield bytes.subarray(at, at + 256 * 1024);
          }
        } finally {
          closed = true;
        }
      }
      await assert.rejects(store.blobs.put(source(), 1.5 * MiB), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'too_large');
        assert.match(error.message, /larger than the limit of 1536 KB/);
        return true;
      });
      assert.equal(read, 1.75 * MiB, 'stopped reading at the first chunk past the limit');
      assert.equal(closed, true, 'the source was closed');
      assert.deepEqual(await store.blobs.list(null, 10), []);
      assert.equal(await store.blobs.has(sha(bytes.subarray(0, 1.75 * MiB))), false);
      // Exactly the limit is allowed.
      const exact = randomBytes(MiB);
      assert.equal((await put(exact, MiB)).size, MiB);
    });

    it('concurrent puts of the same content store it once', async () => {
      const bytes = randomBytes(MiB + 777);
      const results = await Promise.all(Array.from({ length: 4 }, () => put(bytes)));
      assert.ok(results.every((r) => r.sha256 === sha(bytes) && r.size === bytes.byteLength));
      assert.deepEqual(await store.blobs.list(null, 10), [sha(bytes)]);
      assert.deepEqual(await collect(await store.blobs.get(sha(bytes))), bytes);
    });

    it('deletes conditionally by age: a put, even of stored content, makes a blob young again', async () => {
      const old = await put(Buffer.from('old'));
      const refreshed = await put(Buffer.from('refreshed'));
      await sleep(5);
      const cutoff = Date.now();
      await sleep(5);
      const young = await put(Buffer.from('young'));
      await put(Buffer.from('refreshed'));
      for (const blob of [old, refreshed, young]) await store.blobs.delete(blob.sha256, { olderThan: cutoff });
      assert.equal(await store.blobs.has(old.sha256), false, 'put before the cut-off: deleted');
      assert.equal(await store.blobs.has(refreshed.sha256), true, 'put again after the cut-off: kept');
      assert.equal(await store.blobs.has(young.sha256), true, 'put after the cut-off: kept');
      assert.deepEqual(await collect(await store.blobs.get(refreshed.sha256)), Buffer.from('refreshed'));
      await store.blobs.delete(young.sha256);
      assert.equal(await store.blobs.has(young.sha256), false, 'without a condition: deleted');
    });

    it('a message appended with a file comes back with it on every read path', async () => {
      const bytes = Buffer.from('%PDF-1.7 quarterly report');
      const stored = await put(bytes);
      const before = Date.now();
      const [plain, filed, after] = await store.messages.append([
        post(roomId, userId, 'no file here'),
        post(roomId, userId, 'quarterly report attached', { clientId: 'up-1', file: fileOf(stored) }),
        post(roomId, userId, 'after the file', { file: null }),
      ]);
      const message = filed!.message;
      const file = message.file!;
      assert.ok(file, 'append returns the file');
      assert.ok(file.id > 0);
      assert.deepEqual(file, {
        id: file.id,
        roomId,
        messageId: message.id,
        name: 'report.pdf',
        contentType: 'application/pdf',
        size: bytes.byteLength,
        sha256: sha(bytes),
        uploaderId: userId,
        createdAt: message.createdAt,
        origin: null,
      });
      assert.ok(message.createdAt >= before);
      assert.equal('file' in plain!.message, false, 'a message without a file has no file property');
      assert.equal('file' in after!.message, false, 'file: null in the post is no file either');

      const expect = (read: Message | null | undefined, what: string) => assert.deepEqual(read, message, what);
      const others = (list: Message[]) => list.filter((m) => m.id !== message.id);
      expect(await store.messages.getBySeq(roomId, message.seq), 'getBySeq');
      const page = await store.messages.history({ roomId, limit: 10 });
      expect(page.find((m) => m.id === message.id), 'history (newest)');
      assert.deepEqual(page, [plain!.message, message, after!.message], 'history reads back exactly as appended');
      expect((await store.messages.history({ roomId, beforeSeq: 3, limit: 10 }))[1], 'history before');
      expect((await store.messages.history({ roomId, afterSeq: 1, limit: 10 }))[0], 'history after');
      expect((await store.messages.history({ roomId, afterSeq: 1, beforeSeq: 3, limit: 10 }))[0], 'history between');
      expect((await store.messages.search({ terms: ['quarterly'], roomIds: [roomId], limit: 10 }))[0], 'search');
      const selected = await store.messages.select({ roomIds: [roomId], limit: 10 });
      expect(selected.find((m) => m.id === message.id), 'select');
      assert.ok(others(selected).every((m) => !('file' in m)));
      assert.deepEqual(await store.files.get(file.id), file, 'files.get');
      assert.equal(await store.files.get(file.id + 1000), null);

      const [again] = await store.messages.append([post(roomId, userId, 'quarterly report attached', { clientId: 'up-1', file: fileOf(stored) })]);
      assert.equal(again!.duplicate, true);
      assert.deepEqual(again!.message, message, 'a repeated post returns the stored message with its file');

      const chat = await store.compliance.list({ type: 'CHAT', roomId, limit: 10 });
      assert.deepEqual(chat[1]?.data?.file, { id: file.id, name: 'report.pdf', contentType: 'application/pdf', size: bytes.byteLength, sha256: sha(bytes) });
      assert.equal(chat[0]?.data?.file, undefined);
    });

    it('refuses a file post whose message would not be kept', async () => {
      const stored = await put(Buffer.from('x'));
      await assert.rejects(store.messages.append([post(roomId, userId, 'live only', { keep: false, file: fileOf(stored) })]), { code: 'invalid_input' });
      assert.deepEqual(await store.compliance.list({ type: 'CHAT', limit: 10 }), []);
    });

    it('imports file posts with their rows, once', async () => {
      const stored = await put(Buffer.from('legacy attachment'));
      const legacy = (id: number, file: NewFile | null): ImportedMessage => ({
        authorId: userId,
        kind: 'text',
        title: null,
        text: `legacy ${id}`,
        createdAt: 1000 + id,
        origin: { system: 'legacy', id: String(id) },
        file,
      });
      const batch = [legacy(1, null), legacy(2, { ...fileOf(stored, 'notes.txt'), contentType: 'text/plain', origin: { system: 'legacy', id: 'file-2' } }), legacy(3, null)];
      assert.deepEqual(await store.messages.importHistory(roomId, batch), { inserted: 3, renumbered: false });
      assert.deepEqual(await store.messages.importHistory(roomId, batch), { inserted: 0, renumbered: false });
      const history = await store.messages.history({ roomId, limit: 10 });
      assert.deepEqual(history.map((m) => m.file?.name ?? null), [null, 'notes.txt', null]);
      const file = history[1]!.file!;
      assert.deepEqual(file, {
        id: file.id,
        roomId,
        messageId: history[1]!.id,
        name: 'notes.txt',
        contentType: 'text/plain',
        size: stored.size,
        sha256: stored.sha256,
        uploaderId: userId,
        createdAt: 1002,
        origin: { system: 'legacy', id: 'file-2' },
      });
      assert.deepEqual(await store.files.get(file.id), file);
      // Older history merged below it renumbers the room: the file stays with its message.
      await store.messages.importHistory(roomId, [{ ...legacy(0, null), origin: { system: 'other', id: '0' }, createdAt: 500 }]);
      const merged = await store.messages.history({ roomId, limit: 10 });
      assert.deepEqual(merged.map((m) => [m.text, m.file?.id ?? null]), [['legacy 0', null], ['legacy 1', null], ['legacy 2', file.id], ['legacy 3', null]]);
    });

    it('file rows go with their messages: remove, clear, replaceText, and the room', async () => {
      const shared = await put(Buffer.from('shared bytes'));
      const single = await put(Buffer.from('single bytes'));
      const results = await store.messages.append([
        post(roomId, userId, 'one', { createdAt: 100, file: fileOf(shared, 'a.bin') }),
        post(roomId, userId, 'two', { createdAt: 200, file: fileOf(shared, 'b.bin') }),
        post(roomId, userId, 'three', { createdAt: 300, file: fileOf(single, 'c.bin') }),
        post(roomId, userId, 'four', { createdAt: 400, file: fileOf(single, 'd.bin') }),
      ]);
      const [one, two, three, four] = results.map((r) => r.message);
      const unreferenced = () => store.files.unreferenced([shared.sha256, single.sha256, sha(Buffer.from('no row ever'))]);
      assert.deepEqual(await unreferenced(), [sha(Buffer.from('no row ever'))]);
      assert.deepEqual(await store.files.unreferenced([]), []);

      await store.messages.remove([one!.id]);
      assert.equal(await store.files.get(one!.file!.id), null, 'remove');
      assert.deepEqual((await unreferenced()).sort(), [sha(Buffer.from('no row ever'))], 'the other row still references the shared bytes');

      await store.messages.replaceText([three!.id], 'removed by a moderator');
      assert.equal(await store.files.get(three!.file!.id), null, 'replaceText');
      const replaced = await store.messages.getBySeq(roomId, three!.seq);
      assert.equal(replaced?.text, 'removed by a moderator');
      assert.equal(replaced && 'file' in replaced, false, 'the replaced message has no file any more');

      assert.equal(await store.messages.clear(roomId, 200), 1);
      assert.equal(await store.files.get(two!.file!.id), null, 'clear');
      assert.deepEqual((await unreferenced()).sort(), [shared.sha256, sha(Buffer.from('no row ever'))].sort());

      await store.rooms.remove(roomId);
      assert.equal(await store.files.get(four!.file!.id), null, 'removing the room');
      assert.equal((await unreferenced()).length, 3);
      assert.equal(await store.blobs.has(shared.sha256), true, 'bytes stay until the orphan sweep');
    });
  });
}
