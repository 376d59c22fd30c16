// IRC load-generation helpers for the irc-* benchmarks: users who can sign in with a password,
// raw-socket IRC clients (no client library: a few Buffer scans per chunk), a bench config for
// the pchat server, and an ngircd reference server run as a child process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Store } from '../../src/ports/store.js';
import { freePort } from '../../test/helpers/childServer.js';
import { canPin, tempDir } from './fixture.js';
import { sleep } from './report.js';

export const IRC_PASSWORD = 'bench-irc-password';

/**
 * A password hash in the format of src/app/passwords.ts (`scrypt$N$r$p$salt$hash`) but with
 * N = 16 instead of 2^15: verifyPassword honours the parameters stored in the hash, so a
 * sign-in costs microseconds instead of ~50 ms, and thousands of IRC clients can register
 * in seconds. Everything else about the sign-in (throttle, session row) is production code.
 */
export function cheapPasswordHash(password = IRC_PASSWORD): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 16, r: 8, p: 1 });
  return ['scrypt', 16, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface IrcUser {
  readonly id: number;
  readonly login: string;
  /** The nick pchat derives from the login (the part before '@'). */
  readonly nick: string;
}

/** Users with a (cheap) password, created straight through the store. Logins `<prefix><i>@bench.example`. */
export async function createIrcUsers(store: Store, count: number, prefix: string): Promise<IrcUser[]> {
  const passwordHash = cheapPasswordHash();
  const users: IrcUser[] = [];
  for (let i = 0; i < count; i++) {
    const nick = `${prefix}${i}`;
    const login = `${nick}@bench.example`;
    const user = await store.users.create({
      login,
      displayName: `${prefix} ${i}`,
      email: null,
      isAdmin: false,
      disabled: false,
      origin: null,
      passwordHash,
    });
    users.push({ id: user.id, login, nick });
  }
  return users;
}

/**
 * Environment for startServerProcess: IRC on a known loopback port, and a config file for
 * what has no environment variable (flood control). Returns the env and the IRC port.
 */
export async function ircServerEnv(dir: string, config: Record<string, unknown> = {}): Promise<{ env: Record<string, string>; port: number }> {
  const port = await freePort();
  const file = join(dir, 'bench-pchat.config.json');
  writeFileSync(file, JSON.stringify({ irc: { ...config } }));
  return { env: { PCHAT_CONFIG: file, PCHAT_IRC_LISTEN: `127.0.0.1:${port}` }, port };
}

/** The last parameter of an IRC line (after " :"), or the last word. */
const trailing = (line: string): string => {
  const i = line.indexOf(' :', 1);
  return i >= 0 ? line.slice(i + 2) : (line.split(' ').at(-1) ?? '');
};

/**
 * A raw IRC connection. Until `raw` is set, incoming data is split into lines and offered to
 * the waiters (registration, JOIN, PONG). Set `onChunk` to take over the receive path: it then
 * sees every chunk as it arrives, before any splitting.
 */
export class RawIrc {
  readonly socket: Socket;
  private pending = '';
  private waiters: { test: (line: string) => boolean; fail?: (line: string) => boolean; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  /** When set, every chunk goes here and no line splitting happens (the hot receive path). */
  onChunk: ((chunk: Buffer) => void) | null = null;
  /** Answer server PINGs (idle holders need this; the pchat server pings after 90 s). */
  answerPings = true;
  closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.onChunk) return this.onChunk(chunk);
      this.pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.pending.indexOf('\n')) >= 0) {
        const line = this.pending.slice(0, nl).replace(/\r$/, '');
        this.pending = this.pending.slice(nl + 1);
        this.line(line);
      }
    });
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => {
      this.closed = true;
      this.failAll(new Error('connection closed'));
    });
  }

  private line(line: string): void {
    if (this.answerPings && line.startsWith('PING ')) this.send(`PONG ${line.slice(5)}`);
    for (const w of [...this.waiters]) {
      if (w.test(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      } else if (w.fail?.(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.reject(new Error(`IRC: ${line}`));
      }
    }
  }

  private failAll(error: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Resolves with the first line passing `test`; rejects on a line passing `fail`, on close, or after the timeout. */
  waitFor(test: (line: string) => boolean, fail?: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('IRC: no reply in time'));
      }, timeoutMs);
      const waiter = {
        test,
        ...(fail && { fail }),
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** JOIN and wait for the end of NAMES (366) of that channel. */
  async join(channel: string): Promise<void> {
    const done = this.waitFor(
      (l) => / 366 \S+ (\S+)/.exec(l)?.[1]?.toLowerCase() === channel.toLowerCase(),
      (l) => /^:\S+ (403|405|471|473|474|475|476) /.test(l) || l.startsWith('ERROR'),
    );
    this.send(`JOIN ${channel}`);
    await done;
  }

  /** A PING round trip: every line sent before it has been processed when the PONG comes back. */
  async ping(token: string): Promise<void> {
    const done = this.waitFor((l) => / PONG /.test(l) && trailing(l) === token);
    this.send(`PING :${token}`);
    await done;
  }

  close(): void {
    if (this.closed) return;
    this.socket.end('QUIT :bench done\r\n');
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

/** Connects and registers: optional PASS, then NICK and USER; resolves after 001 (ERROR or 464 reject). */
export function registerIrc(
  host: string,
  port: number,
  options: { nick: string; pass?: string; localAddress?: string; timeoutMs?: number },
): Promise<RawIrc> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, ...(options.localAddress && { localAddress: options.localAddress }) });
    const client = new RawIrc(socket);
    socket.once('error', reject);
    socket.once('connect', () => {
      client
        .waitFor(
          (l) => /^:\S+ 001 /.test(l),
          (l) => l.startsWith('ERROR') || /^:\S+ (432|433|436|464|465) /.test(l),
          options.timeoutMs ?? 60_000,
        )
        .then(
          () => {
            socket.off('error', reject);
            socket.on('error', () => undefined);
            resolve(client);
          },
          (error: Error) => {
            socket.destroy();
            reject(error);
          },
        );
      if (options.pass) client.send(`PASS ${options.pass}`);
      client.send(`NICK ${options.nick}`);
      client.send(`USER ${options.nick.slice(0, 9)} 0 * :${options.nick}`);
    });
  });
}

/** Counts '\n' bytes in a chunk: the cheapest per-line work a receiver can do. */
export function countLines(chunk: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = chunk.indexOf(10, i + 1)) >= 0) n++;
  return n;
}

// ---------------------------------------------------------------- the ngircd reference server

export interface Ngircd {
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  /** Resident memory (VmRSS) and CPU time (user + system, ms) of the ngircd process, from /proc. */
  probe(): { rss: number; cpuMs: number };
  stop(): Promise<void>;
  output(): string;
}

/** The ngircd binary, or null with how to install it. */
export function findNgircd(): { path: string; version: string } | null {
  for (const path of ['/usr/sbin/ngircd', '/usr/local/sbin/ngircd', '/usr/bin/ngircd']) {
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? '';
      return { path, version: version.trim() };
    } catch {
      // next
    }
  }
  return null;
}

export const NGIRCD_INSTALL_HINT = 'ngircd is not installed; install the reference server with `sudo apt-get install -y ngircd` (Debian/Ubuntu) and rerun.';

/**
 * Starts ngircd in the foreground (-n) with a generated minimal config in a temp dir, on a free
 * loopback port, optionally pinned to a core. Limits are lifted the way the pchat bench server
 * has flood control switched off: no per-IP connection limit, no penalty times
 * (MaxPenaltyTime = 0), no DNS/IDENT/PAM lookups, nicks up to 30 characters.
 */
export async function startNgircd(binary: string, options: { core?: number; version?: string } = {}): Promise<Ngircd> {
  const port = await freePort();
  const dir = tempDir('ngircd');
  const conf = join(dir.dir, 'ngircd.conf');
  writeFileSync(
    conf,
    [
      '[Global]',
      '  Name = ngircd.bench.local',
      '  Info = pchat benchmark reference server',
      '  Listen = 127.0.0.1',
      `  Ports = ${port}`,
      '  MotdPhrase = "bench"',
      '[Limits]',
      '  MaxConnections = 0',
      '  MaxConnectionsIP = 0',
      '  MaxJoins = 0',
      '  MaxNickLength = 30',
      '  MaxPenaltyTime = 0',
      '  PingTimeout = 600',
      '  PongTimeout = 600',
      '[Options]',
      '  DNS = no',
      '  Ident = no',
      '  PAM = no',
      '',
    ].join('\n'),
  );
  const pin = options.core !== undefined && canPin() ? ['taskset', '-c', String(options.core)] : [];
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const child: ChildProcess = spawn('/bin/sh', ['-c', script, 'sh', ...pin, binary, '-n', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when the port accepts a connection.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ngircd exited (${child.exitCode}):\n${output}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`ngircd did not listen within 15 s:\n${output}`);
    await sleep(100);
  }
  const pid = child.pid as number;
  return {
    port,
    pid,
    version: options.version ?? 'ngircd',
    probe: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      const ticks = (fields[11] ?? 0) + (fields[12] ?? 0);
      return { rss, cpuMs: (ticks * 1000) / 100 };
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
      process.off('exit', kill);
      dir.remove();
    },
    output: () => output,
  };
}
