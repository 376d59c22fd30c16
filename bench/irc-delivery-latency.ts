// irc-delivery-latency: one channel with 1,000 registered IRC clients (raw TCP sockets); one IRC
// poster sends 20 PRIVMSG/s for ~10 s after warm-up; every receiver measures post-to-delivery
// latency. As in delivery-latency, the send time is embedded in the text as CLOCK_MONOTONIC
// nanoseconds (process.hrtime), and receivers stamp a chunk on arrival, before any parsing.
import { roomToChannel } from '../src/protocols/irc/channels.js';
import { createCategoryFor, createRooms, openBenchStore, pinSelf, startServerProcess, tempDir } from './lib/fixture.js';
import { createIrcUsers, IRC_PASSWORD, ircServerEnv, type RawIrc, registerIrc } from './lib/irc.js';
import { Deliveries, hr, paced, readStamp, stampedText } from './lib/latency.js';
import { progress, report, round, sleep } from './lib/report.js';
import { pool } from './lib/ws.js';

const NAME = 'irc-delivery-latency';
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000);
const RATE = 20;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROOM = 'town square';
// createRooms names it 'town square 0'; docs/irc.md: a space becomes '_'.
const CHANNEL = roomToChannel(`${ROOM} 0`);
const log = progress(NAME);


async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const users = await createIrcUsers(store, MEMBERS + 1, 'member');
    const categoryId = await createCategoryFor(
      store,
      'Everyone',
      users.map((u) => ({ kind: 'user' as const, id: u.id })),
    );
    await createRooms(store, categoryId, 1, ROOM);
    await store.close();

    // The poster sends 20 lines/s: above the default flood control (10/s, bursts of 20), so it is off.
    const irc = await ircServerEnv(data.dir, { floodControl: false });
    const server = await startServerProcess(data.dir, { core: 0, env: irc.env });
    const [posterUser, ...memberUsers] = users;
    log(`server pid ${server.pid}, IRC on 127.0.0.1:${irc.port}; registering and joining ${MEMBERS} IRC clients`);
    const t0Join = Date.now();
    const members = await pool(memberUsers, 50, async (u) => {
      const c = await registerIrc('127.0.0.1', irc.port, { nick: u.nick, pass: `${u.login}:${IRC_PASSWORD}` });
      await c.join(CHANNEL);
      return c;
    });
    const joinSeconds = (Date.now() - t0Join) / 1000;
    const poster = await registerIrc('127.0.0.1', irc.port, { nick: posterUser?.nick as string, pass: `${posterUser?.login}:${IRC_PASSWORD}` });
    await poster.join(CHANNEL);
    await sleep(1000);
    const memory = await server.probe();
    log(`joined in ${joinSeconds.toFixed(1)} s; server rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB`);

    const deliveries = new Deliveries(MEMBERS * RATE * (MEASURE_S + 5));
    let measuring = false;
    let otherLines = 0;
    // Receive path: stamp first; then split the chunk (latin1: the marker and digits are ASCII).
    const receive = (c: RawIrc) => {
      let rest = '';
      c.onChunk = (chunk) => {
        const at = hr();
        const text = rest + chunk.toString('latin1');
        let start = 0;
        let nl: number;
        while ((nl = text.indexOf('\n', start)) >= 0) {
          const stamp = readStamp(text, at, start, nl);
          if (stamp === undefined) {
            if (text.startsWith('PING ', start)) c.send(`PONG ${text.slice(start + 5, nl).trim()}`);
            otherLines++;
          } else if (stamp && measuring) deliveries.record(stamp.ms, stamp.k);
          start = nl + 1;
        }
        rest = text.slice(start);
      };
    };
    for (const c of members) receive(c);

    let n = 0;
    let measuredPosts = 0;
    const post = (measured: boolean) => {
      n++;
      if (measured) measuredPosts++;
      poster.send(`PRIVMSG ${CHANNEL} :${stampedText(measured, measured ? measuredPosts - 1 : -1, n)}`);
    };
    const runFor = (seconds: number, measured: boolean) => paced(RATE, seconds, () => post(measured));
    const cpu0 = await server.probe({ gc: false });
    const clientCpu0 = process.cpuUsage();
    await runFor(WARMUP_S, false);
    measuring = true;
    const t0 = Date.now();
    await runFor(MEASURE_S, true);
    // Every post was processed when the poster's PING comes back; then let the fan-out drain.
    await poster.ping('done');
    await sleep(1000);
    measuring = false;
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = await server.probe({ gc: false });
    const clientCpu = process.cpuUsage(clientCpu0);
    for (const c of [...members, poster]) c.close();
    await sleep(500);
    await server.stop();

    const { all: lat, first, spread } = deliveries.summary();
    const deliveredInWindow = deliveries.count;
    const expected = measuredPosts * MEMBERS;
    report({
      name: NAME,
      figures: {
        'IRC clients in the channel': MEMBERS,
        'register + JOIN of all clients (s)': round(joinSeconds, 1),
        'posts (measured)': measuredPosts,
        'deliveries measured / expected': `${deliveredInWindow} / ${expected}`,
        'latency p50 (ms)': round(lat.p50),
        'latency p95 (ms)': round(lat.p95),
        'latency p99 (ms)': round(lat.p99),
        'latency max (ms)': round(lat.max),
        'first receiver p50 / p99 (ms)': `${round(first.p50)} / ${round(first.p99)}`,
        'fan-out spread, first to last receiver p50 / p99 (ms)': `${round(spread.p50)} / ${round(spread.p99)}`,
        'server CPU (cores)': round((cpu1.cpuMs - cpu0.cpuMs) / 1000 / (seconds + WARMUP_S)),
        'load process CPU (cores)': round((clientCpu.user + clientCpu.system) / 1e6 / (seconds + WARMUP_S)),
        'server RSS with clients joined (MiB)': round(memory.rss / 2 ** 20, 1),
      },
      targets: [{ metric: 'p99 post-to-delivery latency (IRC)', value: lat.p99, op: '<=', target: 20, unit: 'ms' }],
      notes: [
        `${RATE} PRIVMSG/s from one IRC client for ${MEASURE_S} s after ${WARMUP_S} s warm-up; ${MEMBERS} receivers on raw sockets in this one process, stamping each chunk on receipt.`,
        'bench server config: irc.floodControl = false (the poster exceeds the default 10 lines/s); users sign in with PASS login:password against cheap scrypt hashes (N=16).',
        pinned ? 'server pinned to core 0, poster and receivers to core 1 (taskset)' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ...(deliveredInWindow !== expected ? [`${expected - deliveredInWindow} deliveries missing`] : []),
      ],
      details: { latencyMs: lat, firstReceiverMs: first, fanOutSpreadMs: spread, otherLines, joinSeconds },
    });
  } finally {
    data.remove();
  }
}

await main();
