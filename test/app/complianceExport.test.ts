// The compliance adapter in one process, over a real SQLite store: the XML and JSON lines
// formats, the cursor, and the scheduled export's claim / publish / advance steps, including a
// crash (a throwing hook) at each point between them. test/e2e/complianceExport.e2e.test.ts
// kills real processes; test/storage/complianceExport.test.ts covers the store on both backends.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ComplianceExportSchedule, type ExportPoint, type ScheduleOptions } from '../../src/app/complianceExport.js';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { PchatError } from '../../src/core/errors.js';
import type { ComplianceEvent } from '../../src/core/model.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import type { TextSink } from '../../src/ports/complianceExport.js';
import { systemClock } from '../../src/ports/events.js';
import type { NewComplianceEvent, Store } from '../../src/ports/store.js';
import { seedRoom } from '../../src/storage/contract/harness.js';
import { openBatchDirectory } from '../../src/storage/exportFiles/batchDirectory.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { assertExactlyOnce, jsonLines, parseComplianceXml, readBatchFiles } from '../helpers/complianceFiles.js';

const TRICKY = 'ship <it> & "celebrate"\n\tthen\r\nrest \u0001 done 🎉';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sink that keeps everything written to it. */
function collect(): TextSink & { text: () => string } {
  const parts: string[] = [];
  return { write: async (chunk) => void parts.push(chunk), text: () => parts.join('') };
}

describe('compliance export (formats and cursor)', () => {
  let dir: string;
  let store: Store;
  let app: Application;
  let legacyRoom: number;
  let nativeRoom: number;
  let alice: number;
  let bob: number;
  const LEGACY_URI = 'ma-chan://example.com/7f525c3e-7d41-4ce5-895e-3e6ba72fd601';

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-compliance-app-'));
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    app = createApplication({ store, bus: new LocalEventBus(), clock: systemClock });
    const seeded = await seedRoom(store, 'native room');
    nativeRoom = seededRoomId(seeded);
    alice = (await store.users.create({ login: 'alice@example.com', displayName: 'Alice Example', email: 'alice@mail.example.com', disabled: false, isAdmin: false, origin: null, passwordHash: null })).id;
    bob = (await store.users.create({ login: 'sip:bob@example.com', displayName: 'Bob', email: null, disabled: false, isAdmin: false, origin: null, passwordHash: null })).id;
    const room = await store.rooms.get(nativeRoom);
    legacyRoom = (await store.rooms.create({ ...room!, name: 'release planning', legacyUri: LEGACY_URI })).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seededRoomId = (s: { roomId: number }) => s.roomId;
  const all = async (): Promise<ComplianceEvent[]> => store.compliance.list({ limit: 100_000 });

  /** A conversation in two rooms, with every record type, a removed room and an unknown user. */
  async function conversation(): Promise<void> {
    const t = Date.UTC(2024, 2, 31, 17, 0, 0, 123);
    await store.compliance.append([
      { type: 'JOIN', roomId: legacyRoom, userId: alice, at: t, data: null },
      { type: 'JOIN', roomId: nativeRoom, userId: bob, at: t + 1, data: null },
      { type: 'CHAT', roomId: legacyRoom, userId: alice, at: t + 2, data: { messageId: 41, seq: 1, kind: 'text', title: null, text: TRICKY } },
      { type: 'BACKCHAT', roomId: legacyRoom, userId: bob, at: t + 3, data: { count: 1, fromSeq: 1 } },
      { type: 'CHAT', roomId: nativeRoom, userId: bob, at: t + 4, data: { messageId: 0, seq: 0, kind: 'text', title: null, text: 'live only' } },
      { type: 'FILEUPLOAD', roomId: legacyRoom, userId: alice, at: t + 5, data: { name: 'plan.txt', size: 12 } },
      { type: 'FILEDOWNLOAD', roomId: legacyRoom, userId: bob, at: t + 6, data: { name: 'plan.txt' } },
      { type: 'CHAT', roomId: 999, userId: 777, at: t + 7, data: { messageId: 99, seq: 5, kind: 'text', title: null, text: 'in a removed room' } },
      { type: 'PART', roomId: legacyRoom, userId: alice, at: t + 8, data: null },
    ]);
  }

  it('writes well-formed XML shaped like the Lync XmlAdapter output, one Conversation per room', async () => {
    await conversation();
    const records = await all();
    const sink = collect();
    const summary = await app.complianceExport.export(SYSTEM_ACTOR, { format: 'xml' }, sink);
    assert.deepEqual(summary, { count: 9, firstId: records[0]!.id, lastId: records.at(-1)!.id, next: records.at(-1)!.id });
    const xml = sink.text();
    assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n/);
    const conversations = parseComplianceXml(xml);
    const instance = await store.settings.instanceId();
    assert.deepEqual(
      conversations.map((c) => c.channel),
      [
        { uri: LEGACY_URI, name: 'release planning' },
        { uri: `pchat://${instance}/room/${nativeRoom}`, name: 'native room' },
        { uri: `pchat://${instance}/room/999`, name: '' },
      ],
      'rooms in the order of their first record; a removed room keeps its id in the URI',
    );
    for (const c of conversations) {
      assert.deepEqual(c.order, ['Channel', 'FirstMessage', 'Messages', 'StartTimeUTC', 'EndTimeUTC'], 'the XSD sequence');
      assert.deepEqual(c.first, c.messages[0], 'FirstMessage repeats the first message');
    }
    const [legacy, native, removed] = conversations as [(typeof conversations)[0], (typeof conversations)[0], (typeof conversations)[0]];
    assert.deepEqual(
      legacy.messages.map((m) => [m.type, m.content, m.id]),
      [
        ['JOIN', '', '0'],
        // Tabs and line breaks survive (as references), the one control character XML cannot carry becomes U+FFFD.
        ['CHAT', TRICKY.replace('\u0001', '\uFFFD'), '41'],
        ['BACKCHAT', '{"count":1,"fromSeq":1}', '0'],
        ['FILEUPLOAD', 'plan.txt', '0'],
        ['FILEDOWNLOAD', 'plan.txt', '0'],
        ['PART', '', '0'],
      ],
    );
    assert.deepEqual(legacy.messages[0]!.sender, { UserName: 'Alice Example', id: String(alice), email: 'alice@mail.example.com', internal: 'true', uri: 'alice@example.com' });
    assert.deepEqual(legacy.messages[2]!.sender, { UserName: 'Bob', id: String(bob), email: '', internal: 'true', uri: 'bob@example.com' }, 'the SIP URI without its scheme, as Lync wrote it');
    assert.deepEqual(native.messages.map((m) => [m.type, m.content, m.id]), [['JOIN', '', '0'], ['CHAT', 'live only', '0']]);
    assert.deepEqual(removed.messages[0]!.sender, { UserName: '', id: '777', email: '', internal: 'true', uri: '' });
    const t = Date.UTC(2024, 2, 31, 17, 0, 0, 123);
    assert.deepEqual(legacy.messages[0]!.time, { since1970: String(t), string: '2024-03-31T17:00:00.1230000Z', long: String(BigInt(t) * 10_000n + 621_355_968_000_000_000n) });
    assert.equal(legacy.start.since1970, String(t), 'StartTimeUTC: the conversation’s first record');
    assert.equal(legacy.end.since1970, String(t + 8), 'EndTimeUTC: its last');
    assert.equal(legacy.end.string, '2024-03-31T17:00:00.1310000Z');
  });

  it('writes JSON lines that read back as the stored records, with room and user resolved', async () => {
    await conversation();
    const records = await all();
    const sink = collect();
    await app.complianceExport.export(SYSTEM_ACTOR, { format: 'jsonl' }, sink);
    const lines = jsonLines(sink.text());
    assert.equal(sink.text().split('\n').length, records.length + 1, 'one line per record');
    assert.deepEqual(
      lines.map((l) => ({ id: l.id, type: l.type, roomId: l.room.id, userId: l.user.id, at: l.since1970, data: l.data })),
      records.map((r) => ({ id: r.id, type: r.type, roomId: r.roomId, userId: r.userId, at: r.at, data: r.data })),
      'every record, in id order, data exactly as stored (control characters included)',
    );
    assert.equal(lines[2].data.text, TRICKY);
    assert.equal(lines[0].at, new Date(records[0]!.at).toISOString());
    assert.deepEqual(lines[0].room, { id: legacyRoom, name: 'release planning', uri: LEGACY_URI, legacyUri: LEGACY_URI });
    assert.deepEqual(lines[0].user, { id: alice, login: 'alice@example.com', displayName: 'Alice Example', email: 'alice@mail.example.com' });
    assert.deepEqual(lines[7].user, { id: 777, login: null, displayName: null, email: null });
    assert.equal(lines[7].room.name, null);
  });

  it('continues from the cursor it prints: --after and --limit page through every record once, over many pages per room', async () => {
    const rooms = [legacyRoom, nativeRoom, 999];
    const events: NewComplianceEvent[] = [];
    for (let i = 0; i < 2345; i++) {
      events.push({ type: 'CHAT', roomId: rooms[i % 3]!, userId: alice, at: 1_700_000_000_000 + i, data: { messageId: i + 1, text: `m${i}` } });
    }
    await store.compliance.append(events);
    const ids = (await all()).map((r) => r.id);
    for (const format of ['jsonl', 'xml'] as const) {
      let after = 0;
      const seen: string[] = [];
      for (let round = 0; ; round++) {
        assert.ok(round < 10);
        const sink = collect();
        const summary = await app.complianceExport.export(SYSTEM_ACTOR, { after, format, limit: 1100 }, sink);
        if (summary.count === 0) {
          assert.equal(summary.next, after, 'nothing more: the cursor stays');
          break;
        }
        assert.equal(summary.firstId, ids.find((id) => id > after));
        const texts =
          format === 'jsonl'
            ? jsonLines(sink.text()).map((l) => l.data.text as string)
            : parseComplianceXml(sink.text()).flatMap((c) => c.messages.map((m) => m.content));
        assert.equal(texts.length, summary.count);
        seen.push(...texts);
        after = summary.next;
      }
      assert.deepEqual([...seen].sort(), events.map((e) => String(e.data!.text)).sort(), `${format}: each record exactly once`);
    }
    // An empty export is still a well-formed document.
    const sink = collect();
    assert.equal((await app.complianceExport.export(SYSTEM_ACTOR, { after: ids.at(-1), format: 'xml' }, sink)).count, 0);
    assert.deepEqual(parseComplianceXml(sink.text()), []);
  });

  it('is for administrators only, and checks its input', async () => {
    const actor = await app.sessions.actorFor(alice);
    await assert.rejects(app.complianceExport.export(actor, {}, collect()), (e) => e instanceof PchatError && e.code === 'not_permitted');
    await assert.rejects(app.complianceExport.export(SYSTEM_ACTOR, { format: 'csv' }, collect()), (e) => e instanceof PchatError && e.field === 'format');
    await assert.rejects(app.complianceExport.export(SYSTEM_ACTOR, { after: -1 }, collect()), (e) => e instanceof PchatError && e.field === 'after');
  });
});

describe('scheduled compliance export (one process)', () => {
  let dir: string;
  let out: string;
  let store: Store;
  let roomId: number;
  let userId: number;
  let n = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-compliance-schedule-'));
    out = join(dir, 'out');
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    ({ roomId, userId } = await seedRoom(store));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (count: number) =>
    store.compliance.append(Array.from({ length: count }, () => ({ type: 'CHAT' as const, roomId, userId, at: Date.now(), data: { messageId: ++n, text: `record ${n}` } })));
  const all = () => store.compliance.list({ limit: 100_000 });
  const schedule = async (options: Partial<ScheduleOptions> = {}) =>
    new ComplianceExportSchedule(store, await openBatchDirectory(out), { format: 'jsonl', intervalMs: 0, batchSize: 7, leaseMs: 10_000, owner: 'node-a', ...options });

  it('writes every record exactly once over several intervals while records keep arriving', async () => {
    const exporter = await schedule({ intervalMs: 100, format: 'xml' });
    exporter.start();
    for (let burst = 0; burst < 12; burst++) {
      await append(1 + (burst % 5) * 4);
      await sleep(60);
    }
    const total = (await all()).length;
    const last = (await all()).at(-1)!.id;
    for (let i = 0; i < 100 && (await store.complianceExport.state('scheduled'))?.cursor !== last; i++) await sleep(50);
    await exporter.stop();
    const files = assertExactlyOnce(out, await all());
    assert.ok(files.length >= Math.ceil(total / 7), 'at most batchSize records per file');
    assert.ok(files.every((f) => f.format === 'xml'));
    const state = await store.complianceExport.state('scheduled');
    assert.equal(state?.cursor, last);
    assert.equal(state?.owner, null, 'the lease is given up after each run');
    assert.ok((state?.lastRunAt ?? 0) > 0);
  });

  it('runs once per interval, not once per look', async () => {
    const exporter = await schedule({ intervalMs: 60_000 });
    await append(3);
    assert.equal((await exporter.runOnce()).status, 'done');
    await append(3);
    assert.deepEqual(await exporter.runOnce(), { status: 'not-due' });
    assert.equal(readBatchFiles(out).files.length, 1);
  });

  for (const point of ['claimed', 'written', 'renamed', 'advanced'] as const) {
    it(`recovers from a crash when a batch was ${point}: the next run neither skips nor repeats a record`, async () => {
      await append(20);
      let fired = false;
      const crashing = await schedule({
        hook: (at: ExportPoint) => {
          if (at === point && !fired) {
            fired = true;
            throw new Error(`crash at ${point}`);
          }
        },
      });
      await assert.rejects(crashing.runOnce(), new RegExp(`crash at ${point}`));
      const state = await store.complianceExport.state('scheduled');
      const published = readBatchFiles(out).files.map((f) => f.name);
      if (point === 'claimed' || point === 'written') {
        assert.ok(state?.pending, 'the batch stays claimed');
        assert.deepEqual(published, []);
        // In process the error path removes its temporary file; a killed process leaves it, and the
        // next run removes it (test/e2e/complianceExport.e2e.test.ts).
        if (point === 'written') assert.deepEqual(readdirSync(out), []);
      }
      let adopted: { name: string; inode: number } | null = null;
      if (point === 'renamed') {
        assert.ok(state?.pending, 'the cursor has not moved');
        assert.equal(published.length, 1, 'the file was published');
        adopted = { name: published[0]!, inode: statSync(join(out, published[0]!)).ino };
      }
      if (point === 'advanced') assert.equal(state?.pending, null);
      await append(5);
      const restarted = await schedule();
      assert.equal((await restarted.runOnce()).status, 'done');
      assertExactlyOnce(out, await all());
      if (adopted) assert.equal(statSync(join(out, adopted.name)).ino, adopted.inode, 'the published file was adopted, not written again');
    });
  }

  it('refuses a directory holding a file it never wrote rather than adopt or overwrite it', async () => {
    await append(3);
    mkdirSync(out, { recursive: true });
    const ids = (await all()).map((r) => r.id);
    const foreign = `pchat-compliance-${String(ids[0]).padStart(12, '0')}-${String(ids.at(-1)).padStart(12, '0')}.jsonl`;
    writeFileSync(join(out, foreign), 'not ours\n');
    await assert.rejects((await schedule()).runOnce(), (e) => e instanceof PchatError && e.code === 'conflict');
    const state = await store.complianceExport.state('scheduled');
    assert.equal(state?.pending, null, 'nothing was claimed');
    assert.equal(state?.cursor, 0);
    assert.ok(existsSync(join(out, foreign)));
  });

  it('leaves the export to the node holding the lease', async () => {
    await append(3);
    assert.ok(await store.complianceExport.lease('scheduled', 'node-b', 60_000));
    assert.deepEqual(await (await schedule()).runOnce(), { status: 'busy' });
    await store.complianceExport.release('scheduled', 'node-b', false);
    assert.equal((await (await schedule()).runOnce()).status, 'done');
    assertExactlyOnce(out, await all());
  });
});
