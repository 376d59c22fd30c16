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
