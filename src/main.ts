import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { ensureAdministrator } from './app/bootstrap.js';
import { type Application, createApplication } from './app/index.js';
import { type Config, isPostgresUrl, redactedDatabase } from './config/schema.js';
import { LocalEventBus, SharedEventBus } from './delivery/eventBus.js';
import type { Logger } from './observability/logger.js';
import { systemClock } from './ports/events.js';
import type { Store } from './ports/store.js';
import { createSqliteStore } from './storage/sqlite/index.js';
import { VERSION } from './version.js';

/** A unique name for this process in the shared event log. */
export const nodeName = (role: string): string => `${role}@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * The configured store: PostgreSQL for a postgres:// URL (loaded only then, so SQLite users
 * never load pg), else the SQLite file. Resolves once the schema is up to date.
 */
export async function openStore(config: Config): Promise<Store> {
  const database = config.database as string;
  if (isPostgresUrl(database)) {
    const { createPostgresStore } = await import('./storage/postgres/index.js');
    return createPostgresStore(database);
  }
  return createSqliteStore(database, { synchronous: config.sqlite.synchronous });
}

export interface LocalApp {
  readonly app: Application;
  readonly bus: SharedEventBus;
  readonly store: Store;
  close(): Promise<void>;
}

/** The application over the configured store, publishing to the shared event log (used by the CLI and by serve). */
export async function openApplication(config: Config, role: string, logger?: Logger): Promise<LocalApp> {
  const store = await openStore(config);
  const bus = new SharedEventBus(new LocalEventBus(logger), store.events, nodeName(role), logger);
  const app = createApplication({ store, bus, clock: systemClock });
  return {
    app,
    bus,
    store,
    close: async () => {
      bus.stop();
      await app.flush();
      await store.close();
    },
  };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: Application;
  /** The delivery hub, for other front-ends attached to this server (and their tests). */
  readonly hub: import('./delivery/hub.js').Hub;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly logger?: Logger;
  /** Where the one-time administrator password is shown (never the log). */
  readonly announce?: (line: string) => void;
}

/**
 * Starts pchat: store, application, delivery hub, HTTP API and WebSocket endpoint. The
 * server-only modules (fastify, ws, pino, prom-client) are loaded here rather than at the
 * top, so that administrator commands, which only need openApplication, start quickly.
 */
export async function startServer(config: Config, options: ServeOptions = {}): Promise<RunningServer> {
  const [{ createLogger }, { createMetrics }, { Hub }, { buildHttpServer, tokenOf }, { attachWebSocket }] = await Promise.all([
    import('./observability/logger.js'),
    import('./observability/metrics.js'),
    import('./delivery/hub.js'),
    import('./protocols/http/server.js'),
    import('./protocols/ws/server.js'),
  ]);
  const logger = options.logger ?? createLogger(config.log.level);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const local = await openApplication(config, 'server', logger);
  const { app, bus } = local;
  await bus.start();
  const admin = await ensureAdministrator(app.context, config.admin.password);
  if (admin?.generatedPassword) {
    announce(`Created administrator "${admin.login}" with one-time password: ${admin.generatedPassword}`);
    announce('Sign in and change it (PATCH /api/v1/users/<id>), or set PCHAT_ADMIN_PASSWORD before the first start.');
  } else if (admin) {
    announce(`Created administrator "${admin.login}" with the password from the configuration.`);
  }

  const metrics = createMetrics();
  const hub = new Hub(bus);
  const http = buildHttpServer({
    app,
    logger,
    metrics,
    maxBodyBytes: config.http.maxBodyBytes,
    version: VERSION,
    health: () => ({ connections: { websocket: hub.connections() } }),
  });
  const ws = attachWebSocket(http.server, {
    app,
    hub,
    logger,
    metrics,
    sendQueueBytes: config.websocket.sendQueueBytes,
    maxFrameBytes: config.websocket.maxFrameBytes,
    authTimeoutSeconds: config.websocket.authTimeoutSeconds,
    tokenOf,
  });
  await http.listen({ host: config.http.host, port: config.http.port });
  const { port } = http.server.address() as AddressInfo;
  const shownHost = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, database: redactedDatabase(config.database as string), version: VERSION }, 'pchat is serving');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    app,
    hub,
    logger,
    close: () =>
      (closing ??= (async () => {
        await ws.close();
        await http.close();
        await local.close();
      })()),
  };
}
