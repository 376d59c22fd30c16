import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import { normalisedRecords, openDir, pchat, seedDatabase } from '../helpers/interchange.js';

/**
 * The two ways an import is written must give the same database: in one transaction while the
 * archive is checked (bulk, the default for `--yes` into SQLite with no server running) and batch
 * by batch after the check (`--batched`). Both targets start alike, with a native room whose name
 * collides with an imported one and whose messages are newer and older than the imported history.
 */
describe('a bulk import and a batched one write exactly the same records', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  const DAY = 86_400_000;

  /** A target with its own users, a room "general" (the archive has one) and history around the imported one's. */
  async function nativeTarget(dataDir: string): Promise<void> {
    const local = await openDir(dataDir);
    try {
      const a = SYSTEM_ACTOR;
      const user = await local.app.users.create(a, { login: 'native@example.com', displayName: 'Native', password: 'native-password-1' });
      const category = await local.app.categories.create(a, { name: 'Native', allowed: [{ kind: 'user', id: user.id }] });
      const { room } = await local.app.rooms.create(a, { name: 'general', categoryId: category.id, privacy: 'open' });
      const post = (text: string, createdAt: number) => ({ roomId: room.id, authorId: user.id, kind: 'text' as const, title: null, text, createdAt, clientId: null, origin: null, keep: true });
      await local.store.messages.append([
        post('older than anything imported', Date.UTC(2010, 0, 1)),
        post('newer than anything imported', Date.UTC(2030, 0, 1)),
        post('the newest', Date.UTC(2030, 0, 1) + DAY),
      ]);
    } finally {
      await local.close();
    }
  }

  const run = async (args: string[]) => {
    const result = await pchat([...args, '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { result: Record<string, number>; written: string };
  };
  const importInto = (archive: string, target: string, batched: boolean) =>
    run(['import', path(archive), '--yes', '--data-dir', path(target), ...(batched ? ['--batched'] : [])]);
  /** The target's records, its own items named by a placeholder instead of its instance id (the two targets differ there only). */
  const recordsOf = async (target: string, label: string) => {
    const file = path(`${target}-${label}.zip`);
    assert.equal((await pchat(['export', '--data-dir', path(target), '--out', file])).code, 0);
    const archive = await openArchive(file);
    const instance = archive.manifest.source.instance;
    await archive.close();
    const records = JSON.parse(JSON.stringify(await normalisedRecords(file)).replaceAll(instance, 'TARGET')) as Record<string, unknown[]>;
    // A target room that took older history was renumbered at each batch (batched) or slice (bulk)
    // that held some: both number it in timestamp order, with other numbers. Its messages compare
    // by their rank; every other room's seqs compare exactly.
    const generalRoom = (records.rooms as { id: string; name: string; createdAt: string }[]).find((r) => r.name === 'general')!;
    generalRoom.createdAt = 'when the target made it'; // the two targets made theirs a few ms apart
    const general = generalRoom.id;
    const merged = (records.messages as { room: string; seq: number }[]).filter((m) => m.room === general).sort((a, b) => a.seq - b.seq);
    merged.forEach((m, rank) => (m.seq = rank + 1));
    // Sorted again: the lists were sorted by identities that held the instance id.
    return Object.fromEntries(Object.entries(records).map(([type, list]) => [type, list.map((r) => JSON.stringify(r)).sort()]));
  };
  const sameRecords = async (label: string) => assert.deepEqual(await recordsOf('bulk', label), await recordsOf('batches', label));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-bulk-'));
    await seedDatabase(path('source'), 3000);
    assert.equal((await pchat(['export', '--data-dir', path('source'), '--out', path('a.zip')])).code, 0);
    await nativeTarget(path('bulk'));
    await nativeTarget(path('batches'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('merging into a target with a colliding room and history of its own, then a re-run, then a later archive', async () => {
    const bulk = await importInto('a.zip', 'bulk', false);
    const batches = await importInto('a.zip', 'batches', true);
    assert.equal(bulk.written, 'bulk');
    assert.equal(batches.written, 'batches');
    assert.deepEqual(bulk.result, batches.result);
    assert.equal(bulk.result.messagesAdded, 3000);
    assert.equal(bulk.result.roomsRenumbered, 1, 'the native "general" room took older history and was renumbered');
    await sameRecords('first');

    // A re-run adds nothing, either way.
    const again = await importInto('a.zip', 'bulk', false);
    assert.equal(again.written, 'bulk');
    assert.equal(again.result.messagesAdded, 0);
    assert.equal((await importInto('a.zip', 'batches', true)).result.messagesAdded, 0);
    await sameRecords('again');

    // A later archive of the same source adds only its new messages (into rooms that hold some already).
    const local = await openDir(path('source'));
    try {
      const rooms = (await local.store.rooms.list()).filter((r) => r.name === 'general' || r.name === 'release');
      const author = (await local.store.users.list()).find((u) => u.login === 'alice@example.com')!;
      await local.store.messages.append(
        Array.from({ length: 50 }, (_, i) => ({ roomId: rooms[i % 2]!.id, authorId: author.id, kind: 'text' as const, title: null, text: `later ${i}`, createdAt: Date.UTC(2024, 5, 1) + i, clientId: null, origin: null, keep: true })),
      );
    } finally {
      await local.close();
    }
    assert.equal((await pchat(['export', '--data-dir', path('source'), '--out', path('b.zip')])).code, 0);
    const later = await importInto('b.zip', 'bulk', false);
    assert.equal(later.written, 'bulk');
    assert.equal(later.result.messagesAdded, 50);
    assert.deepEqual(later.result, (await importInto('b.zip', 'batches', true)).result);
    await sameRecords('later');
    for (const target of ['bulk', 'batches']) {
      const verified = await pchat(['verify', '--source', path('b.zip'), '--target', join(path(target), 'pchat.db')]);
      assert.equal(verified.code, 0, verified.stdout);
    }
  });
});
