import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openArchive } from '../../src/interchange/archive/reader.js';
import { verify } from '../../src/interchange/verify/verify.js';
import { openDir, pchat, pchatOk, seedDatabase } from '../helpers/interchange.js';

/** Posts one message in pchat itself (no origin) into the named room of a database. */
async function postNative(dataDir: string, roomName: string, text: string): Promise<void> {
  const local = await openDir(dataDir);
  try {
    const snapshot = await local.app.directory.snapshot();
    const room = [...snapshot.rooms.values()].find((r) => r.name === roomName)!;
    const author = [...snapshot.users.values()].find((u) => u.login === 'alice@example.com')!;
    await local.store.messages.append([{ roomId: room.id, authorId: author.id, kind: 'text', title: null, text, createdAt: Date.now(), clientId: null, origin: null, keep: true }]);
  } finally {
    await local.close();
  }
}

describe('verify of content from several systems', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-verify-content-'));
    await seedDatabase(path('a'), 200);
    await pchatOk(['export', '--data-dir', path('a'), '--out', path('a.zip')]);
    await pchatOk(['import', path('a.zip'), '--yes', '--data-dir', path('b')]);
    // b's "general" now holds messages from a and one of its own: an export of b mixes two systems in that room.
    await postNative(path('b'), 'general', 'posted in b');
    await pchatOk(['export', '--data-dir', path('b'), '--out', path('b.zip')]);
    await pchatOk(['import', path('b.zip'), '--yes', '--data-dir', path('c')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts messages from elsewhere in the target apart, and finds no difference', async () => {
    const out = await pchatOk(['verify', '--source', path('a.zip'), '--target', join(path('b'), 'pchat.db'), '--json']);
    assert.equal(JSON.parse(out.stdout).ok, true);
    const local = await openDir(path('b'));
    const source = await openArchive(path('a.zip'));
    try {
      const result = await verify(source, local.store);
      assert.deepEqual(result.conflicts, []);
      assert.equal(result.rooms.find((r) => r.name === 'general')?.otherInTarget, 1);
      assert.equal(result.rooms.filter((r) => r.otherInTarget > 0).length, 1);
    } finally {
      await source.close();
      await local.close();
    }
  });

  it('compares a source room that mixes systems exactly, in the worker and in process alike', async () => {
    const clean = await pchatOk(['verify', '--source', path('b.zip'), '--target', join(path('c'), 'pchat.db'), '--json']);
    assert.equal(JSON.parse(clean.stdout).ok, true);
    // Swap the order of two messages of the mixed room in the target: same messages, other order.
    const local = await openDir(path('c'));
    const general = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'general')!;
    const page = await local.store.messages.history({ roomId: general.id, limit: 1000 });
    const [last, before] = [page.at(-1)!, page.at(-2)!];
    assert.notEqual(last.origin?.system, before.origin?.system, 'the last two messages come from different systems');
    await local.store.messages.replaceText([last.id], before.text);
    await local.store.messages.replaceText([before.id], last.text);
    const source = await openArchive(path('b.zip'));
    try {
      const inProcess = await verify(source, local.store);
      assert.deepEqual(inProcess.conflicts.map((c) => [c.name, c.field]), [['general', 'message digest']]);
    } finally {
      await source.close();
      await local.close();
    }
    const inWorker = await pchat(['verify', '--source', path('b.zip'), '--target', join(path('c'), 'pchat.db'), '--json']);
    assert.equal(inWorker.code, 1);
    assert.deepEqual(JSON.parse(inWorker.stdout).conflicts.map((c: { name: string; field: string }) => [c.name, c.field]), [['general', 'message digest']]);
  });
});
