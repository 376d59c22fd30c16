// Post-to-delivery latency, shared by the latency benchmarks (delivery-latency over WebSocket,
// irc-delivery-latency, pool-cross-node-latency). The send time travels in the message text as
// CLOCK_MONOTONIC nanoseconds (process.hrtime), which every process on one machine shares, so a
// receiver in another process compares it with its own clock.
import { percentiles, sleep } from './report.js';

const MARK = 'sent@';
export const hr = (): bigint => process.hrtime.bigint();

/** A post's text: the marker, `m` (measured) or `w` (warm-up), the send time, the measured post's index `k`. */
export const stampedText = (measured: boolean, k: number, n: number): string => `${MARK}${measured ? 'm' : 'w'}${hr()};${k}; status update ${n}: build is green`;

/**
 * Reads the stamp of a text received at `at`, looking from `from` up to `before`: undefined when
 * there is none (another frame or line), null for a warm-up post, else the latency and `k`.
 */
export function readStamp(text: string, at: bigint, from = 0, before = text.length): { ms: number; k: number } | null | undefined {
  const i = text.indexOf(MARK, from);
  if (i < 0 || i >= before) return undefined;
  if (text.charCodeAt(i + MARK.length) !== 0x6d /* m: measured */) return null;
  const end = text.indexOf(';', i);
  const ms = Number(at - BigInt(text.slice(i + MARK.length + 1, end))) / 1e6;
  return { ms, k: Number(text.slice(end + 1, text.indexOf(';', end + 1))) };
}

/** Every delivery's latency, and per measured post the first and the last receiver's (commit + one send, and the whole fan-out). */
export class Deliveries {
  private readonly latencies: Float64Array;
  private samples = 0;
  private readonly first: number[] = [];
  private readonly last: number[] = [];

  constructor(capacity: number) {
    this.latencies = new Float64Array(capacity);
  }

  get count(): number {
    return this.samples;
  }

  record(ms: number, k: number): void {
    this.latencies[this.samples++] = ms;
    this.first[k] = Math.min(this.first[k] ?? Infinity, ms);
    this.last[k] = Math.max(this.last[k] ?? 0, ms);
  }

  summary() {
    return {
      all: percentiles(this.latencies.subarray(0, this.samples)),
      first: percentiles(this.first.filter((v) => v !== undefined)),
      spread: percentiles(this.last.map((last, k) => last - (this.first[k] as number)).filter((v) => Number.isFinite(v))),
    };
  }
}

/** Calls `post` `rate` times a second for `seconds` on a fixed schedule (post k at start + k/rate, no setInterval drift). */
export async function paced(rate: number, seconds: number, post: () => void): Promise<void> {
  const start = Date.now();
  const total = seconds * rate;
  for (let k = 0; k < total; k++) {
    const wait = start + (k * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    post();
  }
}
