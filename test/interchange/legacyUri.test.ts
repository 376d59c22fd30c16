import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { viewRoom } from '../../src/app/rooms.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import type { RecordOf, RoomRecord } from '../../src/interchange/archive/records.js';
import { writeArchive } from '../../src/interchange/archive/writer.js';
import type { RecordSource } from '../../src/interchange/source.js';
import type { Room } from '../../src/core/model.js';
import { groupChatSource } from '../../src/interchange/sources/groupchat/source.js';
import { presentRoom } from '../../src/protocols/present.js';
import { normalisedRecords, openDir, pchat } from '../helpers/interchange.js';
import { all, baseTables, node, tempDir, writeDump } from './groupchat/helpers.js';

const DUMP = 'examples/groupchat-dump';

/** nodeID → nodeGuid, read straight from the sample's tblNode.csv (no quoted field precedes them). */
function nodeGuids(): Map<string, string> {
  const [header, ...rows] = readFileSync(join(DUMP, 'tblNode.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  const columns = header!.split(',');
  const [id, guid] = [columns.indexOf('nodeID'), columns.indexOf('nodeGuid')];
  return new Map(rows.map((row) => row.split(',')).map((cells) => [cells[id]!, cells[guid]!.toLowerCase()]));
}

/** Every room of a pchat data directory. */
async function roomsOf(dataDir: string): Promise<Room[]> {
  const local = await openDir(dataDir);
  try {
    return [...(await local.app.directory.snapshot()).rooms.values()];
  } finally {
    await local.close();
  }
}

const legacyByName = (rooms: readonly Room[]) => Object.fromEntries(rooms.map((r) => [r.name, r.legacyUri]));

/** Copies an archive, changing its room records (the other records pass through unchanged). */
async function rewrite(from: string, to: string, change: (rooms: RoomRecord[]) => RoomRecord[]): Promise<void> {
  const source = await openArchive(from);
  try {
    const rooms: RoomRecord[] = [];
    for await (const r of source.records('rooms')) rooms.push(r);
    const changed = change(rooms);
    const wrapped: RecordSource = {
      description: source.description,
      records: (type) => (type === 'rooms' ? (async function* () {
        yield* changed;
      })() : source.records(type)) as AsyncIterable<RecordOf[typeof type]>,
      openFile: (sha256) => source.openFile(sha256),
      close: async () => {},
    };
    await writeArchive(to, wrapped, source.manifest.options);
  } finally {
    await source.close();
  }
}

async function archiveRooms(file: string): Promise<RoomRecord[]> {
  const source = await openArchive(file);
  try {
    const rooms: RoomRecord[] = [];
    for await (const r of source.records('rooms')) rooms.push(r);
    return rooms;
  } finally {
    await source.close();
  }
}

describe('groupchat dump: a room\'s legacy URI', () => {
  it('is ma-chan://<first organisation domain>/<nodeGuid in lower case>; without a nodeGuid null and a warning; a shared nodeGuid an error', async () => {
    const { dir, done } = await tempDir();
    try {
      const tables = baseTables();
      const withGuid = (row: ReturnType<typeof node>, guid: string) => [row[0]!, guid, ...row.slice(2)];
      tables.tblNode.rows = [
        node(1, 1, true, 'Root'),
        node(2, 1, true, 'Cat'),
        withGuid(node(10, 2, false, 'room'), '{7F525C3E-7D41-4CE5-895E-3E6BA72FD601}'),
        node(11, 2, false, 'no guid'),
        withGuid(node(12, 2, false, 'twin a'), 'b3f71199-4e2b-4132-8cc6-db5381a76324'),
        withGuid(node(13, 2, false, 'twin b'), 'B3F71199-4E2B-4132-8CC6-DB5381A76324'),
      ];
      writeFileSync(join(await writeDump(dir, tables), 'domains.txt'), 'Example.COM\nexample.org\n');
      const source = await groupChatSource(join(dir, 'dump'));
      const rooms = Object.fromEntries((await all(source, 'rooms')).map((r) => [r.id, r.legacyUri]));
      assert.deepEqual(rooms, {
        10: 'ma-chan://example.com/7f525c3e-7d41-4ce5-895e-3e6ba72fd601',
        11: null,
        12: 'ma-chan://example.com/b3f71199-4e2b-4132-8cc6-db5381a76324',
        13: 'ma-chan://example.com/b3f71199-4e2b-4132-8cc6-db5381a76324',
      });
      const notes = await all(source, 'notes');
      assert.deepEqual(notes.filter((n) => n.code.startsWith('legacy_uri')).map((n) => [n.code, n.severity, n.item?.id]), [
        ['legacy_uri_missing', 'warning', '11'],
        ['legacy_uri_collision', 'error', '13'],
      ]);
      await source.close();
    } finally {
      await done();
    }
  });
});

describe('legacy room URIs (ma-chan://) through export, import and verify', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-legacy-uri-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a Group Chat dump imports with every room at ma-chan://<domain>/<nodeGuid from tblNode>', async () => {
    const exported = await pchat(['export', '--from', `groupchat-db:${DUMP}`, '--out', path('legacy.zip')]);
    assert.equal(exported.code, 0, exported.stderr);
    const archive = await openArchive(path('legacy.zip'));
    const domain = archive.manifest.source.instance;
    await archive.close();
    assert.equal(domain, 'example.com', 'the first organisation domain of the sample');
    const imported = await pchat(['import', path('legacy.zip'), '--yes', '--data-dir', path('b')]);
    assert.equal(imported.code, 0, imported.stderr);

    const guids = nodeGuids();
    const local = await openDir(path('b'));
    try {
      const snapshot = await local.app.directory.snapshot();
      const rooms = [...snapshot.rooms.values()];
      assert.equal(rooms.length, 7);
      for (const room of rooms) {
        assert.equal(room.origin?.system, 'lync-groupchat:example.com');
        const expected: string = `ma-chan://${domain}/${guids.get(room.origin!.id)}`;
        assert.match(expected, /^ma-chan:\/\/example\.com\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(room.legacyUri, expected, room.name);
        // A legacy client may spell it in any case.
        assert.equal(snapshot.roomByLegacyUri(expected.toUpperCase())?.id, room.id);
        assert.equal(presentRoom(viewRoom(SYSTEM_ACTOR, room, snapshot.category(room.categoryId)), snapshot).legacyUri, expected);
      }
      assert.equal(snapshot.roomByLegacyUri('ma-chan://example.com/00000000-0000-0000-0000-000000000000'), null);
    } finally {
      await local.close();
    }
    const verified = await pchat(['verify', '--source', `groupchat-db:${DUMP}`, '--data-dir', path('b'), '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);

    // Read-only through the API: refused as input, kept by every other change.
    const again = await openDir(path('b'));
    try {
      const room = [...(await again.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'eng-general')!;
      await assert.rejects(again.app.rooms.update(SYSTEM_ACTOR, room.id, { legacyUri: 'ma-chan://example.com/elsewhere' }), (e: Error & { code?: string }) => e.code === 'invalid_input');
      const updated = await again.app.rooms.update(SYSTEM_ACTOR, room.id, { description: 'General engineering chat' });
      assert.equal(updated.room.legacyUri, room.legacyUri);
      assert.equal((await again.store.rooms.get(room.id))?.legacyUri, room.legacyUri);
    } finally {
      await again.close();
    }
  });

  it('pchat → archive → pchat keeps it, and importing the archive again changes nothing', async () => {
    assert.equal((await pchat(['export', '--data-dir', path('b'), '--out', path('b.zip')])).code, 0);
    const records = await archiveRooms(path('b.zip'));
    assert.equal(records.length, 7);
    assert.ok(records.every((r) => typeof r.legacyUri === 'string' && r.legacyUri.startsWith('ma-chan://example.com/')));
    // Batch by batch here (the dump's import above was one bulk transaction): both write paths keep it.
    const imported = await pchat(['import', path('b.zip'), '--yes', '--batched', '--data-dir', path('c')]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(legacyByName(await roomsOf(path('c'))), legacyByName(await roomsOf(path('b'))));
    assert.equal((await pchat(['export', '--data-dir', path('c'), '--out', path('c.zip')])).code, 0);
    assert.deepEqual((await normalisedRecords(path('c.zip'))).rooms, (await normalisedRecords(path('b.zip'))).rooms);
    const again = JSON.parse((await pchat(['import', path('b.zip'), '--yes', '--json', '--data-dir', path('c')])).stdout);
    assert.deepEqual(Object.keys(again.actions), ['unchanged']);
  });

  it('an archive written before the field existed still imports: new rooms get null, existing rooms keep theirs', async () => {
    await rewrite(path('b.zip'), path('old.zip'), (rooms) => rooms.map(({ legacyUri: _gone, ...r }) => r));
    assert.ok((await archiveRooms(path('old.zip'))).every((r) => !('legacyUri' in r)));
    const fresh = await pchat(['import', path('old.zip'), '--yes', '--data-dir', path('d')]);
    assert.equal(fresh.code, 0, fresh.stderr);
    const rooms = await roomsOf(path('d'));
    assert.equal(rooms.length, 7);
    assert.ok(rooms.every((r) => r.legacyUri === null));

    const over = JSON.parse((await pchat(['import', path('old.zip'), '--yes', '--json', '--data-dir', path('c')])).stdout);
    assert.deepEqual(Object.keys(over.actions), ['unchanged'], 'an absent legacyUri is no change');
    assert.deepEqual(legacyByName(await roomsOf(path('c'))), legacyByName(await roomsOf(path('b'))));
    assert.equal((await pchat(['verify', '--source', path('old.zip'), '--data-dir', path('c')])).code, 0);
  });

  it('verify reports a room whose legacy URI differs, and a changed one is an update', async () => {
    const local = await openDir(path('c'));
    let name: string;
    try {
      const room = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'eng-general')!;
      name = room.name;
      await local.store.rooms.update({ ...room, legacyUri: 'ma-chan://example.com/11111111-2222-3333-4444-555555555555' });
    } finally {
      await local.close();
    }
    const verified = await pchat(['verify', '--source', path('b.zip'), '--data-dir', path('c'), '--json']);
    assert.equal(verified.code, 1, verified.stdout);
    const conflicts = JSON.parse(verified.stdout).conflicts as { name: string; field: string; source: unknown; target: unknown }[];
    assert.deepEqual(conflicts.map((c) => [c.name, c.field, c.target]), [[name, 'legacyUri', 'ma-chan://example.com/11111111-2222-3333-4444-555555555555']]);
    assert.equal(conflicts[0]!.source, (await archiveRooms(path('b.zip'))).find((r) => r.name === name)!.legacyUri);

    // Case alone is no difference: legacy URIs compare case-insensitively.
    const upper = path('upper.zip');
    await rewrite(path('b.zip'), upper, (rooms) => rooms.map((r) => ({ ...r, legacyUri: r.legacyUri!.toUpperCase() })));
    const plan = JSON.parse((await pchat(['import', path('b.zip'), '--what-if', '--json', '--data-dir', path('c')])).stdout);
    assert.deepEqual(plan.items.filter((i: { action: string }) => i.action !== 'unchanged').map((i: { name: string; action: string }) => [i.name, i.action]), [[name, 'update']]);
    assert.equal((await pchat(['import', path('b.zip'), '--yes', '--data-dir', path('c')])).code, 0);
    assert.equal((await pchat(['verify', '--source', path('b.zip'), '--data-dir', path('c')])).code, 0);
    const upperVerified = await pchat(['verify', '--source', upper, '--data-dir', path('c'), '--json']);
    assert.deepEqual(JSON.parse(upperVerified.stdout).conflicts, []);
  });

  it('imports a room whose legacy URI another room has (in the target or in the same archive) without it, reported; --strict refuses, writing nothing', async () => {
    // In the target: the URI of "eng-general" now belongs to a native room.
    const local = await openDir(path('c'));
    let uri: string;
    try {
      const room = [...(await local.app.directory.snapshot()).rooms.values()].find((r) => r.name === 'eng-general')!;
      uri = room.legacyUri!;
      await local.store.rooms.update({ ...room, legacyUri: null });
      const squatter = await local.app.rooms.create(SYSTEM_ACTOR, { name: 'squatter', categoryId: room.categoryId });
      await local.store.rooms.update({ ...squatter.room, legacyUri: uri.toUpperCase() });
    } finally {
      await local.close();
    }
    const refused = await pchat(['import', path('b.zip'), '--yes', '--strict', '--json', '--data-dir', path('c')]);
    assert.notEqual(refused.code, 0);
    const errors = (JSON.parse(refused.stdout).notes as { severity: string; code: string; item: { name?: string } | null; message: string }[]).filter((n) => n.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.item?.name, 'eng-general');
    assert.equal(errors[0]!.code, 'legacy_uri_dropped');
    assert.match(errors[0]!.message, /legacy URI ma-chan:\/\/example\.com\/.* room "squatter" \(pchat id \d+\) already has in the target; it is imported without it \(--strict: refused\)/);
    const after = legacyByName(await roomsOf(path('c')));
    assert.equal(after['eng-general'], null, 'nothing was written');
    assert.equal(after.squatter, uri.toUpperCase());
    // Without --strict the room is imported without the URI, which stays with the room that has it.
    const resolved = await pchat(['import', path('b.zip'), '--yes', '--json', '--data-dir', path('c')]);
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    const dropped = (JSON.parse(resolved.stdout).resolutions as { code: string; name: string; resolution: string }[]).filter((r) => r.code === 'legacy_uri_dropped');
    assert.deepEqual(dropped.map((r) => [r.name, r.resolution]), [['eng-general', 'reference dropped']]);
    assert.deepEqual(legacyByName(await roomsOf(path('c'))), after);

    // In the archive: two rooms with one URI (differing in case only).
    await rewrite(path('b.zip'), path('twins.zip'), (rooms) => rooms.map((r, i) => (i === 1 ? { ...r, legacyUri: rooms[0]!.legacyUri!.toUpperCase() } : r)));
    const twins = await pchat(['import', path('twins.zip'), '--yes', '--strict', '--json', '--data-dir', path('e')]);
    assert.notEqual(twins.code, 0);
    const twinErrors = (JSON.parse(twins.stdout).notes as { severity: string; message: string }[]).filter((n) => n.severity === 'error');
    assert.equal(twinErrors.length, 1, JSON.stringify(twinErrors));
    assert.match(twinErrors[0]!.message, /of the same source has too/);
    assert.equal((await roomsOf(path('e'))).length, 0);
  });
});
