/**
 * The WebSocket to /api/v1/ws: authenticates with the session cookie, answers requests by `ref`,
 * and reconnects with backoff. After each (re)connection `onReady` runs, so the chat model can
 * re-join its rooms with `since` = the last seq it saw: nothing lost, nothing repeated.
 */
import { ApiError } from './api.js';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'signedOut';
export type Frame = { type: string; ref?: number; [key: string]: unknown };

interface Waiter {
  resolve: (frame: Frame) => void;
  reject: (error: ApiError) => void;
}

const SIGNED_OUT = 4001;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000];

export class Connection {
  state: ConnectionState = 'connecting';
  private ws: WebSocket | null = null;
  private nextRef = 1;
  private waiting = new Map<number, Waiter>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly handlers: {
      onEvent: (frame: Frame) => void;
      onReady: () => void;
      onState: (state: ConnectionState, reason?: string) => void;
      /** Asked after a failed connection: is the session still valid? */
      sessionValid: () => Promise<boolean>;
    },
  ) {}

  open(): void {
    if (this.closed) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.ws = ws;
    ws.onmessage = (event) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(event.data)) as Frame;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.attempts = 0;
        this.setState('online');
        this.handlers.onReady();
        return;
      }
      const waiter = typeof frame.ref === 'number' ? this.waiting.get(frame.ref) : undefined;
      if (waiter && typeof frame.ref === 'number') {
        this.waiting.delete(frame.ref);
        if (frame.type === 'error') waiter.reject(new ApiError(0, String(frame.code), String(frame.message), frame.field as string | undefined));
        else waiter.resolve(frame);
        return;
      }
      this.handlers.onEvent(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const waiter of this.waiting.values()) waiter.reject(new ApiError(0, 'disconnected', 'The connection was lost.'));
      this.waiting.clear();
      if (this.closed) return;
      if (event.code === SIGNED_OUT) {
        this.closed = true;
        this.setState('signedOut', event.reason || 'Signed out by the server.');
        return;
      }
      this.setState('reconnecting');
      void this.retry();
    };
  }

  private async retry(): Promise<void> {
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)] ?? 4000;
    this.attempts++;
    // A refused upgrade looks like a network failure; ask over HTTP whether the session still holds.
    if (this.attempts > 1 && !(await this.handlers.sessionValid().catch(() => true))) {
      this.closed = true;
      this.setState('signedOut', 'Your session ended. Sign in again.');
      return;
    }
    this.timer = setTimeout(() => this.open(), delay);
  }

  private setState(state: ConnectionState, reason?: string): void {
    this.state = state;
    this.handlers.onState(state, reason);
  }

  /** Sends a frame and resolves with the reply that carries its ref (rejects on an error frame). */
  request(frame: Omit<Frame, 'ref'>): Promise<Frame> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.state !== 'online') {
      return Promise.reject(new ApiError(0, 'disconnected', 'Not connected; it will be sent when the connection is back.'));
    }
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      this.waiting.set(ref, { resolve, reject });
      ws.send(JSON.stringify({ ...frame, ref }));
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }
}
