import type WebSocket from 'ws';
import { nowMs, sleep } from './report.js';

const MESSAGE = Buffer.from('{"type":"message"');
/** Whether a WebSocket frame is a room message, told by its first bytes alone. */
export const isMessageFrame = (data: Buffer): boolean => data.length > MESSAGE.length && data.compare(MESSAGE, 0, MESSAGE.length, 0, MESSAGE.length) === 0;

/**
 * The posting load of the throughput benchmarks: each WebSocket client keeps `window` posts in
 * flight, sending the next one when an ack (or error) comes back. A post counts when its ack
 * arrives, and the server acks only after the commit that holds it. Between `beginWindow()` and
 * `endWindow()` acks, per-client acks, ack latencies and delivered room messages are counted.
 */
export class PostLoad {
  private state: 'idle' | 'running' | 'measure' | 'drain' = 'idle';
  private readonly inflight: Map<number, number>[];
  private readonly starters: (() => void)[];
  /** Acks since the start. */
  acked = 0;
  ackedInWindow = 0;
  /** Acks in the window, per client. */
  ackedPerClient: number[];
  deliveredInWindow = 0;
  latencies: number[] = [];
  errors = 0;
  firstError = '';

  constructor(sockets: readonly WebSocket[], roomOf: (client: number) => number, window: number) {
    this.inflight = sockets.map(() => new Map<number, number>());
    this.ackedPerClient = sockets.map(() => 0);
    this.starters = sockets.map((ws, c) => {
      const pending = this.inflight[c] as Map<number, number>;
      let n = 0;
      const sendOne = () => {
        const ref = ++n;
        pending.set(ref, nowMs());
        ws.send(
          JSON.stringify({
            type: 'post',
            ref,
            roomId: roomOf(c),
            clientId: `c${c}-${ref}`,
            text: `Load message ${ref} from client ${c}: deploy went fine, the dashboards look green again.`,
          }),
        );
      };
      ws.on('message', (raw: WebSocket.RawData) => {
        const buffer = raw as Buffer;
        if (isMessageFrame(buffer)) {
          if (this.state === 'measure') this.deliveredInWindow++;
          return;
        }
        const frame = JSON.parse(buffer.toString()) as { type: string; ref?: unknown };
        if (typeof frame.ref !== 'number' || (frame.type !== 'ack' && frame.type !== 'error')) return; // replies to join calls
        const started = pending.get(frame.ref);
        pending.delete(frame.ref);
        if (frame.type === 'ack') {
          this.acked++;
          if (this.state === 'measure') {
            this.ackedInWindow++;
            this.ackedPerClient[c] = (this.ackedPerClient[c] ?? 0) + 1;
            if (started !== undefined) this.latencies.push(nowMs() - started);
          }
        } else {
          this.errors++;
          this.firstError ||= buffer.toString().slice(0, 300);
        }
        if (this.state === 'running' || this.state === 'measure') sendOne();
      });
      return () => {
        for (let i = 0; i < window; i++) sendOne();
      };
    });
  }

  /** Fills every client's window (again, after a drain) and keeps it full. */
  start(): void {
    this.state = 'running';
    for (const start of this.starters) start();
  }

  /** Starts counting afresh. */
  beginWindow(): void {
    this.ackedInWindow = 0;
    this.deliveredInWindow = 0;
    this.latencies = [];
    this.ackedPerClient = this.ackedPerClient.map(() => 0);
    this.state = 'measure';
  }

  /** Stops counting and sending; posts in flight still get their acks. */
  endWindow(): void {
    this.state = 'drain';
  }

  /** Waits (up to `ms`) for every post in flight to be answered; returns how many were not. */
  async drain(ms = 15_000): Promise<number> {
    const until = Date.now() + ms;
    while (this.inflight.some((m) => m.size > 0) && Date.now() < until) await sleep(20);
    return this.inflight.reduce((sum, m) => sum + m.size, 0);
  }
}
