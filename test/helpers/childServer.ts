import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD } from './server.js';

/** The `pchat` command, from dist/test/helpers/ back to the package root. */
export const PCHAT_BIN = fileURLToPath(new URL('../../../bin/pchat.js', import.meta.url));

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A real `pchat serve` process, for tests that must kill the server the hard way. */
export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown hook runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns `node bin/pchat.js serve --data-dir <dataDir>` on a free port and waits for /healthz.
 * The environment holds only what pchat needs (no PCHAT_* leaks in from the caller), and the
 * working directory is the data directory so no stray pchat.config.json is read.
 */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}, readyWithinMs = 30_000, options: { /** `ulimit -n` for the server (its soft and hard open-file limit) */ fdLimit?: number } = {}): Promise<ChildServer> {
  const port = await freePort();
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PCHAT_') && v !== undefined) base[k] = v;
  const command = [process.execPath, PCHAT_BIN, 'serve', '--data-dir', dataDir];
  // Through bash for the limit: `exec` replaces the shell, so the child is pchat itself (kill() reaches it).
  const [file, ...args] = options.fdLimit ? ['/bin/bash', '-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, ...command] : command;
  const child = spawn(file as string, args, {
    cwd: dataDir,
    env: {
      ...base,
      PCHAT_PORT: String(port),
      PCHAT_IRC_LISTEN: '127.0.0.1:0',
      PCHAT_HOST: '127.0.0.1',
      PCHAT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PCHAT_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ChildServer = {
    url,
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`pchat exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`pchat did not answer /healthz within ${readyWithinMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
