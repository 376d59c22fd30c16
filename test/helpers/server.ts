import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  readonly database: string;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** A real pchat server on a free loopback port, over a fresh SQLite database in a temp dir. */
export async function startTestServer(overrides: Record<string, unknown> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'pchat-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      'http.host': '127.0.0.1',
      'http.port': 0,
      // An ephemeral port, so test servers never contend for 6667; flood control off for speed.
      'irc.listen': [{ host: '127.0.0.1', port: 0 }],
      'irc.floodControl': false,
      'admin.password': ADMIN_PASSWORD,
      'log.level': 'silent',
      ...overrides,
    },
  });
  const server = await startServer(config, { logger: createLogger('silent'), announce: () => undefined });
  return {
    ...server,
    dataDir: dir,
    database: config.database as string,
    stop: async () => {
      await server.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
