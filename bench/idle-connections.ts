// idle-connections: 10,000 idle, authenticated WebSocket connections to one server process;
// the server's RSS and heap growth per connection. The connections are held by two client
// processes (5,000 each, from source addresses 127.0.0.1 and 127.0.0.2).
import { createUsers, openBenchStore, type ServerProbe, startServerProcess, tempDir } from './lib/fixture.js';
import { closeHolders, connectThroughHolders, idleBaseline, memoryFigures } from './lib/holders.js';
import { progress, report, round } from './lib/report.js';

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
    const before = await idleBaseline(probe, CONNECTIONS, log);

    const { holders, steps, open, failures, firstError, connectSeconds } = await connectThroughHolders(
      holderScript,
      HOLDERS,
      users.map((u) => u.token),
      (tokens, localAddress) => ({ type: 'connect', url: server.url, tokens, localAddress }),
      probe,
      (n, failed) => log(`${n} connections open (${failed} failed)`),
    );
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
