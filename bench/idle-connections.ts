// idle-connections: 10,000 idle, authenticated WebSocket connections to one server process;
// the server's RSS and heap growth per connection. The connections are held by two client
// processes (5,000 each, from source addresses 127.0.0.1 and 127.0.0.2).
import { createUsers, openBenchStore, type ServerProbe, startServerProcess, tempDir } from './lib/fixture.js';
import { closeHolders, holder, memoryFigures, mib, settledProbe } from './lib/holders.js';
import { progress, report, round, sleep } from './lib/report.js';

const NAME = 'idle-connections';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const HOLDERS = 2;
const log = progress(NAME);

const holderScript = 'idleClients.js';

async function main(): Promise<void> {
  const data = tempDir(NAME);
  try {
    const store = openBenchStore(data.dir);
    const users = await createUsers(store, CONNECTIONS, 'idle');
    await store.close();
    log(`created ${CONNECTIONS} users with sessions`);

    const server = await startServerProcess(data.dir, { core: 0 });
    const probe = () => server.probe();
    await sleep(1000);
    const before = await settledProbe(probe);
    log(`server idle: rss ${mib(before.rss)} MiB, heap ${mib(before.heapUsed)} MiB, open-file limit ${before.maxOpenFiles}`);
    if (before.maxOpenFiles !== null && before.maxOpenFiles < CONNECTIONS + 100) {
      throw new Error(`the server may open only ${before.maxOpenFiles} files; raise the hard limit (ulimit -Hn) above ${CONNECTIONS + 100}`);
    }

    const holders = Array.from({ length: HOLDERS }, () => holder(holderScript));
    const share = Math.ceil(CONNECTIONS / HOLDERS);
    const steps: { open: number; probe: ServerProbe }[] = [];
    let open = 0;
    let failures = 0;
    let firstError = '';
    const t0 = Date.now();
    for (const [i, h] of holders.entries()) {
      const tokens = users.slice(i * share, (i + 1) * share).map((u) => u.token);
      const result = await h.request<{ open: number; failures: number; firstError: string }>(
        { type: 'connect', url: server.url, tokens, localAddress: `127.0.0.${i + 1}` },
        'connected',
      );
      open += result.open;
      failures += result.failures;
      firstError ||= result.firstError;
      log(`${open} connections open (${failures} failed)`);
      steps.push({ open, probe: await settledProbe(probe) });
    }
    const connectSeconds = (Date.now() - t0) / 1000;
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { connections?: { websocket?: number } };
    const after = steps.at(-1)?.probe as ServerProbe;
    const half = steps[0] as { open: number; probe: ServerProbe };

    const closed = await closeHolders(holders, probe);
    await server.stop();

    const memory = memoryFigures(before, half, after, closed, open);
    const perConnection = memory.perConnection;
    report({
      name: NAME,
      figures: {
        'connections open (server count)': `${open} (${health.connections?.websocket ?? '?'})`,
        'failed connections': failures,
        'connect time (s)': round(connectSeconds, 1),
        ...memory.figures,
      },
      targets: [{ metric: 'server RSS growth per idle connection', value: perConnection / 1024, op: '<=', target: 16, unit: 'KiB' }],
      notes: [
        `memory sampled after forced full GCs (the server runs with --expose-gc and a bench-only probe), settled over 3 s; before = server started and idle.`,
        `connections authenticated with a bearer token on the upgrade and greeted with "ready"; none joined a room.`,
        ...(firstError ? [`first connection error: ${firstError}`] : []),
      ],
      details: { before, steps, closed },
    });
  } finally {
    data.remove();
  }
}

await main();
