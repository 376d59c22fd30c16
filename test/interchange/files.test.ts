import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import { fileEntryName, type MessageRecord, type NoteRecord } from '../../src/interchange/archive/records.js';
import { importJob } from '../../src/interchange/jobs.js';
import { Progress } from '../../src/interchange/progress.js';
import { referencePath } from '../../src/interchange/sources/groupchat/fileStore.js';
import { groupChatSource } from '../../src/interchange/sources/groupchat/source.js';
import { roomHistoryPages } from '../../src/interchange/pchat/source.js';
import type { BlobStore, Store } from '../../src/ports/store.js';
import { openDir, pchat, seedDatabase } from '../helpers/interchange.js';
import { all, baseTables, chat, writeDump } from './groupchat/helpers.js';

const DUMP = resolve('examples/groupchat-dump');
const STORE = join(DUMP, 'filestore');
/** The one reference of the sample whose file its filestore/ leaves out (scripts/make-groupchat-sample.mjs). */
const MISSING = { message: '102:357', name: 'risk-134.docx', room: 'Engineering / Platform / Storage / storage-design' };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(stream: AsyncIterable<Uint8Array> | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Every message of every room of a pchat database, in room and seq order. */
async function messagesOf(store: Store): Promise<Message[]> {
  const out: Message[] = [];
  for (const room of await store.rooms.list()) for await (const page of roomHistoryPages(store, room.id)) out.push(...page);
  return out;
}

/** The digests a blob store holds. */
async function blobList(blobs: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for (let after: string | null = null; ; ) {
    const page = await blobs.list(after, 1000);
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1]!;
  }
}

/** The legacy file a message's ma-filelink reference points to in the sample's store. */
const legacyFile = (text: string): Buffer => {
  const ref = /ma-filelink:[^\s"'<>]+/i.exec(text)![0];
  return readFileSync(join(STORE, ...referencePath(ref)!));
};

const json = <T>(run: { stdout: string }) => JSON.parse(run.stdout) as T;

describe('files through a migration: legacy file store → archive → pchat → verify', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-files-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports every file of the store into the archive (each content once) and reports the missing one by name, message and room', async () => {
    const run = await pchat(['export', '--from', `groupchat-db:${DUMP}`, '--out', path('legacy.zip'), '--report', path('export.html'), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = json<{ filesNotCarried: NoteRecord[] }>(run);
    assert.deepEqual(out.filesNotCarried.map((n) => [n.code, n.item?.id]), [['file_missing', MISSING.message]]);
    const note = out.filesNotCarried[0]!.message;
    for (const part of [MISSING.name, MISSING.message, MISSING.room]) assert.ok(note.includes(part), `the note names ${part}: ${note}`);
    assert.match(readFileSync(path('export.html'), 'utf8'), /Files not carried <small>\(1\)<\/small>/);

    const archive = await openArchive(path('legacy.zip'));
    try {
      assert.equal(archive.manifest.version, 2, 'an archive with files is version 2');
      const messages = await all(archive, 'messages');
      const withFiles = messages.filter((m) => m.file);
      assert.equal(withFiles.length, 94, 'every reference found in the store is carried');
      const kept = messages.find((m) => m.id === MISSING.message)!;
      assert.equal(kept.file, undefined);
      assert.match(kept.text, /ma-filelink:\/\/example\.com\/.*\/risk-134\.docx/, 'the message keeps its text');
      const contents = new Set(withFiles.map((m) => m.file!.sha256));
      assert.deepEqual(Object.keys(archive.manifest.attachments!).sort(), [...contents].map(fileEntryName).sort(), 'one entry per content');
      assert.ok(contents.size < withFiles.length, 'the sample has files with the same content');
      for (const m of withFiles) {
        const bytes = legacyFile(m.text);
        assert.deepEqual({ size: m.file!.size, sha256: m.file!.sha256 }, { size: bytes.length, sha256: sha256(bytes) });
        assert.equal(m.file!.contentType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
        assert.deepEqual(await bytesOf(await archive.openFile(m.file!.sha256)), bytes);
      }
    } finally {
      await archive.close();
    }
  });

  it('imports the files (batch by batch), every byte equal, and verify compares them clean', async () => {
    const run = await pchat(['import', path('legacy.zip'), '--yes', '--json', '--report', path('import.html'), '--data-dir', path('b')]);
    assert.equal(run.code, 0, run.stderr);
    const out = json<{ written: string; result: { filesAdded: number; fileContentsPut: number; messagesAdded: number }; counts: { file: number } }>(run);
    assert.equal(out.written, 'batches', 'an archive with files is written batch by batch');
    assert.equal(out.counts.file, 94);
    assert.equal(out.result.filesAdded, 94);
    const local = await openDir(path('b'));
    try {
      const messages = await messagesOf(local.store);
      const withFiles = messages.filter((m) => m.file);
      assert.equal(withFiles.length, 94);
      assert.equal(out.result.fileContentsPut, new Set(withFiles.map((m) => m.file!.sha256)).size);
      for (const m of withFiles) {
        const legacy = legacyFile(m.text);
        assert.deepEqual(await bytesOf(await local.store.blobs.get(m.file!.sha256)), legacy, `the bytes of ${m.file!.name}`);
        assert.equal(m.file!.size, legacy.length);
        assert.equal(m.file!.uploaderId, m.authorId);
        assert.deepEqual(await local.store.files.get(m.file!.id), m.file);
      }
      const kept = messages.find((m) => m.origin?.id === MISSING.message)!;
      assert.ok(kept && !kept.file && kept.text.includes(MISSING.name), 'the message whose file is missing is imported with its text');
    } finally {
      await local.close();
    }
    const verified = await pchat(['verify', '--source', `groupchat-db:${DUMP}`, '--data-dir', path('b'), '--json', '--report', path('verify.html')]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal(json<{ compared: { file: number } }>(verified).compared.file, 94);
    const fromArchive = await pchat(['verify', '--source', path('legacy.zip'), '--data-dir', path('b'), '--json']);
    assert.equal(fromArchive.code, 0, fromArchive.stdout + fromArchive.stderr);
  });

  it('re-running the import stores nothing twice', async () => {
    const local = await openDir(path('b'));
    const before = { blobs: await blobList(local.store.blobs), files: (await messagesOf(local.store)).filter((m) => m.file).map((m) => m.file!.id) };
    await local.close();
    const again = await pchat(['import', path('legacy.zip'), '--yes', '--json', '--data-dir', path('b')]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(json<{ result: { messagesAdded: number; filesAdded: number; fileContentsPut: number } }>(again).result, {
      created: 0,
      updated: 0,
      unchanged: json<{ result: { unchanged: number } }>(again).result.unchanged,
      messagesAdded: 0,
      roomsRenumbered: 0,
      filesAdded: 0,
      fileContentsPut: 0,
    });
    const reopened = await openDir(path('b'));
    try {
      assert.deepEqual(await blobList(reopened.store.blobs), before.blobs);
      assert.deepEqual((await messagesOf(reopened.store)).filter((m) => m.file).map((m) => m.file!.id), before.files);
    } finally {
      await reopened.close();
    }
  });

  it('verify reports a file whose bytes differ, or are gone, in the target', async () => {
    const local = await openDir(path('b'));
    let damaged: string;
    let gone: string;
    try {
      const digests = [...new Set((await messagesOf(local.store)).filter((m) => m.file).map((m) => m.file!.sha256))].sort();
      [damaged, gone] = [digests[0]!, digests[1]!];
      const blobFile = (digest: string) => join(path('b'), 'files', digest.slice(0, 2), digest.slice(2, 4), digest);
      const bytes = readFileSync(blobFile(damaged));
      bytes[0] = bytes[0]! ^ 0x20;
      writeFileSync(blobFile(damaged), bytes);
      await local.store.blobs.delete(gone);
    } finally {
      await local.close();
    }
    const verified = await pchat(['verify', '--source', path('legacy.zip'), '--data-dir', path('b'), '--json']);
    assert.equal(verified.code, 1);
    const conflicts = json<{ conflicts: { type: string; field: string; source: string; target: string }[] }>(verified).conflicts;
    assert.ok(conflicts.length > 0 && conflicts.every((c) => c.type === 'file' && c.field === 'file bytes'), JSON.stringify(conflicts));
    assert.ok(conflicts.some((c) => c.source.includes(damaged) && /^\d+ bytes of SHA-256 [0-9a-f]{64}$/.test(c.target)));
    assert.ok(conflicts.some((c) => c.source.includes(gone) && c.target === 'absent from the file store'));
  });

  it('refuses an archive whose file entry does not match its SHA-256, naming the entry, and writes nothing', async () => {
    const archive = await openArchive(path('legacy.zip'));
    const [entry, listed] = Object.entries(archive.manifest.attachments!)[0]!;
    const original = (await bytesOf(await archive.openFile(listed.sha256)))!;
    await archive.close();
    // Stored entries: the bytes are in the zip as they are; change one, keep the size.
    const zip = readFileSync(path('legacy.zip'));
    const at = zip.indexOf(original);
    assert.ok(at > 0 && zip.indexOf(original, at + 1) === -1);
    zip[at] = zip[at]! ^ 0x01;
    writeFileSync(path('bad.zip'), zip);

    for (const args of [['--what-if'], ['--yes']]) {
      const run = await pchat(['import', path('bad.zip'), ...args, '--data-dir', path('untouched')]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, new RegExp(`entry "${entry}" does not match its SHA-256`));
    }
    const local = await openDir(path('untouched'));
    try {
      assert.equal((await local.store.rooms.list()).length, 0, 'the check refused it before any write');
      assert.deepEqual(await blobList(local.store.blobs), []);
    } finally {
      await local.close();
    }
  });

  it('a killed import with files, run again, completes: every file once', async () => {
    const archive = await openArchive(path('legacy.zip'));
    const target = await openDir(path('killed'));
    try {
      let puts = 0;
      const dying: Pick<BlobStore, 'put'> = {
        put: async (bytes, max) => {
          if (++puts > 10) throw new Error('killed');
          return target.store.blobs.put(bytes, max);
        },
      };
      const options = { whatIf: false, confirm: async () => true, progress: new Progress('off') };
      await assert.rejects(importJob(archive, target.app, { ...options, blobs: dying }), /killed/);
      const partial = (await messagesOf(target.store)).filter((m) => m.file).length;
      assert.ok(partial > 0 && partial < 94, `some files were imported before the kill (${partial})`);
      const resumed = await importJob(archive, target.app, { ...options, blobs: target.store.blobs });
      assert.equal(resumed.result!.filesAdded, 94 - partial);
      const messages = await messagesOf(target.store);
      const withFiles = messages.filter((m) => m.file);
      assert.equal(withFiles.length, 94);
      assert.equal(new Set(messages.map((m) => m.origin!.id)).size, messages.length, 'no message twice');
      assert.deepEqual((await blobList(target.store.blobs)).sort(), [...new Set(withFiles.map((m) => m.file!.sha256))].sort());
    } finally {
      await archive.close();
      await target.close();
    }
    const verified = await pchat(['verify', '--source', path('legacy.zip'), '--data-dir', path('killed')]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});

describe('files from pchat to pchat', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-files-pchat-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the files of a pchat database, reports one whose bytes are gone, and verifies clean', async () => {
    await seedDatabase(path('a'), 40);
    const posted: { name: string; bytes: Buffer }[] = [
      { name: 'plan.pdf', bytes: Buffer.from('%PDF-1.4 the plan') },
      { name: 'plan (copy).pdf', bytes: Buffer.from('%PDF-1.4 the plan') },
      { name: 'big.bin', bytes: Buffer.alloc(300_000, 7) },
      { name: 'lost.txt', bytes: Buffer.from('this one will be lost') },
    ];
    const source = await openDir(path('a'));
    let lost: string;
    try {
      const room = (await source.store.rooms.list()).find((r) => r.name === 'general')!;
      const authorId = (await source.store.users.list())[0]!.id;
      for (const [i, p] of posted.entries()) {
        const put = await source.store.blobs.put((async function* () { yield p.bytes; })(), 1 << 20);
        await source.store.messages.append([
          { roomId: room.id, authorId, kind: 'text', title: null, text: p.name, createdAt: Date.UTC(2024, 0, 1) + i, clientId: null, origin: null, keep: true, file: { name: p.name, contentType: 'application/octet-stream', size: put.size, sha256: put.sha256 } },
        ]);
      }
      lost = sha256(posted[3]!.bytes);
      await source.store.blobs.delete(lost);
    } finally {
      await source.close();
    }

    const exported = await pchat(['export', '--data-dir', path('a'), '--out', path('p.zip'), '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    const notes = json<{ filesNotCarried: NoteRecord[] }>(exported).filesNotCarried;
    assert.deepEqual(notes.map((n) => n.code), ['file_missing']);
    assert.match(notes[0]!.message, /"lost\.txt".*room "general"/);
    const archive = await openArchive(path('p.zip'));
    let records: MessageRecord[];
    try {
      records = (await all(archive, 'messages')).filter((m) => posted.some((p) => p.name === m.text));
      assert.equal(records.length, 4, 'the message of the lost file is kept');
      assert.equal(records.filter((m) => m.file).length, 3);
      assert.equal(Object.keys(archive.manifest.attachments!).length, 2, 'two contents for three files');
    } finally {
      await archive.close();
    }

    const imported = await pchat(['import', path('p.zip'), '--yes', '--data-dir', path('b')]);
    assert.equal(imported.code, 0, imported.stderr);
    const target = await openDir(path('b'));
    try {
      const messages = (await messagesOf(target.store)).filter((m) => posted.some((p) => p.name === m.text));
      assert.equal(messages.length, 4);
      for (const p of posted.slice(0, 3)) {
        const m = messages.find((x) => x.text === p.name)!;
        assert.equal(m.file?.name, p.name);
        assert.deepEqual(await bytesOf(await target.store.blobs.get(m.file!.sha256)), p.bytes);
      }
      assert.equal(messages.find((x) => x.text === 'lost.txt')!.file ?? null, null);
    } finally {
      await target.close();
    }
    const verified = await pchat(['verify', '--source', path('p.zip'), '--data-dir', path('b'), '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal(json<{ compared: { file: number } }>(verified).compared.file, 3);
    // And on again: the second pchat exports the same files.
    const second = await pchat(['export', '--data-dir', path('b'), '--out', path('q.zip'), '--json']);
    assert.equal(second.code, 0, second.stderr);
    const [p, q] = [await openArchive(path('p.zip')), await openArchive(path('q.zip'))];
    try {
      assert.deepEqual(Object.keys(q.manifest.attachments!).sort(), Object.keys(p.manifest.attachments!).sort());
    } finally {
      await p.close();
      await q.close();
    }
  });
});

describe('the legacy file store: how a reference finds its file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-filestore-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('maps the path below the host, decoded; ignores case and trailing punctuation; one file per message; stays inside the store', async () => {
    const t = baseTables();
    t.tblChat.rows = [
      chat(10, 1, 100, 'see ma-filelink://chat.example.com/AB12/Q3%20plan.docx'),
      chat(10, 2, 100, 'ends a sentence ma-filelink://x/ab12/q3%20PLAN.DOCX.'),
      chat(10, 3, 101, 'two: ma-filelink://x/c/one.txt and ma-filelink://x/c/two.txt'),
      chat(10, 4, 101, 'gone: ma-filelink://x/c/three.txt'),
      chat(10, 5, 101, 'escape: ma-filelink://x/../../passwd'),
      chat(10, 6, 101, 'no path: ma-filelink:nothing'),
    ];
    const dump = await writeDump(dir, t);
    mkdirSync(join(dump, 'filestore', 'ab12'), { recursive: true });
    mkdirSync(join(dump, 'filestore', 'c'), { recursive: true });
    writeFileSync(join(dump, 'filestore', 'ab12', 'Q3 plan.docx'), 'the plan');
    writeFileSync(join(dump, 'filestore', 'c', 'one.txt'), 'one');
    writeFileSync(join(dump, 'filestore', 'c', 'two.txt'), 'two');
    writeFileSync(join(dir, 'passwd'), 'secret');

    const source = await groupChatSource(dump);
    try {
      const files = Object.fromEntries((await all(source, 'messages')).map((m) => [m.id, m.file ? [m.file.name, m.file.size, m.file.contentType] : null]));
      assert.deepEqual(files, {
        '10:1': ['Q3 plan.docx', 8, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
        '10:2': ['Q3 plan.docx', 8, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
        '10:3': ['one.txt', 3, 'text/plain'],
        '10:4': null,
        '10:5': null,
        '10:6': null,
      });
      const notes = (await all(source, 'notes')).filter((n) => n.severity === 'file');
      assert.deepEqual(notes.map((n) => [n.code, n.item?.id]), [
        ['file_not_attached', '10:3'],
        ['file_missing', '10:4'],
        ['file_missing', '10:5'],
        ['file_missing', '10:6'],
      ]);
      assert.match(notes[1]!.message, /^File "three\.txt" of message 10:4 \(.*\) in room "room" \(id 10\) is not in the file store/);
      assert.deepEqual(await bytesOf(await source.openFile!(sha256(Buffer.from('the plan')))), Buffer.from('the plan'));
    } finally {
      await source.close();
    }
    // Without a file store beside the dump, every reference is listed to carry over by hand, as before.
    rmSync(join(dump, 'filestore'), { recursive: true });
    const bare = await groupChatSource(dump);
    try {
      assert.ok((await all(bare, 'messages')).every((m) => !m.file));
      assert.equal((await all(bare, 'notes')).filter((n) => n.code === 'file_reference').length, 7);
    } finally {
      await bare.close();
    }
    assert.deepEqual(readdirSync(dir).sort(), ['dump', 'passwd']);
  });
});
