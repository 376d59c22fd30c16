// The compliance adapter with real processes: the `pchat compliance export` command and its
// cursor; `pchat serve` exporting on a schedule while it is killed with SIGKILL at each step of a
// batch (through PCHAT_TEST_COMPLIANCE_EXPORT_KILL) and at random moments; and two nodes on one
// PostgreSQL database exporting into one directory. Every time, every record must end up in
// exactly one file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ComplianceEvent } from '../../src/core/model.js';
import type { Store } from '../../src/ports/store.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { type ChildServer, spawnServer } from '../helpers/childServer.js';
import { assertExactlyOnce, jsonLines, parseComplianceXml, readBatchFiles } from '../helpers/complianceFiles.js';
import { pchat } from '../helpers/interchange.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runCli = (args: readonly string[], cwd: string) => pchat(args, { cwd, timeout: 60_000 });

/**
 * Appends CHAT records with unique texts (what the XML check identifies them by) in small
 * batches from `lanes` concurrent writers, until stopped. On PostgreSQL concurrent lanes commit
 * out of id order, which the export must not skip over.
 */
function appender(store: Store, lanes = 1): { stop(): Promise<void>; count(): number } {
  let running = true;
  let n = 0;
  const lane = async (k: number): Promise<void> => {
    while (running) {
      const size = 1 + Math.floor(Math.random() * 6);
      const events = Array.from({ length: size }, () => {
        n += 1;
        return { type: 'CHAT' as const, roomId: 1 + (n % 3), userId: 1 + (n % 2), at: Date.now(), data: { messageId: n, text: `lane ${k} record ${n}` } };
      });
      await store.compliance.append(events);
      await sleep(20 + Math.random() * 60);
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)));
  return {
    stop: async () => {
      running = false;
      await done;
    },
    count: () => n,
  };
}

const all = (store: Store): Promise<ComplianceEvent[]> => store.compliance.list({ limit: 1_000_000 });

/** Waits until the scheduled export's cursor reached the last record and nothing is pending. */
async function caughtUp(store: Store, timeoutMs = 60_000): Promise<void> {
  const last = (await all(store)).at(-1)?.id ?? 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await store.complianceExport.state('scheduled');
    if (state && state.cursor === last && !state.pending) return;
    assert.ok(Date.now() < deadline, `the export did not catch up with record ${last}: ${JSON.stringify(state)}`);
    await sleep(100);
  }
}

/** Starts `pchat serve`; one that killed itself (a kill point) before it answered counts as started and killed. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer | null> {
  try {
    return await spawnServer(dataDir, env);
  } catch (error) {
    if (/signal SIGKILL/.test((error as Error).message)) return null;
    throw error;
  }
}

/** Waits for a server started with a kill point to kill itself. */
async function killedItself(server: ChildServer | null, timeoutMs = 30_000): Promise<void> {
  if (!server) return;
  const deadline = Date.now() + timeoutMs;
  while (server.child.exitCode === null && server.child.signalCode === null) {
    assert.ok(Date.now() < deadline, `the server did not reach its kill point:\n${server.output()}`);
    await sleep(50);
  }
  assert.equal(server.child.signalCode, 'SIGKILL', server.output());
}

const writeConfig = (dataDir: string, exportSettings: Record<string, unknown>): void =>
  writeFileSync(join(dataDir, 'pchat.config.json'), JSON.stringify({ compliance: { export: exportSettings } }));

describe('pchat compliance export (the command)', () => {
  let dir: string;
  let database: string;
  let records: ComplianceEvent[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-compliance-cli-'));
    database = join(dir, 'pchat.db');
    const store = createSqliteStore(database, { synchronous: 'normal' });
    const writer = appender(store);
    while (writer.count() < 60) await sleep(10);
    await writer.stop();
    await store.compliance.append([{ type: 'JOIN', roomId: 2, userId: 1, at: Date.now(), data: null }]);
    records = await all(store);
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file, prints the cursor, and continues from it with --after', async () => {
    const first = await runCli(['compliance', 'export', '--database', database, '--limit', '25', '--out', join(dir, 'a.xml')], dir);
    assert.equal(first.code, 0, first.stderr);
    const cursor = Number(first.stdout.trim());
    assert.equal(cursor, records[24]!.id, 'the bare cursor on standard output');
    assert.match(first.stderr, new RegExp(`exported 25 records, ids ${records[0]!.id} to ${cursor}; continue with --after ${cursor}`));
    const conversations = parseComplianceXml(readFileSync(join(dir, 'a.xml'), 'utf8'));
    assert.equal(
      conversations.reduce((sum, c) => sum + c.messages.length, 0),
      25,
    );
    assert.deepEqual(
      conversations.flatMap((c) => c.messages.map((m) => m.content)).sort(),
      records.slice(0, 25).map((r) => String(r.data?.text)).sort(),
    );
    assert.ok(!existsSync(join(dir, 'a.xml.partial')));

    // The rest, as JSON lines on standard output; the cursor goes to standard error.
    const rest = await runCli(['compliance', 'export', '--database', database, '--after', String(cursor), '--format', 'jsonl'], dir);
    assert.equal(rest.code, 0, rest.stderr);
    const lines = jsonLines(rest.stdout);
    assert.deepEqual(
      lines.map((l) => l.id),
      records.slice(25).map((r) => r.id),
      'exactly the records after the cursor',
    );
    assert.equal(lines.at(-1).type, 'JOIN');
    assert.match(rest.stderr, new RegExp(`continue with --after ${records.at(-1)!.id}\\n`));

    // Nothing new: an empty export, and the same cursor.
    const none = await runCli(['compliance', 'export', '--database', database, '--after', String(records.at(-1)!.id), '--json', '--out', join(dir, 'none.jsonl'), '--format', 'jsonl'], dir);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(JSON.parse(none.stdout), { count: 0, firstId: null, lastId: null, next: records.at(-1)!.id });
    assert.equal(readFileSync(join(dir, 'none.jsonl'), 'utf8'), '');
  });

  it('refuses bad options as usage errors, and shows the scheduled export’s cursor', async () => {
    const bad = await runCli(['compliance', 'export', '--database', database, '--format', 'csv'], dir);
    assert.equal(bad.code, 2, bad.stderr);
    const negative = await runCli(['compliance', 'export', '--database', database, '--after', '-3'], dir);
    assert.equal(negative.code, 1);
    assert.match(negative.stderr, /--after/);
    const cursor = await runCli(['compliance', 'cursor', '--database', database, '--json'], dir);
    assert.equal(cursor.code, 0, cursor.stderr);
    assert.deepEqual(JSON.parse(cursor.stdout), { cursor: 0, pending: null, owner: null, leaseUntil: null, lastRunAt: null });
  });
});

describe('scheduled compliance export: SIGKILL at every step and at random moments (SQLite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pchat-compliance-crash-'));
  const exports = join(dataDir, 'exports');
  let store: Store;
  let server: ChildServer | null = null;

  before(() => {
    store = createSqliteStore(join(dataDir, 'pchat.db'), { synchronous: 'normal' });
  });
  after(async () => {
    await server?.kill();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes every record exactly once across the files', async () => {
    const writer = appender(store);
    const settings = (format: 'xml' | 'jsonl') => ({ directory: './exports', format, intervalSeconds: 1, batchSize: 20, leaseSeconds: 1 });
    try {
      // A first start creates the schema; then the kill points, each in a fresh process.
      writeConfig(dataDir, settings('jsonl'));
      for (const [i, point] of (['claimed', 'written', 'renamed', 'advanced', 'renamed:3'] as const).entries()) {
        // The format changes between processes: a pending batch keeps the format it was claimed in.
        writeConfig(dataDir, settings(i % 2 === 0 ? 'jsonl' : 'xml'));
        server = await serve(dataDir, { PCHAT_TEST_COMPLIANCE_EXPORT_KILL: point });
        await killedItself(server);
        const state = await store.complianceExport.state('scheduled');
        const names = existsSync(exports) ? readdirSync(exports) : [];
        if (point.startsWith('written')) assert.ok(names.some((n) => n.endsWith('.tmp')), `${point}: a temporary file was left: ${names.join(', ')}`);
        if (point.startsWith('claimed') || point.startsWith('written') || point.startsWith('renamed')) assert.ok(state?.pending, `${point}: a batch is pending`);
        if (point.startsWith('renamed')) {
          const pending = state!.pending!;
          assert.ok(
            names.some((n) => n.startsWith(`pchat-compliance-${String(pending.firstId).padStart(12, '0')}-${String(pending.lastId).padStart(12, '0')}.`)),
            `${point}: the pending batch's file is there`,
          );
        }
      }
      // Random moments: a run may be anywhere (claiming, writing, renaming, advancing, idle).
      for (let cycle = 0; cycle < 5; cycle++) {
        writeConfig(dataDir, settings(cycle % 3 === 0 ? 'xml' : 'jsonl'));
        server = await serve(dataDir);
        await sleep(150 + Math.random() * 1800);
        await server?.kill();
      }
    } finally {
      await writer.stop();
    }
    // A last start, without a kill: it removes the temporary files, adopts or writes what is pending, and catches up.
    server = await serve(dataDir);
    await store.compliance.append([{ type: 'CHAT', roomId: 1, userId: 1, at: Date.now(), data: { messageId: 0, text: 'the last record' } }]);
    await caughtUp(store);
    await server?.kill();
    const files = assertExactlyOnce(exports, await all(store));
    assert.ok(files.some((f) => f.format === 'xml') && files.some((f) => f.format === 'jsonl'));
    assert.ok(files.every((f) => f.lastId >= f.firstId && (f.format === 'jsonl' ? jsonLines(f.text).length <= 20 : true)));
  });
});

describe('scheduled compliance export: two nodes on one PostgreSQL, one directory', () => {
  let cluster: PostgresCluster;
  let database: string;
  let store: Store;
  const dirs = [mkdtempSync(join(tmpdir(), 'pchat-compliance-node-a-')), mkdtempSync(join(tmpdir(), 'pchat-compliance-node-b-'))];
  const exports = mkdtempSync(join(tmpdir(), 'pchat-compliance-shared-'));
  const servers: (ChildServer | null)[] = [null, null];

  before(async () => {
    cluster = await startPostgres();
    database = await cluster.createDatabase();
    store = await createPostgresStore(database);
    for (const dir of dirs) writeConfig(dir, { directory: exports, format: 'xml', intervalSeconds: 1, batchSize: 17, leaseSeconds: 2 });
  });
  after(async () => {
    for (const s of servers) await s?.kill();
    await store?.close();
    await cluster?.stop();
    for (const dir of [...dirs, exports]) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every record exactly once while both export, one is killed and comes back', async () => {
    // Logged at info, so each node's output tells which batches it published.
    const env = { PCHAT_DATABASE: database, PCHAT_LOG_LEVEL: 'info' };
    const started: ChildServer[] = [];
    const start = async (i: number): Promise<void> => {
      servers[i] = await serve(dirs[i]!, env);
      if (servers[i]) started.push(servers[i]!);
    };
    await start(0);
    await start(1);
    // Four concurrent writers: their ids commit out of order.
    const writer = appender(store, 4);
    try {
      await sleep(3000);
      await servers[0]?.kill();
      await sleep(1500 + Math.random() * 1000);
      await start(0);
      await sleep(3000);
      await servers[1]?.kill();
      await sleep(1500);
    } finally {
      await writer.stop();
    }
    await caughtUp(store);
    for (const s of servers) await s?.kill();
    const files = assertExactlyOnce(exports, await all(store));
    assert.ok(files.length > 5, `several batches (${files.length})`);
    const published = started.map((s) => s.output().split('\n').filter((line) => line.includes('compliance batch exported')).length);
    // Each file is logged once, by the node that published (or adopted) it; a node killed between
    // moving the cursor and writing the log line loses that line (two nodes are killed mid-work).
    const logged = published.reduce((a, b) => a + b, 0);
    assert.ok(logged <= files.length && logged >= files.length - 2, `each file was published once, by one node (${published.join(' + ')} of ${files.length})`);
    assert.ok(published.filter((n) => n > 0).length >= 2, `more than one node exported (${published.join(', ')})`);
    assert.deepEqual(readBatchFiles(exports).others, []);
  });
});
