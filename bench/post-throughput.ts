// post-throughput: durable posts per second from 100 WebSocket clients into a few rooms.
// The server runs as its own process (pinned to core 0 when possible); this process is the
// load generator (pinned to core 1). A post counts when its ack arrives: the server acks only
// after the group commit that holds it (synchronous=FULL, the server's default).
// Phase 1 (the target): the posting clients have not joined the rooms, so nothing fans out.
// Phase 2 (for information): every client joins its room first, so each post is also
// delivered live to all 25 members of its room (the poster included).
import { createCategoryFor, createRooms, createUsers, openBenchStore, pinSelf, startServerProcess, tempDir } from './lib/fixture.js';
import { PostLoad } from './lib/postLoad.js';
import { nowMs, percentiles, progress, report, round, sleep } from './lib/report.js';
import { call, closeAll, connect, pool } from './lib/ws.js';

const NAME = 'post-throughput';
const CLIENTS = 100;
const ROOMS = 4;
const WINDOW = 64;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 10);
const FANOUT_S = Number(process.env.BENCH_FANOUT_S ?? 5);
const log = progress(NAME);


async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const users = await createUsers(store, CLIENTS, 'poster');
    const categoryId = await createCategoryFor(
      store,
      'Load',
      users.map((u) => ({ kind: 'user' as const, id: u.id })),
    );
    const rooms = await createRooms(store, categoryId, ROOMS, 'load room');
    await store.close();

    const server = await startServerProcess(data.dir, { core: 0 });
    log(`server pid ${server.pid} at ${server.url}; connecting ${CLIENTS} clients`);
    const sockets = await pool(users, 20, (u) => connect(server.url, u.token));
    const roomOf = (c: number) => rooms[c % ROOMS] as number;

    const load = new PostLoad(sockets, roomOf, WINDOW);

    /** Warm-up, then a measured window with WINDOW posts in flight per client, then a drain. */
    const phase = async (seconds: number) => {
      load.start();
      await sleep(WARMUP_S * 1000);
      const before = await server.probe({ gc: false });
      const clientBefore = process.cpuUsage();
      const t0 = nowMs();
      load.beginWindow();
      await sleep(seconds * 1000);
      load.endWindow();
      const elapsed = (nowMs() - t0) / 1000;
      const after = await server.probe({ gc: false });
      const client = process.cpuUsage(clientBefore);
      const unanswered = await load.drain();
      return {
        rate: load.ackedInWindow / elapsed,
        acked: load.ackedInWindow,
        delivered: load.deliveredInWindow / elapsed,
        elapsed,
        unanswered,
        latency: percentiles(load.latencies),
        serverCores: (after.cpuMs - before.cpuMs) / 1000 / elapsed,
        clientCores: (client.user + client.system) / 1e6 / elapsed,
      };
    };

    const plain = await phase(MEASURE_S);
    log(`no fan-out: ${Math.round(plain.rate)} posts/s; now every client joins its room`);
    await Promise.all(sockets.map((ws, c) => call(ws, { type: 'join', roomId: roomOf(c) })));
    const fanOut = await phase(FANOUT_S);
    log(`with fan-out: ${Math.round(fanOut.rate)} posts/s, ${Math.round(fanOut.delivered)} deliveries/s`);
    const unanswered = fanOut.unanswered;
    await closeAll(sockets);
    await server.stop();

    // Durability cross-check: every acknowledged post must be in the database.
    const check = openBenchStore(data.dir);
    let stored = 0;
    for (const room of rooms) stored += await check.messages.count(room);
    await check.close();

    report({
      name: NAME,
      figures: {
        'acked posts/s (durable)': Math.round(plain.rate),
        'acked in window / window (s)': `${plain.acked} / ${round(plain.elapsed, 1)}`,
        'ack latency p50 / p99 (ms)': `${round(plain.latency.p50)} / ${round(plain.latency.p99)}`,
        'server / load generator CPU (cores)': `${round(plain.serverCores)} / ${round(plain.clientCores)}`,
        'with fan-out: acked posts/s': Math.round(fanOut.rate),
        'with fan-out: deliveries/s': Math.round(fanOut.delivered),
        'with fan-out: server / load generator CPU (cores)': `${round(fanOut.serverCores)} / ${round(fanOut.clientCores)}`,
        'errors': load.errors,
        'acked total / stored in DB': `${load.acked} / ${stored}`,
      },
      targets: [{ metric: 'durable posts/s', value: plain.rate, op: '>=', target: 10_000, unit: 'msgs/s' }],
      notes: [
        `${CLIENTS} clients, ${ROOMS} rooms, ${WINDOW} posts in flight per client (ack latency is mostly queueing behind that window), each post with a clientId.`,
        `target phase: ${MEASURE_S} s after ${WARMUP_S} s warm-up, the posters have not joined the rooms (ingestion only); fan-out phase: ${FANOUT_S} s with every client joined, each post delivered to the ${CLIENTS / ROOMS} members of its room (poster included), for information.`,
        pinned ? 'server pinned to core 0, load generator to core 1 (taskset)' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ...(unanswered > 0 ? [`${unanswered} posts still unanswered after the drain`] : []),
        ...(load.acked !== stored ? [`acked (${load.acked}) != stored (${stored})`] : []),
        ...(load.firstError ? [`first error: ${load.firstError}`] : []),
      ],
      details: { plain, fanOut },
    });
  } finally {
    data.remove();
  }
}

await main();
