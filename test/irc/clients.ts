import { nickBase } from '../../src/protocols/irc/channels.js';
import { connect, type Socket } from 'node:net';
import IRC from 'irc-framework';

/** Waits for lines matching a predicate in a growing list of received lines. */
class LineQueue {
  readonly lines: string[] = [];
  private waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];

  push(line: string): void {
    const i = this.waiters.findIndex((w) => w.match(line));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      this.lines.push(line);
      w?.resolve(line);
    } else this.lines.push(line);
  }

  /** The first line (already received or future) after `from` that matches. */
  next(match: (line: string) => boolean, ms = 5000, from = 0): Promise<string> {
    const found = this.lines.slice(from).find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching line within ${ms} ms; last lines:\n${this.lines.slice(-15).join('\n')}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }
}

/** irc-framework, the real client library, with every raw line from the server recorded. */
export class FrameworkClient {
  readonly queue = new LineQueue();
  readonly client: any;

  private constructor() {
    this.client = new IRC.Client();
    this.client.on('raw', (event: { line: string; from_server: boolean }) => {
      if (event.from_server) this.queue.push(event.line.replace(/\r?\n$/, ''));
    });
  }

  static async connect(port: number, nick: string, auth: { account?: { account: string; password: string }; password?: string; tls?: boolean; rejectUnauthorized?: boolean }, caps: string[] = [], echo = false): Promise<FrameworkClient> {
    const c = new FrameworkClient();
    if (caps.length > 0) c.client.requestCap(caps);
    const registered = new Promise<void>((resolve, reject) => {
      c.client.once('registered', () => resolve());
      c.client.once('close', () => reject(new Error(`closed before registration:\n${c.queue.lines.join('\n')}`)));
    });
    c.client.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick, auto_reconnect: false, enable_echomessage: echo, ...auth });
    await registered;
    return c;
  }

  get lines(): string[] {
    return this.queue.lines;
  }

  next(match: RegExp | ((l: string) => boolean), ms = 5000, from = 0): Promise<string> {
    return this.queue.next(typeof match === 'function' ? match : (l) => match.test(l), ms, from);
  }

  raw(line: string): void {
    this.client.raw(line);
  }

  close(): void {
    this.client.quit('bye');
    setTimeout(() => this.client.connection?.end?.(), 100).unref?.();
  }
}

/** A raw IRC connection: exact bytes out, every line in. */
export class RawClient {
  readonly queue = new LineQueue();
  closed = false;
  private buffer = '';

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\r\n')) >= 0) {
        this.queue.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 2);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** `localAddress` picks the source address (any 127.x.y.z on Linux): tests of per-address limits. */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', ...(localAddress && { localAddress }) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Connects and registers with PASS login:password (and the given caps), asking for the nick
   * derived from the login, as a client configured for that account would.
   */
  static async register(port: number, login: string, password: string, caps: string[] = [], localAddress?: string): Promise<RawClient> {
    const c = await RawClient.connect(port, localAddress);
    if (caps.length > 0) c.send(`CAP LS 302`, `CAP REQ :${caps.join(' ')}`, 'CAP END');
    c.send(`PASS ${login}:${password}`, `NICK ${nickBase(login)}`, 'USER guest 0 * :Guest');
    await c.next((l) => / 376 | 422 /.test(l));
    return c;
  }

  get lines(): string[] {
    return this.queue.lines;
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  next(match: RegExp | ((l: string) => boolean), ms = 5000, from = 0): Promise<string> {
    return this.queue.next(typeof match === 'function' ? match : (l) => match.test(l), ms, from);
  }

  /** Sends PING with a token and resolves with every line received up to its PONG. */
  async sync(ms = 5000): Promise<string[]> {
    const token = `sync${Math.random().toString(36).slice(2)}`;
    const from = this.lines.length;
    this.send(`PING ${token}`);
    await this.next((l) => l.includes('PONG') && l.endsWith(token), ms, from);
    return this.lines.slice(from);
  }

  /** Sends PING and waits for its PONG or for the connection to close, whichever comes first. */
  settle(ms = 20_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    const token = `settle${Math.random().toString(36).slice(2)}`;
    this.send(`PING ${token}`);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const poll = setInterval(() => this.lines.some((l) => l.endsWith(token)) && done(), 20);
      this.socket.once('close', done);
    });
  }

  waitClose(ms = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still open')), ms);
      this.socket.once('close', () => (clearTimeout(timer), resolve()));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
