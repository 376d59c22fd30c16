import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sweepOrphanFiles } from '../../src/app/fileSweep.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { Store } from '../../src/ports/store.js';
import { streamOf } from '../../src/storage/contract/files.contract.js';
import { post, seedRoom } from '../../src/storage/contract/harness.js';
import { directoryBlobStore } from '../../src/storage/files/directory.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { openStore } from '../../src/stores.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';

const MiB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tempDir = () => mkdtempSync(join(tmpdir(), 'pchat-files-'));

/** Orphans go, referenced and young blobs stay: the same on every adapter. */
async function sweepCase(store: Store): Promise<void> {
  const { userId, roomId } = await seedRoom(store);
  const orphan = await store.blobs.put(streamOf(randomBytes(MiB + 5)), 8 * MiB);
  const referenced = await store.blobs.put(streamOf(Buffer.from('referenced')), 8 * MiB);
  const removed = await store.blobs.put(streamOf(Buffer.from('its message was removed')), 8 * MiB);
  const [, gone] = await store.messages.append([
    post(roomId, userId, 'kept', { file: { name: 'a.txt', contentType: 'text/plain', ...referenced } }),
    post(roomId, userId, 'to remove', { file: { name: 'b.txt', contentType: 'text/plain', ...removed } }),
  ]);
  await store.messages.remove([gone!.message.id]);
  await sleep(5);
  const now = Date.now();
  await sleep(5);
  const fresh = await store.blobs.put(streamOf(Buffer.from('uploaded, its message not written yet')), 8 * MiB);

  const result = await sweepOrphanFiles(store, { now, graceMs: 0, pageSize: 2 });
  assert.deepEqual(result, { scanned: 4, unreferenced: 3 });
  assert.equal(await store.blobs.has(orphan.sha256), false, 'an orphan older than the grace period goes');
  assert.equal(await store.blobs.has(removed.sha256), false, 'so do the bytes of a removed message');
  assert.equal(await store.blobs.has(referenced.sha256), true, 'a referenced blob stays');
  assert.equal(await store.blobs.has(fresh.sha256), true, 'a blob put within the grace period stays');
  // With the default grace period (an hour), nothing that was just put goes.
  await store.blobs.put(streamOf(Buffer.from('another orphan')), 8 * MiB);
  assert.deepEqual(await sweepOrphanFiles(store, { now: Date.now() }), { scanned: 3, unreferenced: 2 });
  assert.equal((await store.blobs.list(null, 10)).length, 3);
}

describe('files: sqlite store with the directory adapter', () => {
  it('sweeps orphans only', async () => {
    const dir = tempDir();
    const store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    try {
      await sweepCase(store);
      const digest = (await store.blobs.list(null, 1))[0]!;
      assert.ok(existsSync(join(dir, 'files', digest.slice(0, 2), digest.slice(2, 4), digest)), 'blobs live in <dataDir>/files/aa/bb/<sha256>');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a too-large put leaves no temp file; a stale temp file goes at open, a young one stays', async () => {
    const dir = tempDir();
    try {
      const blobs = directoryBlobStore(dir);
      await assert.rejects(blobs.put(streamOf(randomBytes(2 * MiB)), MiB), { code: 'too_large' });
      assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
      await assert.rejects(
        blobs.put(
          (async function* () {
            yield Buffer.from('half');
            throw new Error('client went away');
          })(),
          MiB,
        ),
        /client went away/,
      );
      assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'a failed source leaves nothing either');

      writeFileSync(join(dir, 'tmp', 'stale.part'), 'x');
      writeFileSync(join(dir, 'tmp', 'young.part'), 'x');
      const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
      utimesSync(join(dir, 'tmp', 'stale.part'), twoHoursAgo, twoHoursAgo);
      directoryBlobStore(dir);
      assert.deepEqual(readdirSync(join(dir, 'tmp')), ['young.part']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a blob a killed sweep had moved aside goes back at open', async () => {
    const dir = tempDir();
    try {
      const blobs = directoryBlobStore(dir);
      const { sha256 } = await blobs.put(streamOf(Buffer.from('moved aside')), MiB);
      const path = join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      renameSync(path, join(dir, 'tmp', `${sha256}.0f1e-2d3c.aside`));
      assert.equal(await blobs.has(sha256), false);
      const reopened = directoryBlobStore(dir);
      assert.equal(await reopened.has(sha256), true);
      assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process killed in the middle of a put leaves no blob and no row', async () => {
    const dir = tempDir();
    const database = join(dir, 'pchat.db');
    createSqliteStore(database).close();
    const module = new URL('../../src/storage/sqlite/index.js', import.meta.url).href;
    const script = `
      import { createSqliteStore } from ${JSON.stringify(module)};
      const store = createSqliteStore(${JSON.stringify(database)});
      setInterval(() => {}, 1000);
      async function* slow() {
        yield Buffer.alloc(512 * 1024, 7);
        yield Buffer.alloc(512 * 1024, 8);
        process.stdout.write('halfway\\n');
        await new Promise(() => {});
      }
      await store.blobs.put(slow(), 8 * 1024 * 1024);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (data: Buffer) => {
          output += data.toString();
          if (output.includes('halfway')) resolve();
        });
        child.stderr.on('data', (data: Buffer) => (output += data.toString()));
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was killed: ${output}`)));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      const temps = readdirSync(join(dir, 'files', 'tmp'));
      assert.equal(temps.length, 1, 'the unfinished temp file is all there is');
      assert.ok(statSync(join(dir, 'files', 'tmp', temps[0]!)).size >= 512 * 1024);
      const store = createSqliteStore(database);
      try {
        assert.deepEqual(await store.blobs.list(null, 10), [], 'no blob');
        assert.deepEqual(await store.messages.select({ limit: 10 }), [], 'no message, hence no file row');
        assert.deepEqual(readdirSync(join(dir, 'files', 'tmp')), temps, 'a young temp file may be a running put: kept at open');
      } finally {
        await store.close();
      }
      const old = new Date(Date.now() - 2 * HOUR);
      utimesSync(join(dir, 'files', 'tmp', temps[0]!), old, old);
      await createSqliteStore(database).close();
      assert.deepEqual(readdirSync(join(dir, 'files', 'tmp')), [], 'removed at an open once an hour old');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('openStore puts the directory under dataDir/files, or files.directory', async () => {
    const dir = tempDir();
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir: dir } });
      const store = await openStore(config);
      const { sha256 } = await store.blobs.put(streamOf(Buffer.from('where?')), MiB);
      await store.close();
      assert.ok(existsSync(join(dir, 'files', sha256.slice(0, 2), sha256.slice(2, 4), sha256)));

      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      const custom = await openStore(loadConfig({ env: { PCHAT_FILES_DIRECTORY: elsewhere }, overrides: { dataDir: dir } }));
      await custom.blobs.put(streamOf(Buffer.from('here')), MiB);
      await custom.close();
      assert.deepEqual(readdirSync(elsewhere).filter((n) => n !== 'tmp').length, 1);

      assert.throws(() => loadConfig({ env: { PCHAT_FILES_STORE: 'database' }, overrides: { dataDir: dir } }), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /files\.store \(from PCHAT_FILES_STORE\): "database" keeps files in PostgreSQL/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files: postgres store with the database adapter', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  async function open(options: { filesDirectory?: string } = {}) {
    const url = await cluster.createSchema();
    const store = await createPostgresStore(url, options);
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const count = async (table: string) => Number((await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    return {
      store,
      raw,
      count,
      done: async () => {
        await raw.end();
        await store.close();
        cluster.drop(url);
      },
    };
  }

  it('sweeps orphans only', async () => {
    const { store, count, done } = await open();
    try {
      await sweepCase(store);
      assert.equal(await count('file_blobs'), 3);
      assert.equal(await count('file_chunks'), 3, 'small blobs are one chunk each');
      assert.equal(await count('file_uploads'), 0);
    } finally {
      await done();
    }
  });

  it('keeps 1 MiB chunks, and nothing of an upload that failed or passed the limit', async () => {
    const { store, raw, count, done } = await open();
    try {
      const bytes = randomBytes(2 * MiB + 1);
      const { sha256 } = await store.blobs.put(streamOf(bytes, 65_536), 8 * MiB);
      const { rows } = await raw.query<{ n: number; length: number }>('SELECT n, length(data) AS length FROM file_chunks WHERE sha256 = $1 ORDER BY n', [sha256]);
      assert.deepEqual(rows, [{ n: 0, length: MiB }, { n: 1, length: MiB }, { n: 2, length: 1 }]);

      await assert.rejects(store.blobs.put(streamOf(randomBytes(3 * MiB), 65_536), 2.5 * MiB), { code: 'too_large' });
      await assert.rejects(
        store.blobs.put(
          (async function* () {
            yield randomBytes(MiB + 10);
            throw new Error('client went away');
          })(),
          8 * MiB,
        ),
        /client went away/,
      );
      assert.equal(await count('file_uploads'), 0);
      assert.equal(await count('file_chunks'), 3, 'only the stored blob has chunks');
      assert.equal(await count('file_blobs'), 1);
    } finally {
      await done();
    }
  });

  it('drops an abandoned upload once an hour old, when a sweep starts listing', async () => {
    const { store, raw, count, done } = await open();
    try {
      const { rows } = await raw.query<{ id: number }>('INSERT INTO file_uploads (started_at) VALUES ($1), ($2) RETURNING id', [Date.now() - 2 * HOUR, Date.now()]);
      for (const { id } of rows) await raw.query("INSERT INTO file_chunks (upload, n, data) VALUES ($1, 0, '\\x00')", [id]);
      assert.deepEqual(await store.blobs.list(null, 10), []);
      assert.equal(await count('file_uploads'), 1, 'the young one may be a put still running');
      assert.equal(await count('file_chunks'), 1);
    } finally {
      await done();
    }
  });

  it('uses a directory instead when configured so', async () => {
    const dir = tempDir();
    const { store, count, done } = await open({ filesDirectory: dir });
    try {
      const { sha256 } = await store.blobs.put(streamOf(Buffer.from('on disk')), MiB);
      assert.ok(existsSync(join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256)));
      assert.equal(await count('file_blobs'), 0);
    } finally {
      await done();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
