// files: files in rooms over HTTP against a real server process (SQLite, default directory blob store).
//
// (1) One 100 MB file: upload (multipart, streamed) and download throughput; the download's
//     SHA-256 must equal the upload's (computed here while generating) and the server's.
// (2) 1,000 small files (10 kB each), 8 requests at a time: upload, then download, files/s and MB/s.
// (3) Ten 100 MB uploads at once: the server's peak RSS growth over its warmed-up baseline,
//     sampling /proc/<pid>/status every 50 ms (VmRSS, plus VmHWM reset just before the phase).
//     Target: less than 64 MB.
// The bytes come from a seeded PRNG as a stream: the bench never holds a large file in memory,
// and every file has different content (storage is content-addressed, so equal files would be
// stored once). MB = 10^6 bytes.
import Table from 'cli-table3';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { pipeline } from 'node:stream/promises';
import { createCategoryFor, createRooms, createUsers, openBenchStore, pinSelf, startServerProcess, tempDir } from './lib/fixture.js';
import { type BenchResult, progress, report, round, sleep } from './lib/report.js';
import { pool } from './lib/ws.js';

const NAME = 'files';
const MB = 1e6;
const BIG = Number(process.env.BENCH_FILES_BIG_MB ?? 100) * MB;
const SMALL = 10_000;
const SMALL_COUNT = Number(process.env.BENCH_FILES_SMALL ?? 1000);
const CONCURRENCY = 8;
const PARALLEL_BIG = 10;
const SAMPLE_MS = 50;
const RSS_TARGET_MB = 64;
const CHUNK = 256 * 1024;
const log = progress(NAME);

/** `size` bytes from a seeded xorshift32 PRNG, in fresh chunks of at most 256 KiB. */
function* randomChunks(seed: number, size: number): Generator<Buffer> {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let left = size; left > 0; ) {
    const n = Math.min(CHUNK, left);
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    yield Buffer.from(words.buffer, 0, n);
    left -= n;
  }
}

interface Uploaded {
  readonly id: number;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
  /** SHA-256 of the bytes sent, as generated here. */
  readonly sent: string;
  readonly ms: number;
}

/** POST /api/v1/rooms/{roomId}/files: one `file` part streamed from the PRNG, with Content-Length. */
function upload(base: string, token: string, roomId: number, name: string, seed: number, size: number, agent: Agent): Promise<Uploaded> {
  const boundary = `----pchat-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const hash = createHash('sha256');
  function* body(): Generator<Buffer> {
    yield head;
    for (const chunk of randomChunks(seed, size)) {
      hash.update(chunk);
      yield chunk;
    }
    yield tail;
  }
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/v1/rooms/${roomId}/files`,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode !== 201) return reject(new Error(`upload ${name}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
          const { file } = JSON.parse(text) as { file: { id: number; size: number; sha256: string; url: string } };
          resolve({ id: file.id, size: file.size, sha256: file.sha256, url: file.url, sent: hash.digest('hex'), ms });
        });
      },
    );
    req.on('error', reject);
    pipeline(Readable.from(body(), { objectMode: false }), req).catch(reject);
  });
}

/** GET the file, hashing and counting the bytes as they stream in. */
function download(base: string, token: string, url: string, agent: Agent): Promise<{ size: number; sha256: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${url}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`download ${url}: HTTP ${res.statusCode}`));
      }
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ size, sha256: hash.digest('hex'), ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets the process's VmHWM to its current RSS (Linux ≥ 4.0); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS of `pid` every `ms` in a worker thread, so a busy load loop (generating and
 * sending 1 GB) cannot delay the samples. `stop()` resolves with them.
 */
function rssSampler(pid: number, ms: number): { stop(): Promise<{ t: number; rss: number }[]> } {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const samples = [];
    const t0 = performance.now();
    const take = () => {
      const m = /^VmRSS:\\s+(\\d+) kB/m.exec(readFileSync('/proc/' + workerData.pid + '/status', 'utf8'));
      samples.push({ t: Math.round(performance.now() - t0), rss: Number(m[1]) * 1024 });
    };
    take();
    const timer = setInterval(take, workerData.ms);
    parentPort.once('message', () => { clearInterval(timer); take(); parentPort.postMessage(samples); });
  `;
  const worker = new Worker(code, { eval: true, workerData: { pid, ms } });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (samples: { t: number; rss: number }[]) => {
          void worker.terminate();
          resolve(samples);
        });
        worker.postMessage('stop');
      }),
  };
}

const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const mb = (bytes: number) => round(bytes / MB, 1);

async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const [user] = await createUsers(store, 1, 'uploader');
    if (!user) throw new Error('no user');
    const admin = await store.users.create({ login: 'admin@bench.example', displayName: 'Admin', email: null, isAdmin: true, disabled: false, origin: null, passwordHash: null });
    const adminToken = randomBytes(24).toString('base64url');
    await store.sessions.create({ tokenHash: createHash('sha256').update(adminToken).digest('hex'), userId: admin.id, kind: 'token', createdAt: Date.now(), expiresAt: Date.now() + 86_400_000, userAgent: 'bench', address: null }, 0);
    const categoryId = await createCategoryFor(store, 'Files', [{ kind: 'user', id: user.id }]);
    const [roomId] = await createRooms(store, categoryId, 1, 'files room');
    if (roomId === undefined) throw new Error('no room');
    await store.close();

    const server = await startServerProcess(data.dir, { core: 0 });
    let result: BenchResult;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const base = server.url;
      const patched = await fetch(`${base}/api/v1/config`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ maxFileSizeKB: Math.ceil((2 * BIG) / 1024) }),
      });
      if (!patched.ok) throw new Error(`PATCH /api/v1/config: HTTP ${patched.status} ${await patched.text()}`);
      log(`server pid ${server.pid}; maxFileSizeKB raised to ${Math.ceil((2 * BIG) / 1024)}`);

      // Warm-up: a few small files and one 10 MB file, up and down.
      for (let i = 0; i < 20; i++) {
        const f = await upload(base, user.token, roomId, `warm-${i}.bin`, 900_000 + i, SMALL, agent);
        await download(base, user.token, f.url, agent);
      }
      const warm = await upload(base, user.token, roomId, 'warm-big.bin', 999_999, 10 * MB, agent);
      await download(base, user.token, warm.url, agent);

      // (1) One big file.
      const bigUp = await upload(base, user.token, roomId, 'big.bin', 1, BIG, agent);
      const bigDown = await download(base, user.token, bigUp.url, agent);
      const bigOk = bigUp.sent === bigUp.sha256 && bigDown.sha256 === bigUp.sent && bigDown.size === BIG && bigUp.size === BIG;
      if (!bigOk) throw new Error(`big file mismatch: sent ${bigUp.sent}, server ${bigUp.sha256}, downloaded ${bigDown.sha256} (${bigDown.size} bytes)`);
      log(`one ${mb(BIG)} MB file: upload ${round(mbps(BIG, bigUp.ms), 1)} MB/s, download ${round(mbps(BIG, bigDown.ms), 1)} MB/s, SHA-256 verified`);

      // (2) Many small files, CONCURRENCY at a time.
      const seeds = Array.from({ length: SMALL_COUNT }, (_, i) => 10_000 + i);
      let t0 = performance.now();
      const small = await pool(seeds, CONCURRENCY, (seed, i) => upload(base, user.token, roomId, `small-${i}.bin`, seed, SMALL, agent));
      const smallUpMs = performance.now() - t0;
      t0 = performance.now();
      const smallDown = await pool(small, CONCURRENCY, (f) => download(base, user.token, f.url, agent));
      const smallDownMs = performance.now() - t0;
      const smallBad = small.filter((f, i) => f.sha256 !== f.sent || smallDown[i]?.sha256 !== f.sent || smallDown[i]?.size !== SMALL).length;
      if (smallBad > 0) throw new Error(`${smallBad} small files do not match`);
      log(`${SMALL_COUNT} small files: upload ${round((SMALL_COUNT * 1000) / smallUpMs)} files/s, download ${round((SMALL_COUNT * 1000) / smallDownMs)} files/s`);

      // (3) Ten big uploads at once; RSS sampled every 50 ms against a baseline taken while idle.
      await sleep(2000);
      const idle: number[] = [];
      for (let i = 0; i < 20; i++) {
        idle.push(memoryOf(server.pid).rss);
        await sleep(SAMPLE_MS);
      }
      const baseline = idle.reduce((a, b) => a + b, 0) / idle.length;
      const hwmReset = resetPeak(server.pid);
      const sampler = rssSampler(server.pid, SAMPLE_MS);
      const tp = performance.now();
      let parallel: Uploaded[];
      let parallelMs: number;
      let samples: { t: number; rss: number }[];
      try {
        parallel = await Promise.all(Array.from({ length: PARALLEL_BIG }, (_, i) => upload(base, user.token, roomId, `parallel-${i}.bin`, 100 + i, BIG, agent)));
        parallelMs = performance.now() - tp;
      } finally {
        samples = await sampler.stop();
      }
      const after = memoryOf(server.pid);
      const parallelBad = parallel.filter((f) => f.sha256 !== f.sent || f.size !== BIG).length;
      if (parallelBad > 0) throw new Error(`${parallelBad} of the parallel uploads do not match`);
      const peakSampled = Math.max(...samples.map((s) => s.rss));
      const peak = hwmReset ? Math.max(peakSampled, after.hwm) : peakSampled;
      const growth = peak - baseline;
      log(`${PARALLEL_BIG} × ${mb(BIG)} MB at once in ${round(parallelMs / 1000, 1)} s; RSS baseline ${mb(baseline)} MB, peak ${mb(peak)} MB (+${mb(growth)} MB)`);

      const table = new Table({ head: ['phase', 'upload', 'download'], style: { head: [], border: [] } });
      table.push(
        [`1 file of ${mb(BIG)} MB`, `${round(mbps(BIG, bigUp.ms), 1)} MB/s (${round(bigUp.ms / 1000, 2)} s)`, `${round(mbps(BIG, bigDown.ms), 1)} MB/s (${round(bigDown.ms / 1000, 2)} s)`],
        [
          `${SMALL_COUNT} files of ${SMALL / 1000} kB, ${CONCURRENCY} at a time`,
          `${round((SMALL_COUNT * 1000) / smallUpMs)} files/s, ${round(mbps(SMALL_COUNT * SMALL, smallUpMs), 2)} MB/s`,
          `${round((SMALL_COUNT * 1000) / smallDownMs)} files/s, ${round(mbps(SMALL_COUNT * SMALL, smallDownMs), 2)} MB/s`,
        ],
        [`${PARALLEL_BIG} files of ${mb(BIG)} MB at once`, `${round(mbps(PARALLEL_BIG * BIG, parallelMs), 1)} MB/s total (${round(parallelMs / 1000, 1)} s)`, ''],
        ['  server RSS baseline / peak / growth', `${mb(baseline)} / ${mb(peak)} / +${mb(growth)} MB`, ''],
      );
      console.log(`\nFiles over HTTP (SQLite, directory blob store; MB = 10^6 bytes; SHA-256 of every download verified):`);
      console.log(table.toString());

      // Reported once the server has exited, so its CPU time counts as this benchmark's, not as other processes'.
      result = {
        name: NAME,
        figures: {
          [`1 × ${mb(BIG)} MB upload / download (MB/s)`]: `${round(mbps(BIG, bigUp.ms), 1)} / ${round(mbps(BIG, bigDown.ms), 1)}`,
          [`${SMALL_COUNT} × ${SMALL / 1000} kB upload (files/s, MB/s)`]: `${round((SMALL_COUNT * 1000) / smallUpMs)}, ${round(mbps(SMALL_COUNT * SMALL, smallUpMs), 2)}`,
          [`${SMALL_COUNT} × ${SMALL / 1000} kB download (files/s, MB/s)`]: `${round((SMALL_COUNT * 1000) / smallDownMs)}, ${round(mbps(SMALL_COUNT * SMALL, smallDownMs), 2)}`,
          [`${PARALLEL_BIG} × ${mb(BIG)} MB at once: aggregate upload (MB/s)`]: round(mbps(PARALLEL_BIG * BIG, parallelMs), 1),
          'server RSS baseline / peak during them (MB)': `${mb(baseline)} / ${mb(peak)}`,
          'server peak RSS growth (MB)': mb(growth),
        },
        targets: [{ metric: `server peak RSS growth, ${PARALLEL_BIG} × ${mb(BIG)} MB uploads at once`, value: growth / MB, op: '<=', target: RSS_TARGET_MB, unit: 'MB' }],
        notes: [
          'server: node bin/pchat.js serve (SQLite, files in <dataDir>/files), maxFileSizeKB raised through PATCH /api/v1/config; uploads are multipart/form-data with Content-Length, bytes streamed from a seeded PRNG, every file distinct.',
          'upload time: first byte sent to the 201 answer (the bytes fsynced and the message committed); download time: request to last byte. Keep-alive connections.',
          `RSS: baseline = mean of 20 VmRSS samples while idle after warm-up (${SMALL_COUNT + 22} earlier uploads); peak = max of VmRSS sampled every ${SAMPLE_MS} ms${hwmReset ? ' and VmHWM (reset via clear_refs just before)' : ''}.`,
          pinned ? 'server pinned to core 0, load process to core 1 (taskset)' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ],
        details: {
          bigBytes: BIG,
          big: { upload: { ms: bigUp.ms, sha256: bigUp.sha256 }, download: { ms: bigDown.ms, sha256: bigDown.sha256 }, verified: bigOk },
          small: { count: SMALL_COUNT, bytes: SMALL, concurrency: CONCURRENCY, uploadMs: smallUpMs, downloadMs: smallDownMs },
          parallel: {
            count: PARALLEL_BIG,
            ms: parallelMs,
            perUploadMs: parallel.map((f) => round(f.ms)),
            baselineRss: baseline,
            peakRss: peak,
            peakSampledRss: peakSampled,
            vmHwm: hwmReset ? after.hwm : null,
            growthBytes: growth,
            samples,
          },
        },
      };
    } finally {
      agent.destroy();
      await server.stop();
    }
    report(result);
  } finally {
    data.remove();
  }
}

await main();
