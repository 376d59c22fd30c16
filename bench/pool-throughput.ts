// pool-throughput: durable (acked) posts per second from 100 WebSocket clients into 4 rooms,
// for ONE `pchat serve --database postgres://…` node and for TWO nodes on the same PostgreSQL
// (clients split evenly across the nodes). Same method as post-throughput: each client keeps
// 64 posts in flight and a post counts when its ack arrives (the node acks after the COMMIT of
// the group-commit batch holding it, with PostgreSQL's fsync=on and synchronous_commit=on).
// Each configuration gets a fresh database; the posters have not joined the rooms (no fan-out).
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { pinSelf } from './lib/fixture.js';
import { excludePostgresFromOthers, settingsLine, startBenchPostgres } from './lib/pgCluster.js';
import { populate, startNodes } from './lib/pgPool.js';
import { PostLoad } from './lib/postLoad.js';
import { nowMs, percentiles, progress, report, round, sleep } from './lib/report.js';
import { closeAll, connect, pool } from './lib/ws.js';

const NAME = 'pool-throughput';
const CLIENTS = 100;
const ROOMS = 4;
const WINDOW = 64;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 10);
const log = progress(NAME);

async function measure(nodeCount: number, cluster: Awaited<ReturnType<typeof startBenchPostgres>>) {
  const data = await populate(cluster, `pool_tp_${nodeCount}`, CLIENTS, ROOMS, 'poster');
  // One node: pinned to core 0 (as post-throughput). Two: node 0 on core 0, node 1 on core 1.
  // PostgreSQL and the load generator are not pinned (on 2 cores nothing is left to give them).
  const { nodes, stop } = await startNodes(data.url, nodeCount, nodeCount === 1 ? [0] : [0, 1]);
  log(`${nodeCount} node(s) up: ${nodes.map((n) => n.url).join(', ')}; connecting ${CLIENTS} clients`);
  const nodeOf = (c: number) => nodes[c % nodeCount] as (typeof nodes)[number];
  const sockets = await pool(data.users, 20, (u, c) => connect(nodeOf(c).url, u.token));
  // Client c posts to room floor(c / nodeCount) % ROOMS: every room gets posts from every node.
  const roomOf = (c: number) => data.rooms[Math.floor(c / nodeCount) % ROOMS] as number;

  const load = new PostLoad(sockets, roomOf, WINDOW);
  load.start();
  await sleep(WARMUP_S * 1000);
  const before = await Promise.all(nodes.map((n) => n.probe({ gc: false })));
  const pgBefore = cluster.cpuMs();
  const loadBefore = process.cpuUsage();
  const t0 = nowMs();
  load.beginWindow();
  await sleep(MEASURE_S * 1000);
  load.endWindow();
  const elapsed = (nowMs() - t0) / 1000;
  const after = await Promise.all(nodes.map((n) => n.probe({ gc: false })));
  const pgCores = (cluster.cpuMs() - pgBefore) / 1000 / elapsed;
  const loadCpu = process.cpuUsage(loadBefore);
  const unanswered = await load.drain();
  // Acks per node: client c talks to node c % nodeCount.
  const ackedPerNode = new Array<number>(nodeCount).fill(0);
  load.ackedPerClient.forEach((n, c) => (ackedPerNode[c % nodeCount] = (ackedPerNode[c % nodeCount] ?? 0) + n));
  await closeAll(sockets);
  await stop();

  // Durability cross-check: every acknowledged post is in the database.
  const { rows } = await cluster.query(`pool_tp_${nodeCount}`, 'SELECT count(*)::int AS n FROM messages');
  const stored = Number(rows[0]?.n ?? 0);
  return {
    nodes: nodeCount,
    rate: load.ackedInWindow / elapsed,
    perNode: ackedPerNode.map((n) => Math.round(n / elapsed)),
    acked: load.acked,
    stored,
    elapsed,
    latency: percentiles(load.latencies),
    nodeCores: after.map((a, i) => round((a.cpuMs - (before[i]?.cpuMs ?? 0)) / 1000 / elapsed)),
    postgresCores: round(pgCores),
    loadCores: round((loadCpu.user + loadCpu.system) / 1e6 / elapsed),
    errors: load.errors,
    firstError: load.firstError,
    unanswered,
  };
}

async function main(): Promise<void> {
  const cluster = await startBenchPostgres();
  try {
    const settings = await cluster.settings();
    log(`PostgreSQL: ${settingsLine(settings)}`);
    pinSelf(1);
    // pinSelf pins this process for good; the one-node run pins the load generator to core 1
    // (as post-throughput), then it is released for the two-node run.
    const one = await measure(1, cluster);
    log(`one node: ${Math.round(one.rate)} posts/s`);
    unpinSelf();
    const two = await measure(2, cluster);
    log(`two nodes: ${Math.round(two.rate)} posts/s`);
    const ratio = two.rate / one.rate;
    const describe = (r: typeof one) =>
      `nodes ${r.nodeCores.join(' + ')} / PostgreSQL ${r.postgresCores} / load ${r.loadCores}`;
    report({
      name: NAME,
      figures: {
        'one node: acked posts/s (durable)': Math.round(one.rate),
        'two nodes: acked posts/s (durable)': Math.round(two.rate),
        'two nodes: per node (posts/s)': two.perNode.join(' + '),
        'ratio two / one': round(ratio),
        'one node: ack latency p50 / p99 (ms)': `${round(one.latency.p50)} / ${round(one.latency.p99)}`,
        'two nodes: ack latency p50 / p99 (ms)': `${round(two.latency.p50)} / ${round(two.latency.p99)}`,
        'one node: CPU cores (nodes / PostgreSQL / load)': describe(one),
        'two nodes: CPU cores (nodes / PostgreSQL / load)': describe(two),
        'acked / stored (one, two)': `${one.acked} / ${one.stored}, ${two.acked} / ${two.stored}`,
        'errors (one, two)': `${one.errors}, ${two.errors}`,
        'PostgreSQL': settingsLine(settings),
      },
      targets: [],
      notes: [
        `${CLIENTS} clients, ${ROOMS} rooms, ${WINDOW} posts in flight per client, each post with a clientId; ${MEASURE_S} s measured after ${WARMUP_S} s warm-up; posters have not joined the rooms (ingestion only).`,
        'two nodes: clients alternate between the nodes and every room receives posts from both nodes (so both nodes contend for the same room rows).',
        'durable: PostgreSQL runs with fsync=on, synchronous_commit=on, full_page_writes=on; a post counts when its ack arrives, after the COMMIT of its batch.',
        'one node pinned to core 0 and the load generator to core 1; two nodes pinned to cores 0 and 1, load generator unpinned; PostgreSQL never pinned. On a 2-core machine the two-node figure is bounded by the machine, not by the pool: see the CPU split.',
        'the issue names no numeric target for this benchmark: figures only.',
        ...[one, two].flatMap((r) => [
          ...(r.unanswered > 0 ? [`${r.nodes} node(s): ${r.unanswered} posts unanswered after the drain`] : []),
          ...(r.acked !== r.stored ? [`${r.nodes} node(s): acked ${r.acked} != stored ${r.stored}`] : []),
          ...(r.firstError ? [`${r.nodes} node(s): first error ${r.firstError}`] : []),
        ]),
      ],
      details: { postgres: settings, one, two },
    });
    excludePostgresFromOthers(NAME, cluster);
  } finally {
    await cluster.stop();
  }
}

/** Lets this process (all its threads) run on every core again. */
function unpinSelf(): void {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', `0-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // no taskset: never pinned
  }
}

await main();
