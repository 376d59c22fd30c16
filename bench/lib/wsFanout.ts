// The WebSocket side of irc-throughput: the same shape of load as its IRC phase, against the same
// pchat server in the same run, so WebSocket deliveries per second with fan-out stand beside
// IRC's. N senders and M receivers join one room; each sender keeps K posts in flight (a post
// is acknowledged only once durable) and the slowest receiver may trail what was sent by at
// most LAG messages. Receivers count message frames by their first bytes, nothing more.
import type WebSocket from 'ws';
import { sleep } from './report.js';
import { call, closeAll, connect, pool } from './ws.js';

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

export interface WsFanoutOptions {
  readonly url: string;
  readonly roomId: number;
  readonly senderTokens: readonly string[];
  readonly receiverTokens: readonly string[];
  /** Posts in flight per sender. */
  readonly inFlight: number;
  readonly lag: number;
  readonly warmupS: number;
  readonly measureS: number;
  cpuMs(): Promise<number>;
  rss(): Promise<number>;
}

const MESSAGE = Buffer.from('{"type":"message"');
const isMessageFrame = (data: Buffer): boolean => data.length > MESSAGE.length && data.compare(MESSAGE, 0, MESSAGE.length, 0, MESSAGE.length) === 0;
const ACK = Buffer.from('{"type":"ack"');
const isAck = (data: Buffer): boolean => data.length > ACK.length && data.compare(ACK, 0, ACK.length, 0, ACK.length) === 0;

export async function runWsFanout(o: WsFanoutOptions): Promise<ThroughputPhase> {
  const join = async (token: string): Promise<WebSocket> => {
    const ws = await connect(o.url, token);
    await call(ws, { type: 'join', roomId: o.roomId });
    return ws;
  };
  const receivers = await pool(o.receiverTokens, 20, join);
  const senders = await pool(o.senderTokens, 20, join);
  await sleep(500);

  let disconnected = 0;
  const received = new Float64Array(receivers.length);
  receivers.forEach((ws, i) => {
    ws.on('message', (data: Buffer) => {
      if (isMessageFrame(data)) received[i] = (received[i] as number) + 1;
    });
    ws.once('close', () => disconnected++);
  });
  const slowest = (): number => {
    let min = Infinity;
    for (const v of received) if (v < min) min = v;
    return min;
  };
  const base = received.slice();

  let sent = 0;
  let accepted = 0;
  let running = true;
  let errors = '';
  const text = 'status update: the build is green, deploy at noon after the review';
  const senderLoop = async (ws: WebSocket, id: number): Promise<void> => {
    let inFlight = 0;
    let wake: (() => void) | null = null;
    ws.on('message', (data: Buffer) => {
      if (isMessageFrame(data)) return;
      if (isAck(data)) accepted++;
      else if (data.includes('"error"')) errors ||= data.toString().slice(0, 300);
      else return; // the join's reply
      inFlight--;
      wake?.();
    });
    ws.once('close', () => disconnected++);
    let seq = 0;
    while (running && ws.readyState === ws.OPEN) {
      // Bounded output: wait while the slowest receiver trails too far (relative to its start).
      while (running && sent - (slowest() - (base[0] ?? 0)) > o.lag) await sleep(1);
      while (inFlight >= o.inFlight) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      inFlight++;
      sent++;
      const n = seq++;
      ws.send(JSON.stringify({ type: 'post', ref: n, roomId: o.roomId, clientId: `ws${id}-${n}`, text: `s${id} m${n} ${text}` }));
    }
    const until = Date.now() + 5000;
    while (inFlight > 0 && Date.now() < until) await sleep(10);
  };

  const loops = senders.map((ws, i) => senderLoop(ws, i));
  await sleep(o.warmupS * 1000);
  const cpu0 = await o.cpuMs();
  const load0 = process.cpuUsage();
  const a0 = accepted;
  const d0 = received.reduce((x, y) => x + y, 0);
  const t0 = process.hrtime.bigint();
  await sleep(o.measureS * 1000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const a1 = accepted;
  const d1 = received.reduce((x, y) => x + y, 0);
  const cpu1 = await o.cpuMs();
  const load = process.cpuUsage(load0);
  const rss = await o.rss();
  const lost = disconnected;
  running = false;
  await Promise.all(loops);
  await closeAll([...senders, ...receivers]);
  if (errors) throw new Error(`a WebSocket post failed: ${errors}`);
  return {
    accepted: (a1 - a0) / seconds,
    delivered: (d1 - d0) / seconds,
    seconds,
    serverCpuCores: (cpu1 - cpu0) / 1000 / seconds,
    serverRssMiB: rss / 2 ** 20,
    loadCpuCores: (load.user + load.system) / 1e6 / seconds,
    disconnected: lost,
    totalAccepted: accepted,
  };
}
