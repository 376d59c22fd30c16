// Shared reporting for benchmarks: percentiles, PASS/MISS against targets, and bench/results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/bench/lib/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Percentiles {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles of a sample (sorts a copy). */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] as number;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, mean: sum / n, p50: at(50), p95: at(95), p99: at(99), max: sorted[n - 1] as number };
}

export interface Target {
  /** What is compared, e.g. "p99 latency". */
  readonly metric: string;
  readonly value: number;
  readonly op: '>=' | '<=';
  readonly target: number;
  readonly unit: string;
}

export interface BenchResult {
  readonly name: string;
  /** Headline figures, flat, for the summary table. */
  readonly figures: Record<string, number | string>;
  readonly targets: readonly Target[];
  readonly notes?: readonly string[];
  /** Anything else worth keeping (distributions, parameters). */
  readonly details?: Record<string, unknown>;
}

export const passes = (t: Target): boolean => (t.op === '>=' ? t.value >= t.target : t.value <= t.target);

export const round = (v: number, digits = 2): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/**
 * CPU time, in clock ticks, of the whole machine (user + nice + system of all processes) and
 * of this process with its reaped children (the server and client processes), to tell how much
 * CPU other processes took during a run: on a shared machine that is the main source of noise.
 */
function ticks(): { machine: number; total: number; own: number } | null {
  try {
    const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the ")" that ends the command name: utime is the 12th, then stime, cutime, cstime.
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = fields.slice(11, 15).reduce((a, b) => a + b, 0);
    return { machine: (cpu[0] ?? 0) + (cpu[1] ?? 0) + (cpu[2] ?? 0), total: cpu.reduce((a, b) => a + b, 0), own };
  } catch {
    return null;
  }
}
const started = { ticks: ticks(), loadavg: loadavg()[0] ?? 0 };

/** Average cores used by processes other than this benchmark (and its children) since it started. */
function otherCores(): number | null {
  const now = ticks();
  const then = started.ticks;
  if (!now || !then || now.total === then.total) return null;
  const wallTicksPerCore = (now.total - then.total) / cpus().length;
  return Math.max(0, now.machine - then.machine - (now.own - then.own)) / wallTicksPerCore;
}

export function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Cores used by other processes above which a run is flagged as disturbed. */
export const NOISY = 0.15;

/** Prints the figures and PASS/MISS lines, and writes bench/results/<name>.json. */
export function report(result: BenchResult): void {
  const others = otherCores();
  const out = {
    ...result,
    date: new Date().toISOString(),
    machine: { ...machine(), loadAverageAtStart: round(started.loadavg), otherProcessesCores: others === null ? null : round(others) },
    targets: result.targets.map((t) => ({ ...t, value: round(t.value, 3), pass: passes(t) })),
  };
  console.log(`\n== ${result.name} ==`);
  for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(40)} ${value}`);
  for (const t of out.targets) {
    console.log(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.metric}: ${t.value} ${t.unit} (target ${t.op} ${t.target} ${t.unit})`);
  }
  for (const note of result.notes ?? []) console.log(`  note: ${note}`);
  console.log(`  machine: other processes used ${others === null ? '?' : round(others)} cores on average during the run`);
  if (others !== null && others > NOISY) console.log('  warning: other processes were busy during this run; figures may be pessimistic');
  const file = join(ROOT, 'bench', 'results', `${result.name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`  wrote ${file}`);
}

/** Logs a progress line to stderr, prefixed with the benchmark's elapsed time. */
export function progress(name: string): (line: string) => void {
  const start = Date.now();
  return (line) => process.stderr.write(`[${name} ${((Date.now() - start) / 1000).toFixed(1)}s] ${line}\n`);
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
