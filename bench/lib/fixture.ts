// Datasets and a real server process for benchmarks.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PrincipalRef } from '../../src/core/model.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { freePort } from '../../test/helpers/childServer.js';
import { ROOT } from './report.js';

export const ADMIN_PASSWORD = 'bench-admin-password';

// Whatever a benchmark leaves behind when it fails or is interrupted: child processes to kill
// and temp dirs to delete, synchronously on exit.
const leftovers = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of leftovers) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** A fresh temp dir and a function that deletes it (also deleted if the benchmark dies). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pchat-bench-${prefix}-`));
  const remove = () => {
    leftovers.delete(remove);
    rmSync(dir, { recursive: true, force: true });
  };
  leftovers.add(remove);
  return { dir, remove };
}

/** The store over <dataDir>/pchat.db, as the server would open it (synchronous=NORMAL: setup needs no power-loss safety). */
export const openBenchStore = (dataDir: string, synchronous: 'full' | 'normal' = 'normal'): Store =>
  createSqliteStore(join(dataDir, 'pchat.db'), { synchronous });

/** Same hashing as app/sessions.ts: the store keeps only the SHA-256 of a bearer token. */
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface BenchUser {
  readonly id: number;
  readonly login: string;
  /** A bearer token for a session created directly in the store (no scrypt login per user). */
  readonly token: string;
}

/** Creates users with sessions straight through the store: thousands in seconds. */
export async function createUsers(store: Store, count: number, prefix = 'user'): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  const expiresAt = Date.now() + 7 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const login = `${prefix}${i}@bench.example`;
    const user = await store.users.create({
      login,
      displayName: `${prefix[0]?.toUpperCase()}${prefix.slice(1)} ${i}`,
      email: null,
      isAdmin: false,
      disabled: false,
      origin: null,
      passwordHash: null,
    });
    const token = randomBytes(24).toString('base64url');
    await store.sessions.create({ tokenHash: hashToken(token), userId: user.id, kind: 'token', createdAt: Date.now(), expiresAt, userAgent: 'bench', address: null }, 0);
    users.push({ id: user.id, login, token });
  }
  return users;
}

/** A group holding the users, and a category allowing that group (so its open rooms are readable by all of them). */
export async function createCategoryFor(store: Store, name: string, members: readonly PrincipalRef[]): Promise<number> {
  const group = await store.groups.create({ name: `${name} people`, description: '', members, origin: null });
  const category = await store.categories.create({
    name,
    description: '',
    allowed: [{ kind: 'group', id: group.id }],
    denied: [],
    creators: [],
    invitations: true,
    fileUpload: true,
    chatHistory: true,
    origin: null,
  });
  return category.id;
}

export async function createRooms(store: Store, categoryId: number, count: number, prefix = 'room'): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const room = await store.rooms.create({
      name: `${prefix} ${i}`,
      description: '',
      categoryId,
      privacy: 'open',
      type: 'normal',
      members: [],
      managers: [],
      presenters: [],
      invitations: 'inherit',
      addinId: null,
      disabled: false,
      origin: null,
      legacyUri: null,
    });
    ids.push(room.id);
  }
  return ids;
}


let tasksetChecked: boolean | null = null;
/** CPU pinning is used when taskset exists and there are at least two cores: server on core 0, load on core 1. */
export function canPin(): boolean {
  if (tasksetChecked === null) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetChecked = cpus().length >= 2;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** Pins this process (all its threads) to one core, when pinning is possible. */
export function pinSelf(core: number): boolean {
  if (!canPin()) return false;
  execFileSync('taskset', ['-a', '-c', '-p', String(core), String(process.pid)], { stdio: 'ignore' });
  return true;
}

/**
 * Spawns `node <args>` with the open-file limit raised to the hard limit, optionally pinned to a core.
 * stdio: stdout/stderr piped, plus an IPC channel.
 */
export function spawnNode(args: readonly string[], options: { core?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const pin = options.core !== undefined && canPin() ? ['taskset', '-c', String(options.core)] : [];
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const child = spawn('/bin/sh', ['-c', script, 'sh', ...pin, process.execPath, ...args], {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // `exec` makes the shell's pid node's, so this kills the node process itself.
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  leftovers.add(kill);
  child.once('exit', () => leftovers.delete(kill));
  return child;
}

export interface ServerProbe {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Process CPU time so far, in ms (user + system). */
  readonly cpuMs: number;
  readonly openFiles: number;
  readonly maxOpenFiles: number | null;
}

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Memory (after a full GC) and CPU time of the server process, via the probe preloaded into it. */
  probe(options?: { gc?: boolean }): Promise<ServerProbe>;
  /** SIGTERM, then waits for exit (the server flushes accepted posts first). */
  stop(): Promise<number | null>;
  /** Everything the server wrote to stdout and stderr. */
  output(): string;
}

/**
 * Runs `node bin/pchat.js serve --data-dir <dir>` as a child process, like production, with
 * bench/lib/serverProbe preloaded (answers memory/CPU questions over IPC; nothing else).
 */
export async function startServerProcess(
  dataDir: string,
  options: { core?: number; env?: Record<string, string>; /** a postgres:// URL: run as a pool node on it (`--database`) */ database?: string } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const probeModule = pathToFileURL(join(ROOT, 'dist', 'bench', 'lib', 'serverProbe.js')).href;
  // BENCH_SERVER_NODE_ARGS adds node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawnNode([...extra, '--expose-gc', '--import', probeModule, 'bin/pchat.js', 'serve', '--data-dir', dataDir, ...(options.database ? ['--database', options.database] : [])], {
    ...(options.core !== undefined && { core: options.core }),
    env: {
      ...process.env,
      PCHAT_HOST: '127.0.0.1',
      PCHAT_PORT: String(port),
      PCHAT_IRC_LISTEN: '127.0.0.1:0',
      PCHAT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PCHAT_LOG_LEVEL: 'warn',
      // Every simulated client comes from 127.0.0.1: the per-address cap would stop the idle-connection benches at 256.
      PCHAT_MAX_CONNECTIONS_PER_ADDRESS: '0',
      ...options.env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('pchat is serving at')) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before serving:\n${output}`));
    });
  });

  let stopping = false;
  void exited.then((code) => {
    if (!stopping) process.stderr.write(`\nthe server process exited unexpectedly (code ${code}); its output:\n${output}\n`);
  });
  let nextId = 0;
  const waiting = new Map<number, (probe: ServerProbe) => void>();
  child.on('message', (message: { id: number; probe: ServerProbe }) => waiting.get(message.id)?.(message.probe));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    probe: ({ gc = true } = {}) =>
      new Promise((resolve, reject) => {
        if (!child.connected) return reject(new Error(`the server process is gone (exit code ${child.exitCode})`));
        const id = ++nextId;
        const timer = setTimeout(() => reject(new Error('server probe timed out')), 30_000);
        waiting.set(id, (probe) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(probe);
        });
        child.send({ id, gc }, (error) => {
          if (!error) return;
          clearTimeout(timer);
          waiting.delete(id);
          reject(error);
        });
      }),
    stop: async () => {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    output: () => output,
  };
}
