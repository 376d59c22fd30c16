// Running the real `pchat` CLI as a measured child process, for the migration benchmarks
// (interchange, groupchat-export): wall time, peak RSS from GNU time, and the output.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nowMs, ROOT } from './report.js';

const TIME = '/usr/bin/time';

/** Extra node flags for the measured CLI processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
export const NODE_ARGS = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** Message counts from the arguments, else PCHAT_BENCH_SIZES, else 1M and 10M. */
export function benchSizes(): number[] {
  const arg = process.argv.slice(2).join(',') || process.env.PCHAT_BENCH_SIZES || '1000000,10000000';
  const sizes = arg.split(/[,\s]+/).filter(Boolean).map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bad sizes "${arg}": give message counts, e.g. PCHAT_BENCH_SIZES=1000000`);
  return sizes;
}

/** Exits with a clear message when GNU time (for peak RSS) is missing. */
function requireGnuTime(): void {
  if (existsSync(TIME)) return;
  console.error(`${TIME} is missing: install it (apt-get install -y time) to measure peak RSS.`);
  process.exit(1);
}

/**
 * Checks for GNU time, then measures each case one after the other, never two at once: the
 * measured CLI processes would share the cores and each other's wall time and memory.
 */
export async function measureInTurn<Case, Result>(cases: readonly Case[], measure: (c: Case) => Promise<Result>): Promise<Result[]> {
  requireGnuTime();
  const results: Result[] = [];
  for (const c of cases) results.push(await measure(c));
  return results;
}

/** "1M", "10M", or the count written out. */
export const sizeLabel = (n: number): string => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n.toLocaleString('en'));

export interface TimedRun {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly stdout: string;
}

/**
 * Runs `node bin/pchat.js --json <args>` under GNU time. `onStderrLine` sees each stderr line
 * (with ms since the start) and returns true for lines it consumed; the rest are kept for the
 * error a failed command throws. `env` is added to the child's environment.
 */
export async function timedPchat(args: string[], rssFile: string, onStderrLine?: (line: string, atMs: number) => boolean, env: Record<string, string> = {}): Promise<TimedRun> {
  const t0 = nowMs();
  const child = spawn(TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...NODE_ARGS, join(ROOT, 'bin', 'pchat.js'), '--json', ...args], {
    cwd: ROOT,
    env: { ...process.env, PCHAT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    const atMs = nowMs() - t0;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!onStderrLine?.(line, atMs)) stderr += `${line}\n`;
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (nowMs() - t0) / 1000;
  if (code !== 0) throw new Error(`pchat ${args.join(' ')} exited with ${code}:\n${(stderr + pending).slice(-4000)}\n${stdout.slice(0, 4000)}`);
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
  return { seconds, maxRssMiB: kib / 1024, stdout };
}
