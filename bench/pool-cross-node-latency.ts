// pool-cross-node-latency: two `pchat serve --database postgres://…` nodes on one PostgreSQL.
// Posters connected to node A send 1,000 posts/s (fixed schedule) spread over 4 rooms;
// receivers joined to those rooms are connected to node B, so every delivery crosses nodes
// (node A commits, announces the batch with NOTIFY after the commit, node B reads the new
// rows by seq and fans them out). One receiver per room on node A gives the same-node figure
// for comparison. The send time travels in the text as CLOCK_MONOTONIC nanoseconds
// (process.hrtime), shared by every process on the machine, as in delivery-latency.
import WebSocket from 'ws';
import { pinSelf } from './lib/fixture.js';
import { excludePostgresFromOthers, settingsLine, startBenchPostgres } from './lib/pgCluster.js';
import { hr, readStamp, stampedText } from './lib/latency.js';
import { populate, startNodes } from './lib/pgPool.js';
import { percentiles, progress, report, round, sleep } from './lib/report.js';
import { call, closeAll, connect, pool } from './lib/ws.js';

const NAME = 'pool-cross-node-latency';
const ROOMS = 4;
const POSTERS = 8;
const RECEIVERS_PER_ROOM = 10;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const TICK_MS = 5;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 20);
const log = progress(NAME);


async function main(): Promise<void> {
  const cluster = await startBenchPostgres();
  try {
    const settings = await cluster.settings();
    log(`PostgreSQL: ${settingsLine(settings)}`);
    const data = await populate(cluster, 'pool_latency', POSTERS + ROOMS * RECEIVERS_PER_ROOM + ROOMS, ROOMS, 'member');
    // Node A on core 0, node B on core 1; the load process (posters and receivers) on core 1
    // with node B. PostgreSQL is not pinned.
    const { nodes, stop } = await startNodes(data.url, 2, [0, 1]);
    const pinned = pinSelf(1);
    const [nodeA, nodeB] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const posterUsers = data.users.slice(0, POSTERS);
    const remoteUsers = data.users.slice(POSTERS, POSTERS + ROOMS * RECEIVERS_PER_ROOM);
    const localUsers = data.users.slice(POSTERS + ROOMS * RECEIVERS_PER_ROOM);
    log(`nodes A ${nodeA.url}, B ${nodeB.url}; connecting`);
    const joinTo = (url: string) => async (u: { token: string }, i: number) => {
      const ws = await connect(url, u.token);
      await call(ws, { type: 'join', roomId: data.rooms[i % ROOMS] });
      return ws;
    };
    const remote = await pool(remoteUsers, 20, joinTo(nodeB.url));
    const local = await pool(localUsers, 20, joinTo(nodeA.url));
    const posters = await pool(posterUsers, 8, (u) => connect(nodeA.url, u.token));

    const capacity = RATE * (MEASURE_S + 5) * RECEIVERS_PER_ROOM;
    const remoteLat = new Float64Array(capacity);
    const localLat = new Float64Array(RATE * (MEASURE_S + 5));
    let remoteN = 0;
    let localN = 0;
    let measuring = false;
    const lastRemote: number[] = [];
    const onFrame = (isRemote: boolean) => (raw: WebSocket.RawData) => {
      const stamp = readStamp(raw.toString(), hr());
      if (!stamp || !measuring) return;
      if (isRemote) {
        remoteLat[remoteN++] = stamp.ms;
        lastRemote[stamp.k] = Math.max(lastRemote[stamp.k] ?? 0, stamp.ms);
      } else localLat[localN++] = stamp.ms;
    };
    for (const ws of remote) ws.on('message', onFrame(true));
    for (const ws of local) ws.on('message', onFrame(false));

    let postErrors = 0;
    let firstError = '';
    for (const ws of posters) {
      ws.on('message', (raw: WebSocket.RawData) => {
        const text = raw.toString();
        if (text.startsWith('{"type":"error"')) {
          postErrors++;
          firstError ||= text.slice(0, 300);
        }
      });
    }

    let ref = 0;
    let measuredPosts = 0;
    const post = (measured: boolean) => {
      ref++;
      const poster = posters[ref % POSTERS] as WebSocket;
      const roomId = data.rooms[ref % ROOMS];
      const k = measured ? measuredPosts++ : -1;
      poster.send(JSON.stringify({ type: 'post', roomId, ref, text: stampedText(measured, k, ref) }));
    };
    // Fixed schedule: every TICK_MS, send what is due by now (RATE/s on average, no drift).
    const runFor = async (seconds: number, measured: boolean) => {
      const start = Date.now();
      const total = seconds * RATE;
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - start) * RATE) / 1000));
        while (sent < due) {
          post(measured);
          sent++;
        }
        await sleep(TICK_MS - ((Date.now() - start) % TICK_MS));
      }
    };
    const cpuA0 = await nodeA.probe({ gc: false });
    const cpuB0 = await nodeB.probe({ gc: false });
    const pg0 = cluster.cpuMs();
    await runFor(WARMUP_S, false);
    measuring = true;
    const t0 = Date.now();
    await runFor(MEASURE_S, true);
    await sleep(1500);
    measuring = false;
    const seconds = (Date.now() - t0) / 1000 + WARMUP_S;
    const cpuA1 = await nodeA.probe({ gc: false });
    const cpuB1 = await nodeB.probe({ gc: false });
    const pgCores = (cluster.cpuMs() - pg0) / 1000 / seconds;
    await closeAll([...remote, ...local, ...posters]);
    await stop();

    const lat = percentiles(remoteLat.subarray(0, remoteN));
    const same = percentiles(localLat.subarray(0, localN));
    const slowest = percentiles(lastRemote.filter((v) => v !== undefined));
    const expected = measuredPosts * RECEIVERS_PER_ROOM;
    report({
      name: NAME,
      figures: {
        'posts/s into node A (target rate)': RATE,
        'posts (measured)': measuredPosts,
        'cross-node deliveries measured / expected': `${remoteN} / ${expected}`,
        'cross-node latency p50 (ms)': round(lat.p50),
        'cross-node latency p95 (ms)': round(lat.p95),
        'cross-node latency p99 (ms)': round(lat.p99),
        'cross-node latency max (ms)': round(lat.max),
        'cross-node, last receiver of each post p50 / p99 (ms)': `${round(slowest.p50)} / ${round(slowest.p99)}`,
        'same-node (node A) latency p50 / p99 (ms)': `${round(same.p50)} / ${round(same.p99)}`,
        'CPU cores: node A / node B / PostgreSQL': `${round((cpuA1.cpuMs - cpuA0.cpuMs) / 1000 / seconds)} / ${round((cpuB1.cpuMs - cpuB0.cpuMs) / 1000 / seconds)} / ${round(pgCores)}`,
        'post errors': postErrors,
        'PostgreSQL': settingsLine(settings),
      },
      targets: [{ metric: 'p99 cross-node post-to-delivery latency at 1,000 msgs/s', value: lat.p99, op: '<=', target: 50, unit: 'ms' }],
      notes: [
        `${POSTERS} posters on node A send ${RATE} posts/s in total (fixed schedule, ${TICK_MS} ms ticks) round-robin over ${ROOMS} rooms for ${MEASURE_S} s after ${WARMUP_S} s warm-up; ${RECEIVERS_PER_ROOM} receivers per room on node B (${ROOMS * RECEIVERS_PER_ROOM} in all), 1 per room on node A.`,
        'latency = receipt at a receiver (stamped before parsing) minus the send time embedded in the post; includes the commit (fsync=on, synchronous_commit=on), the NOTIFY after commit, node B reading the rows and its fan-out.',
        pinned ? 'node A pinned to core 0; node B and the load process (posters, receivers) to core 1; PostgreSQL unpinned.' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ...(remoteN !== expected ? [`${expected - remoteN} cross-node deliveries missing`] : []),
        ...(firstError ? [`first post error: ${firstError}`] : []),
      ],
      details: { postgres: settings, crossNodeMs: lat, sameNodeMs: same, lastReceiverMs: slowest },
    });
    excludePostgresFromOthers(NAME, cluster);
  } finally {
    await cluster.stop();
  }
}

await main();
