// The measuring skeleton shared by irc-throughput's IRC and WebSocket phases: once the load runs,
// warm up, then count accepted lines (posts) and delivered messages over the measured seconds,
// with the server's CPU and memory and this process's CPU, and stop the load.
import { sleep } from './report.js';

/** One measured run of a throughput phase (IRC or WebSocket). */
export interface ThroughputPhase {
  /** Lines (posts) acknowledged per second. */
  readonly accepted: number;
  /** Messages delivered per second to the receivers. */
  readonly delivered: number;
  readonly seconds: number;
  readonly serverCpuCores: number;
  readonly serverRssMiB: number;
  readonly loadCpuCores: number;
  readonly disconnected: number;
  /** Lines (posts) acknowledged over the whole run, warm-up included. */
  readonly totalAccepted: number;
}

/** A running load, as the measuring sees it. */
export interface RunningLoad {
  /** Messages each receiver has got so far. */
  readonly received: Float64Array;
  /** Lines (posts) acknowledged so far. */
  accepted(): number;
  /** Connections the server has closed so far. */
  disconnected(): number;
  /** Stop sending, wait for what is in flight, close the connections. */
  stop(): Promise<void>;
}

export interface PhaseTiming {
  readonly warmupS: number;
  readonly measureS: number;
  cpuMs(): Promise<number>;
  rss(): Promise<number>;
}

/** The fewest messages any receiver has got: the load holds senders back by it. */
export function slowest(received: Float64Array): number {
  let min = Infinity;
  for (const v of received) if (v < min) min = v;
  return min;
}

const sum = (counts: Float64Array): number => counts.reduce((x, y) => x + y, 0);

/** Warm up, measure, stop the load, and return the phase's rates. */
export async function measurePhase(load: RunningLoad, t: PhaseTiming): Promise<ThroughputPhase> {
  await sleep(t.warmupS * 1000);
  const cpu0 = await t.cpuMs();
  const load0 = process.cpuUsage();
  const a0 = load.accepted();
  const d0 = sum(load.received);
  const t0 = process.hrtime.bigint();
  await sleep(t.measureS * 1000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const a1 = load.accepted();
  const d1 = sum(load.received);
  const cpu1 = await t.cpuMs();
  const loadCpu = process.cpuUsage(load0);
  const rss = await t.rss();
  const lost = load.disconnected(); // before this side closes the connections
  await load.stop();
  return {
    accepted: (a1 - a0) / seconds,
    delivered: (d1 - d0) / seconds,
    seconds,
    serverCpuCores: (cpu1 - cpu0) / 1000 / seconds,
    serverRssMiB: rss / 2 ** 20,
    loadCpuCores: (loadCpu.user + loadCpu.system) / 1e6 / seconds,
    disconnected: lost,
    totalAccepted: load.accepted(),
  };
}
