import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * Temporary directories of the dump reader (tblChat's sorted runs, spilled file notes), removed
 * when their reader finishes or fails (its `finally`), and also when the process is interrupted
 * (SIGINT, SIGTERM, SIGHUP) or exits early, which skips every `finally`: an export stopped with
 * Ctrl-C must not leave gigabytes of run files in the temp directory. Only SIGKILL (and a power
 * cut) leaves them behind, as `pchat-tblchat-*` / `pchat-gc-notes-*` in the temp directory.
 */

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAll(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing more can be done while the process ends.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  // End as the signal would have ended the process without this handler, unless another part of
  // the program handles the signal itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  // Signals reach the main thread only; a worker's directories go with its `finally`.
  if (installed || !isMainThread) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', removeAll);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('exit', removeAll);
}

/** Creates `<parent>/<prefix>XXXXXX`, removed by `removeTempDir` or when the process is interrupted. */
export async function makeTempDir(parent: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix));
  live.add(dir);
  install();
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } finally {
    live.delete(dir);
    if (live.size === 0) uninstall();
  }
}
