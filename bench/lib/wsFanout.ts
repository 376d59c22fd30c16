// The WebSocket side of irc-throughput: the same shape of load as its IRC phase, against the same
// pchat server in the same run, so WebSocket deliveries per second with fan-out stand beside
// IRC's. N senders and M receivers join one room; each sender keeps K posts in flight (a post
// is acknowledged only once durable) and the slowest receiver may trail what was sent by at
// most LAG messages. Receivers count message frames by their first bytes, nothing more.
import type WebSocket from 'ws';
import { isMessageFrame } from './postLoad.js';
import { sleep } from './report.js';
import { measurePhase, slowest, type ThroughputPhase } from './throughputPhase.js';
import { call, closeAll, connect, pool } from './ws.js';

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
      // Bounded output: wait while the slowest receiver trails too far.
      while (running && sent - slowest(received) > o.lag) await sleep(1);
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
  const phase = await measurePhase(
    {
      received,
      accepted: () => accepted,
      disconnected: () => disconnected,
      stop: async () => {
        running = false;
        await Promise.all(loops);
        await closeAll([...senders, ...receivers]);
      },
    },
    o,
  );
  if (errors) throw new Error(`a WebSocket post failed: ${errors}`);
  return phase;
}
