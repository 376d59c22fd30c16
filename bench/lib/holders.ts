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
