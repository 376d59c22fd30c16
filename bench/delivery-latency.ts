// delivery-latency: one room with 1,000 connected WebSocket members; a poster sends 20 msgs/s
// for ~20 s; every receiver measures post-to-delivery latency. The send time is embedded in
// the text as CLOCK_MONOTONIC nanoseconds (process.hrtime), which all processes on one
// machine share, so it is comparable with the receive time in this (load) process.
import WebSocket from 'ws';
import { createCategoryFor, createRooms, createUsers, openBenchStore, pinSelf, startServerProcess, tempDir } from './lib/fixture.js';
import { Deliveries, hr, paced, readStamp, stampedText } from './lib/latency.js';
import { percentiles, progress, report, round, sleep } from './lib/report.js';
import { call, closeAll, connect, pool } from './lib/ws.js';

const NAME = 'delivery-latency';
const MEMBERS = 1000;
const RATE = 20;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 20);
const log = progress(NAME);


async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const users = await createUsers(store, MEMBERS + 1, 'member');
    const categoryId = await createCategoryFor(
      store,
      'Everyone',
      users.map((u) => ({ kind: 'user' as const, id: u.id })),
    );
    const [roomId] = await createRooms(store, categoryId, 1, 'town square');
    await store.close();

    const server = await startServerProcess(data.dir, { core: 0 });
    const [posterUser, ...memberUsers] = users;
    log(`server pid ${server.pid}; connecting and joining ${MEMBERS} members`);
    const members = await pool(memberUsers, 50, async (u) => {
      const ws = await connect(server.url, u.token);
      await call(ws, { type: 'join', roomId });
      return ws;
    });
    const poster = await connect(server.url, posterUser?.token as string);
    const memory = await server.probe();
    log(`joined; server rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB`);

    // Receive path: stamp first, parse only the marker (no JSON.parse), so this process adds little.
    const deliveries = new Deliveries(MEMBERS * RATE * (MEASURE_S + 5));
    let measuring = false;
    let otherFrames = 0;
    for (const ws of members) {
      ws.on('message', (raw: WebSocket.RawData) => {
        const stamp = readStamp(raw.toString(), hr());
        if (stamp === undefined) otherFrames++;
        else if (stamp && measuring) deliveries.record(stamp.ms, stamp.k);
      });
    }

    const ackLatencies: number[] = [];
    const ackWaiting = new Map<number, bigint>();
    let postErrors = 0;
    poster.on('message', (raw: WebSocket.RawData) => {
      const at = hr();
      const frame = JSON.parse(raw.toString()) as { type: string; ref?: number };
      const sentAt = ackWaiting.get(frame.ref as number);
      if (frame.type === 'error') postErrors++;
      if (frame.type === 'ack' && sentAt !== undefined && measuring) ackLatencies.push(Number(at - sentAt) / 1e6);
      ackWaiting.delete(frame.ref as number);
    });

    let ref = 0;
    let measuredPosts = 0;
    const post = (measured: boolean) => {
      ref++;
      const at = hr();
      if (measured) measuredPosts++;
      ackWaiting.set(ref, at);
      poster.send(JSON.stringify({ type: 'post', roomId, ref, text: stampedText(measured, measured ? measuredPosts - 1 : -1, ref) }));
    };
    const runFor = (seconds: number, measured: boolean) => paced(RATE, seconds, () => post(measured));
    const cpu0 = await server.probe({ gc: false });
    const clientCpu0 = process.cpuUsage();
    await runFor(WARMUP_S, false);
    measuring = true;
    const t0 = Date.now();
    await runFor(MEASURE_S, true);
    await sleep(1000);
    measuring = false;
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = await server.probe({ gc: false });
    const clientCpu = process.cpuUsage(clientCpu0);
    await closeAll([...members, poster]);
    await server.stop();

    const { all: lat, first, spread } = deliveries.summary();
    const deliveredInWindow = deliveries.count;
    const acks = percentiles(ackLatencies);
    const expected = measuredPosts * MEMBERS;
    report({
      name: NAME,
      figures: {
        'members': MEMBERS,
        'posts (measured)': measuredPosts,
        'deliveries measured / expected': `${deliveredInWindow} / ${expected}`,
        'latency p50 (ms)': round(lat.p50),
        'latency p95 (ms)': round(lat.p95),
        'latency p99 (ms)': round(lat.p99),
        'latency max (ms)': round(lat.max),
        'first receiver p50 / p99 (ms)': `${round(first.p50)} / ${round(first.p99)}`,
        'fan-out spread, first to last receiver p50 / p99 (ms)': `${round(spread.p50)} / ${round(spread.p99)}`,
        'poster ack p50 / p99 (ms)': `${round(acks.p50)} / ${round(acks.p99)}`,
        'server CPU (cores)': round((cpu1.cpuMs - cpu0.cpuMs) / 1000 / (seconds + WARMUP_S)),
        'receiver process CPU (cores)': round((clientCpu.user + clientCpu.system) / 1e6 / (seconds + WARMUP_S)),
        'server RSS with members joined (MiB)': round(memory.rss / 2 ** 20, 1),
      },
      targets: [{ metric: 'p99 post-to-delivery latency', value: lat.p99, op: '<=', target: 20, unit: 'ms' }],
      notes: [
        `${RATE} posts/s for ${MEASURE_S} s after ${WARMUP_S} s warm-up; all receivers in this one process, stamping on receipt before any parsing.`,
        pinned ? 'server pinned to core 0, poster and receivers to core 1 (taskset)' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ...(deliveredInWindow !== expected ? [`${expected - deliveredInWindow} deliveries missing`] : []),
        ...(postErrors > 0 ? [`${postErrors} post errors`] : []),
      ],
      details: { latencyMs: lat, ackLatencyMs: acks, firstReceiverMs: first, fanOutSpreadMs: spread, otherFrames },
    });
  } finally {
    data.remove();
  }
}

await main();
