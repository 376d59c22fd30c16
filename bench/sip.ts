// sip: the SIP + XCCOS endpoint (Lync / OCS group chat clients) beside WebSocket, in one run.
//
// (a) Memory per idle connection: BENCH_SIP_CONNECTIONS (4,000) connections, each signed in and
//     in one room (rooms of 50): over SIP, REGISTER + the chat dialog (ocschat@ lookup,
//     cmd:requri, BYE, INVITE of the service) + cmd:join; over WebSocket, a bearer token + `join`.
//     Each protocol gets its own fresh server process on the same database, measured the way
//     idle-connections does (bench/lib/holders.ts: settled, GC'd samples before, at half, at all,
//     after closing; two holder processes from 127.0.0.1 and 127.0.0.2).
// (b) Post-to-delivery latency: one room, one server process; 200 SIP receivers, then (once they
//     left) 200 WebSocket receivers, each run at 20 posts/s for 15 s after 2 s of warm-up. The
//     same two posters serve both runs, taking turns: a WebSocket client and a SIP client.
import Table from 'cli-table3';
import type WebSocket from 'ws';
import { type BenchUser, createCategoryFor, createRooms, createUsers, openBenchStore, pinSelf, type ServerProbe, startServerProcess, tempDir } from './lib/fixture.js';
import { closeHolders, connectThroughHolders, idleBaseline, kib, memoryFigures } from './lib/holders.js';
import { Deliveries, hr, paced, readStamp, stampedText } from './lib/latency.js';
import { percentiles, progress, report, round, sleep } from './lib/report.js';
import { chanidXml, roomUri, SipClient } from './lib/sipClient.js';
import type { HeldClient } from './lib/sipIdleClients.js';
import { call, closeAll, connect, pool } from './lib/ws.js';
import { freePort } from '../test/helpers/childServer.js';

const NAME = 'sip';
const DOMAIN = 'bench.example'; // createUsers' logins are <prefix><i>@bench.example
const CONNECTIONS = Number(process.env.BENCH_SIP_CONNECTIONS ?? 4000);
const PER_ROOM = 50;
const MEMBERS = Number(process.env.BENCH_SIP_MEMBERS ?? 200);
const RATE = 20;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const MEASURE_S = Number(process.env.BENCH_DURATION_S ?? 15);
const log = progress(NAME);

/** The server's SIP endpoint on a free loopback port, signing clients in without NTLM (loopback only). */
async function sipServerEnv(): Promise<{ env: Record<string, string>; port: number }> {
  const port = await freePort();
  return { port, env: { PCHAT_SIP_LISTEN: `127.0.0.1:${port}`, PCHAT_SIP_DOMAINS: DOMAIN, PCHAT_SIP_AUTH: 'none-loopback-test' } };
}

type Protocol = 'sip' | 'ws';
const LABEL: Record<Protocol, string> = { sip: 'SIP', ws: 'WebSocket' };

/** (a) One protocol's idle connections against a fresh server process. */
async function idlePhase(dataDir: string, protocol: Protocol, clients: readonly HeldClient[]) {
  const sip = await sipServerEnv();
  const server = await startServerProcess(dataDir, { core: 0, env: sip.env });
  try {
    const probe = () => server.probe();
    const before = await idleBaseline(probe, clients.length, (line) => log(`${LABEL[protocol]}: ${line}`));
    const held = await connectThroughHolders(
      'sipIdleClients.js',
      2,
      clients,
      (share, localAddress) => ({ type: 'connect', protocol, sipPort: sip.port, url: server.url, clients: share, localAddress }),
      probe,
      (n, failed) => log(`${LABEL[protocol]}: ${n} connections signed in and joined (${failed} failed)`),
    );
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { connections?: { websocket?: number; sip?: number } };
    const serverCount = protocol === 'sip' ? health.connections?.sip : health.connections?.websocket;
    const after = held.steps.at(-1)?.probe as ServerProbe;
    const half = held.steps[0] as { open: number; probe: ServerProbe };
    const closed = await closeHolders(held.holders, probe);
    const memory = memoryFigures(before, half, after, closed, held.open);
    return { protocol, open: held.open, serverCount, failures: held.failures, firstError: held.firstError, connectSeconds: held.connectSeconds, memory, samples: { before, steps: held.steps, closed } };
  } finally {
    await server.stop();
  }
}

/** The receivers' bookkeeping of one run (Deliveries keeps each post's first and last receiver). */
type Receivers = { deliveries: Deliveries; measuring: boolean };

/**
 * (b) One room, one server process: first `MEMBERS` SIP receivers, then (after they left)
 * `MEMBERS` WebSocket receivers, each for warm-up + the measured window at the same load. The
 * two posters take turns in both runs: even posts over WebSocket, odd ones over SIP.
 */
async function latencyPhase(dataDir: string, roomId: number, receivers: Record<Protocol, readonly BenchUser[]>, posters: Record<Protocol, BenchUser>) {
  const sipEnv = await sipServerEnv();
  const server = await startServerProcess(dataDir, { core: 0, env: sipEnv.env });
  const uri = roomUri(DOMAIN, roomId);
  const sipSignIn = (u: BenchUser) => SipClient.signIn({ port: sipEnv.port, login: u.login, timeoutMs: 30_000 });
  const sipPoster = await sipSignIn(posters.sip);
  const wsPoster = await connect(server.url, posters.ws.token);
  try {
    if ((await sipPoster.command('cmd:join', chanidXml(uri))).code !== 200) throw new Error('the SIP poster could not join');
    sipPoster.onEvent = () => undefined;

    // Posters: each post's ack (WebSocket `ack`, SIP 200 OK) comes after its commit.
    let acks: Record<Protocol, number[]> = { sip: [], ws: [] };
    const wsWaiting = new Map<number, bigint>();
    let postErrors = 0;
    let firstPostError = '';
    const failed = (why: string) => {
      postErrors++;
      firstPostError ||= why;
    };
    let current: Receivers = { deliveries: new Deliveries(0), measuring: false };
    wsPoster.on('message', (raw: WebSocket.RawData) => {
      const at = hr();
      const frame = JSON.parse(raw.toString()) as { type: string; ref?: number };
      const sentAt = wsWaiting.get(frame.ref as number);
      if (sentAt === undefined) return;
      wsWaiting.delete(frame.ref as number);
      if (frame.type === 'error') failed(raw.toString().slice(0, 200));
      else if (frame.type === 'ack' && current.measuring) acks.ws.push(Number(at - sentAt) / 1e6);
    });
    let n = 0;
    let measuredPosts = 0;
    const post = (measured: boolean) => {
      n++;
      const text = stampedText(measured, measured ? measuredPosts++ : -1, n);
      const sentAt = hr();
      if (n % 2 === 0) {
        wsWaiting.set(n, sentAt);
        wsPoster.send(JSON.stringify({ type: 'post', roomId, ref: n, text }));
        return;
      }
      const measuring = current;
      void sipPoster.post(uri, text).then(
        (response) => {
          if (response.status !== 200) failed(`SIP ${response.status} ${response.reason}`);
          else if (measuring.measuring) acks.sip.push(Number(hr() - sentAt) / 1e6);
        },
        (error: Error) => failed(error.message),
      );
    };

    const run = async (protocol: Protocol) => {
      const users = receivers[protocol];
      const t0Join = Date.now();
      let close: () => Promise<void>;
      const state: Receivers = { deliveries: new Deliveries(users.length * RATE * (MEASURE_S + 5)), measuring: false };
      // Receive paths: stamp first (SIP: when the TCP chunk arrived, before framing and XML).
      if (protocol === 'sip') {
        const clients = await pool(users, 50, async (u) => {
          const c = await sipSignIn(u);
          const joined = await c.command('cmd:join', chanidXml(uri));
          if (joined.code !== 200) throw new Error(`SIP join: ${joined.code} ${joined.text}`);
          c.onEvent = (event) => {
            if (event.kind !== 'grpchat') return;
            const stamp = readStamp(event.body, event.at);
            if (stamp && state.measuring) state.deliveries.record(stamp.ms, stamp.k);
          };
          return c;
        });
        close = async () => {
          for (const c of clients) c.close();
          await Promise.all(clients.map((c) => c.closedPromise));
        };
      } else {
        const sockets = await pool(users, 50, async (u) => {
          const ws = await connect(server.url, u.token);
          await call(ws, { type: 'join', roomId });
          ws.on('message', (raw: WebSocket.RawData) => {
            const stamp = readStamp(raw.toString(), hr());
            if (stamp && state.measuring) state.deliveries.record(stamp.ms, stamp.k);
          });
          return ws;
        });
        close = () => closeAll(sockets);
      }
      const joinSeconds = (Date.now() - t0Join) / 1000;
      await sleep(1000);
      const rssJoined = (await server.probe()).rss;
      log(`latency, ${LABEL[protocol]}: ${users.length} receivers signed in and joined in ${joinSeconds.toFixed(1)} s; server rss ${(rssJoined / 2 ** 20).toFixed(0)} MiB`);

      current = state;
      acks = { sip: [], ws: [] };
      measuredPosts = 0;
      const cpu0 = await server.probe({ gc: false });
      const loadCpu0 = process.cpuUsage();
      await paced(RATE, WARMUP_S, () => post(false));
      state.measuring = true;
      const t0 = Date.now();
      await paced(RATE, MEASURE_S, () => post(true));
      await sleep(1000);
      state.measuring = false;
      const seconds = (Date.now() - t0) / 1000 + WARMUP_S;
      const cpu1 = await server.probe({ gc: false });
      const loadCpu = process.cpuUsage(loadCpu0);
      await close();
      await sleep(1000);
      return {
        ...state.deliveries.summary(),
        count: state.deliveries.count,
        expected: measuredPosts * users.length,
        measuredPosts,
        acks: { sip: percentiles(acks.sip), ws: percentiles(acks.ws) },
        joinSeconds,
        rssJoined,
        serverCores: (cpu1.cpuMs - cpu0.cpuMs) / 1000 / seconds,
        loadCores: (loadCpu.user + loadCpu.system) / 1e6 / seconds,
      };
    };
    log(`latency: server pid ${server.pid}`);
    const sip = await run('sip');
    const ws = await run('ws');
    return { sip, ws, postErrors, firstPostError };
  } finally {
    sipPoster.close();
    await closeAll([wsPoster]);
    await server.stop();
  }
}

async function main(): Promise<void> {
  const pinned = pinSelf(1);
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const idleUsers = await createUsers(store, CONNECTIONS, 'idle');
    const members = await createUsers(store, 2 * MEMBERS + 2, 'member');
    const categoryId = await createCategoryFor(
      store,
      'Everyone',
      [...idleUsers, ...members].map((u) => ({ kind: 'user' as const, id: u.id })),
    );
    const idleRooms = await createRooms(store, categoryId, Math.ceil(CONNECTIONS / PER_ROOM), 'idle room');
    const [latencyRoom] = await createRooms(store, categoryId, 1, 'town square');
    await store.close();
    log(`created ${CONNECTIONS + members.length} users, ${idleRooms.length + 1} rooms`);

    // (a) The same users and rooms over each protocol, each against its own fresh server.
    const held: HeldClient[] = idleUsers.map((u, i) => {
      const roomId = idleRooms[Math.floor(i / PER_ROOM)] as number;
      return { login: u.login, token: u.token, roomId, roomUri: roomUri(DOMAIN, roomId) };
    });
    const idle = { sip: await idlePhase(data.dir, 'sip', held), ws: await idlePhase(data.dir, 'ws', held) };

    // (b) Latency in one room: SIP receivers, then WebSocket receivers, same posts and posters.
    const [sipPoster, wsPoster, ...receivers] = members;
    const lat = await latencyPhase(data.dir, latencyRoom as number, { sip: receivers.slice(0, MEMBERS), ws: receivers.slice(MEMBERS) }, { sip: sipPoster as BenchUser, ws: wsPoster as BenchUser });

    const ms = (v: number) => round(v).toFixed(2);
    const table = new Table({ head: ['', 'SIP + XCCOS', 'WebSocket'], style: { head: [], border: [] } });
    const row = (label: string, f: (p: Protocol) => string | number) => table.push([label, String(f('sip')), String(f('ws'))]);
    row('idle: connections held (server count)', (p) => `${idle[p].open} (${idle[p].serverCount ?? '?'})`);
    row('idle: server RSS over baseline per connection', (p) => `${Math.round(idle[p].memory.perConnection)} B (${kib(idle[p].memory.perConnection)} KiB)`);
    row('idle: RSS per connection, second half (KiB)', (p) => idle[p].memory.figures['RSS per connection, second half (KiB)']);
    row('idle: JS heap per connection (KiB)', (p) => idle[p].memory.figures['JS heap per connection (KiB)']);
    row('idle: server RSS before / after (MiB)', (p) => idle[p].memory.figures['server RSS before / after (MiB)']);
    row('idle: sign in + join, all connections (s)', (p) => round(idle[p].connectSeconds, 1));
    row('latency: receivers in the room', () => MEMBERS);
    row('latency: deliveries measured / expected', (p) => `${lat[p].count} / ${lat[p].expected}`);
    row('latency: p50 / p95 / p99 / max (ms)', (p) => `${ms(lat[p].all.p50)} / ${ms(lat[p].all.p95)} / ${ms(lat[p].all.p99)} / ${ms(lat[p].all.max)}`);
    row('latency: first receiver p50 / p99 (ms)', (p) => `${ms(lat[p].first.p50)} / ${ms(lat[p].first.p99)}`);
    row('latency: first to last receiver p50 / p99 (ms)', (p) => `${ms(lat[p].spread.p50)} / ${ms(lat[p].spread.p99)}`);
    row('latency: server CPU (cores)', (p) => round(lat[p].serverCores));
    row('latency: load process CPU (cores)', (p) => round(lat[p].loadCores));
    row('posts acked to the SIP poster (200 OK) p50 / p99 (ms)', (p) => `${ms(lat[p].acks.sip.p50)} / ${ms(lat[p].acks.sip.p99)}`);
    row('posts acked to the WebSocket poster p50 / p99 (ms)', (p) => `${ms(lat[p].acks.ws.p50)} / ${ms(lat[p].acks.ws.p99)}`);
    console.log(`\n${CONNECTIONS} idle connections per protocol; ${MEMBERS} receivers in one room at ${RATE} posts/s for ${MEASURE_S} s, per protocol:`);
    console.log(table.toString());

    const missing = (['sip', 'ws'] as const).filter((p) => lat[p].count !== lat[p].expected);
    const latencyOf = (p: Protocol) => `${ms(lat[p].all.p50)} / ${ms(lat[p].all.p95)} / ${ms(lat[p].all.p99)} / ${ms(lat[p].all.max)}`;
    report({
      name: NAME,
      figures: {
        'idle SIP / WebSocket connections (server count)': `${idle.sip.open} (${idle.sip.serverCount ?? '?'}) / ${idle.ws.open} (${idle.ws.serverCount ?? '?'})`,
        'SIP: RSS per idle connection (bytes)': Math.round(idle.sip.memory.perConnection),
        'WebSocket: RSS per idle connection (bytes)': Math.round(idle.ws.memory.perConnection),
        'SIP / WebSocket: RSS per connection, second half (KiB)': `${idle.sip.memory.figures['RSS per connection, second half (KiB)']} / ${idle.ws.memory.figures['RSS per connection, second half (KiB)']}`,
        'SIP / WebSocket: JS heap per connection (KiB)': `${idle.sip.memory.figures['JS heap per connection (KiB)']} / ${idle.ws.memory.figures['JS heap per connection (KiB)']}`,
        'SIP / WebSocket: sign in + join time (s)': `${round(idle.sip.connectSeconds, 1)} / ${round(idle.ws.connectSeconds, 1)}`,
        'SIP latency p50 / p95 / p99 / max (ms)': latencyOf('sip'),
        'WebSocket latency p50 / p95 / p99 / max (ms)': latencyOf('ws'),
        'SIP / WebSocket first receiver p99 (ms)': `${ms(lat.sip.first.p99)} / ${ms(lat.ws.first.p99)}`,
        'SIP / WebSocket fan-out spread p99 (ms)': `${ms(lat.sip.spread.p99)} / ${ms(lat.ws.spread.p99)}`,
        'SIP / WebSocket server CPU (cores)': `${round(lat.sip.serverCores)} / ${round(lat.ws.serverCores)}`,
        'SIP poster 200 OK / WebSocket poster ack p99 (ms)': `${ms(lat.sip.acks.sip.p99)} / ${ms(lat.sip.acks.ws.p99)} (SIP run), ${ms(lat.ws.acks.sip.p99)} / ${ms(lat.ws.acks.ws.p99)} (WebSocket run)`,
        'deliveries measured / expected (SIP, WebSocket)': `${lat.sip.count} / ${lat.sip.expected}, ${lat.ws.count} / ${lat.ws.expected}`,
      },
      // No target is set for SIP: the WebSocket targets serve as the yardstick.
      targets: [
        { metric: 'server RSS growth per idle SIP connection (in a room)', value: idle.sip.memory.perConnection / 1024, op: '<=', target: 16, unit: 'KiB' },
        { metric: 'server RSS growth per idle WebSocket connection (in a room)', value: idle.ws.memory.perConnection / 1024, op: '<=', target: 16, unit: 'KiB' },
        { metric: `p99 post-to-delivery latency, ${MEMBERS} SIP clients`, value: lat.sip.all.p99, op: '<=', target: 20, unit: 'ms' },
        { metric: `p99 post-to-delivery latency, ${MEMBERS} WebSocket clients`, value: lat.ws.all.p99, op: '<=', target: 20, unit: 'ms' },
      ],
      notes: [
        `idle: ${CONNECTIONS} connections per protocol, each signed in and joined to one of ${idleRooms.length} rooms (${PER_ROOM} each); each protocol measured on its own fresh server process (same database), RSS after forced full GCs, settled over 3 s.`,
        'SIP sign-in: REGISTER (sip.auth = none-loopback-test, no NTLM), INVITE ocschat@, cmd:requri, BYE, INVITE the chat service, cmd:join. WebSocket: bearer token on the upgrade, join.',
        `latency: one room on one server process; ${MEMBERS} SIP receivers, then (after they left) ${MEMBERS} WebSocket receivers; ${RATE} posts/s for ${MEASURE_S} s after ${WARMUP_S} s warm-up each, even posts from a WebSocket poster and odd ones from a SIP poster (in the room). Every SIP receiver answers each server INFO with 200 OK, as a Lync client does.`,
        'targets: the WebSocket ones (idle-connections 16 KiB, delivery-latency p99 20 ms at 1,000 members); none is set for SIP.',
        pinned ? 'server pinned to core 0, load process and connection holders to core 1 (taskset)' : 'no CPU pinning (taskset unavailable or < 2 cores)',
        ...missing.map((p) => `${LABEL[p]}: ${lat[p].expected - lat[p].count} deliveries missing`),
        ...(lat.postErrors > 0 ? [`${lat.postErrors} post errors; first: ${lat.firstPostError}`] : []),
        ...(['sip', 'ws'] as const).flatMap((p) => (idle[p].firstError ? [`${LABEL[p]}: ${idle[p].failures} idle connections failed; first: ${idle[p].firstError}`] : [])),
      ],
      details: {
        connections: CONNECTIONS,
        members: MEMBERS,
        idle: { sip: { ...idle.sip.memory.figures, samples: idle.sip.samples }, ws: { ...idle.ws.memory.figures, samples: idle.ws.samples } },
        latency: { sip: lat.sip, ws: lat.ws },
      },
    });
  } finally {
    data.remove();
  }
}

await main();
