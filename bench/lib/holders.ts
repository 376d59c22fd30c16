import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type ServerProbe, spawnNode } from './fixture.js';
import { ROOT, round, sleep } from './report.js';

/** A child process that holds connections open for an idle-connection benchmark, driven by IPC. */
export interface Holder {
  readonly child: ChildProcess;
  /** Sends `message` and resolves with the first reply of type `reply`. */
  request<T>(message: Record<string, unknown>, reply: string): Promise<T>;
}

/** Starts dist/bench/lib/<script> on core 1 as a connection holder. */
export function holder(script: string): Holder {
  const child = spawnNode([join(ROOT, 'dist', 'bench', 'lib', script)], { core: 1 });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return {
    child,
    request: (message, reply) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: { type: string }) => {
          if (m.type !== reply) return;
          child.off('message', onMessage);
          resolve(m as never);
        };
        child.on('message', onMessage);
        child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
        child.send(message);
      }),
  };
}

/** A few GC'd samples a second apart; the last one (memory settles after connection bursts). */
export async function settledProbe(probe: () => Promise<ServerProbe>): Promise<ServerProbe> {
  let last = await probe();
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    last = await probe();
  }
  return last;
}

export const kib = (bytes: number) => round(bytes / 1024, 2);
export const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

/** Asks every holder to close its connections and waits for the processes to exit, then for memory to settle. */
export async function closeHolders(holders: readonly Holder[], probe: () => Promise<ServerProbe>): Promise<ServerProbe> {
  await Promise.all(
    holders.map(async (h) => {
      const exited = new Promise((resolve) => (h.child.exitCode === null ? h.child.once('exit', resolve) : resolve(null)));
      await h.request({ type: 'close' }, 'closed').catch(() => undefined);
      await exited;
    }),
  );
  await sleep(2000);
  return settledProbe(probe);
}

/** The server's memory per connection, from samples before, at half and at all `open` connections, and after closing. */
export function memoryFigures(before: ServerProbe, half: { open: number; probe: ServerProbe }, after: ServerProbe, closed: ServerProbe, open: number) {
  const perConnection = (after.rss - before.rss) / open;
  return {
    perConnection,
    figures: {
      'server RSS before / after (MiB)': `${mib(before.rss)} / ${mib(after.rss)}`,
      'RSS per connection (KiB)': kib(perConnection),
      'RSS per connection, second half (KiB)': kib((after.rss - half.probe.rss) / (open - half.open)),
      'JS heap per connection (KiB)': kib((after.heapUsed - before.heapUsed) / open),
      'external + array buffers per connection (KiB)': kib((after.external - before.external) / open),
      'server RSS after all closed (MiB)': mib(closed.rss),
      'server JS heap after all closed (MiB)': mib(closed.heapUsed),
    },
  };
}

/** The idle server's settled memory; refuses to go on when the server may not open `connections` sockets. */
export async function idleBaseline(probe: () => Promise<ServerProbe>, connections: number, log: (line: string) => void): Promise<ServerProbe> {
  await sleep(1000);
  const before = await settledProbe(probe);
  log(`server idle: rss ${mib(before.rss)} MiB, heap ${mib(before.heapUsed)} MiB, open-file limit ${before.maxOpenFiles}`);
  if (before.maxOpenFiles !== null && before.maxOpenFiles < connections + 100) {
    throw new Error(`the server may open only ${before.maxOpenFiles} files; raise the hard limit (ulimit -Hn) above ${connections + 100}`);
  }
  return before;
}

export interface HeldConnections {
  readonly holders: Holder[];
  /** Memory after each holder's share: the first is the half-way sample, the last the full one. */
  readonly steps: { open: number; probe: ServerProbe }[];
  readonly open: number;
  readonly failures: number;
  readonly firstError: string;
  /** Time inside the holders' connect requests (not the memory sampling between them). */
  readonly connectSeconds: number;
}

/**
 * Starts `count` holders running `script`, gives each its share of `items` through `request`
 * (holder i connects from 127.0.0.<i+1>), and samples the server's memory after each share.
 */
export async function connectThroughHolders<T>(
  script: string,
  count: number,
  items: readonly T[],
  request: (share: T[], localAddress: string) => Record<string, unknown>,
  probe: () => Promise<ServerProbe>,
  log: (open: number, failures: number) => void,
): Promise<HeldConnections> {
  const holders = Array.from({ length: count }, () => holder(script));
  const size = Math.ceil(items.length / count);
  const steps: { open: number; probe: ServerProbe }[] = [];
  let open = 0;
  let failures = 0;
  let firstError = '';
  let connectMs = 0;
  for (const [i, h] of holders.entries()) {
    const t0 = Date.now();
    const result = await h.request<{ open: number; failures: number; firstError: string }>(request(items.slice(i * size, (i + 1) * size), `127.0.0.${i + 1}`), 'connected');
    connectMs += Date.now() - t0;
    open += result.open;
    failures += result.failures;
    firstError ||= result.firstError;
    log(open, failures);
    steps.push({ open, probe: await settledProbe(probe) });
  }
  return { holders, steps, open, failures, firstError, connectSeconds: connectMs / 1000 };
}
