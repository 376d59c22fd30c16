import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ensureAdministrator } from './app/bootstrap.js';
import { type Application, createApplication } from './app/index.js';
import { type Config, redactedDatabase } from './config/schema.js';
import { listenFailure } from './config/listenError.js';
import { ConnectionGate, countedIn, defaultMaxConnections } from './protocols/connections.js';
import { sipCredentialKey } from './config/secretKey.js';
import { openStore } from './stores.js';
import { LocalEventBus, SharedEventBus } from './delivery/eventBus.js';
import { MessageRelay } from './delivery/messageRelay.js';
import { PoolNode } from './app/poolNode.js';
import { ComplianceExportSchedule, type ExportPoint } from './app/complianceExport.js';
import { openBatchDirectory } from './storage/exportFiles/batchDirectory.js';
import type { Logger } from './observability/logger.js';
import { systemClock } from './ports/events.js';
import type { Store } from './ports/store.js';
import type { IrcEndpoint, IrcListen } from './protocols/irc/server.js';
import type { SipEndpoint } from './protocols/sip/server.js';
import { VERSION } from './version.js';

/** A unique name for this process in the shared event log. */
export const nodeName = (role: string): string => `${role}@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

// The stores live in stores.ts, which worker threads load without the rest of the server.
export { openSpoolWriter, openStore } from './stores.js';

export interface LocalApp {
  readonly app: Application;
  readonly bus: SharedEventBus;
  readonly store: Store;
  close(): Promise<void>;
}

/** The application over the configured store, publishing to the shared event log (used by the CLI and by serve). */
export async function openApplication(config: Config, role: string, logger?: Logger): Promise<LocalApp> {
  // The key that encrypts NT hashes for SIP NTLM: loaded (created when missing) when SIP listens
  // or the key file exists, so the CLI of a SIP deployment keeps them in step too; else null.
  const key = sipCredentialKey(config);
  const store = await openStore(config);
  const local = new LocalEventBus(logger);
  const name = nodeName(role);
  // In a pool, messages committed by other nodes arrive through the relay (see MessageRelay).
  const relay = store.signal ? new MessageRelay(store, store.signal, name, (event) => local.dispatch(event), logger) : null;
  const bus = new SharedEventBus(local, store.events, name, logger, relay);
  const app = createApplication({
    store,
    bus,
    clock: systemClock,
    sipCredentialKey: key,
    signInThrottle: config.signInThrottle,
    minPasswordLength: config.accounts.minPasswordLength,
    sessionPolicy: { lifetimeMs: config.sessions.lifetimeHours * 3_600_000, idleMs: config.sessions.idleHours * 3_600_000 },
  });
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
  /** The addresses the IRC endpoint listens on (empty when IRC is off). */
  readonly irc: readonly { host: string; port: number; tls: boolean }[];
  /** The addresses the SIP endpoint listens on (empty when SIP is off, the default). */
  readonly sip: readonly { host: string; port: number; tls: boolean }[];
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
  const [{ createLogger }, { createMetrics }, { Hub }, { buildHttpServer, tokenOf }, { attachWebSocket }, { startIrcEndpoint }] = await Promise.all([
    import('./observability/logger.js'),
    import('./observability/metrics.js'),
    import('./delivery/hub.js'),
    import('./protocols/http/server.js'),
    import('./protocols/ws/server.js'),
    import('./protocols/irc/server.js'),
  ]);
  // The SIP endpoint's modules load only when it is on (it is off by default).
  const sipModules = config.sip.listen.length > 0 ? await Promise.all([import('./protocols/sip/server.js'), import('./protocols/sip/ntlmAuth.js'), import('./protocols/sip/auth.js')]) : null;
  const logger = options.logger ?? createLogger(config.log.level);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const local = await openApplication(config, 'server', logger);
  // Whatever started is stopped again if a later step fails (a port in use, a bad certificate).
  const started: (() => Promise<void>)[] = [() => local.close()];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch((error: unknown) => logger.error({ err: error }, 'stopping failed'));
  };
  try {
    const { app, bus } = local;
    await bus.start();
    // Topic feeds match in the serving process only (the CLI never loads the filters).
    await app.feeds.matcher.start(logger);
    const admin = await ensureAdministrator(app.context, config.admin.password);
    if (admin?.generatedPassword) {
      announce(`Created administrator "${admin.login}" with one-time password: ${admin.generatedPassword}`);
      announce('The first sign-in asks for a new password (web client, or POST /api/v1/me/password); or set PCHAT_ADMIN_PASSWORD before the first start.');
    } else if (admin) {
      announce(`Created administrator "${admin.login}" with the password from the configuration.`);
    }

    const metrics = createMetrics();
    // One count of open connections for every door: a total below the open-file limit, and a share per address.
    const limits = { maxConnections: config.limits.maxConnections ?? defaultMaxConnections(), perAddress: config.limits.perAddress };
    const connections = new ConnectionGate(limits, countedIn(metrics, limits));
    const hub = new Hub(bus);
    await bus.relay?.start((roomId) => hub.watching(roomId));
    let irc: IrcEndpoint | null = null;
    let sip: SipEndpoint | null = null;
    // Registered once the HTTP port is known (it names the node); until then it admits everyone.
    let node: PoolNode | null = null;
    const admission = () => node?.admission() ?? null;
    const http = buildHttpServer({
      app,
      logger,
      metrics,
      maxBodyBytes: config.http.maxBodyBytes,
      metricsAccess: config.metrics,
      trustedProxies: config.http.trustedProxies,
      version: VERSION,
      // This file runs from dist/src/; the web client is built into web/dist/ (npm start builds it).
      webRoot: fileURLToPath(new URL('../../web/dist', import.meta.url)),
      health: async () => ({
        connections: { websocket: ws.connections(), irc: irc?.connections() ?? 0, sip: sip?.connections() ?? 0 },
        node: node?.identity.name ?? null,
        active: node?.isActive() ?? true,
        maintenance: (await app.directory.snapshot()).maintenance,
        decommissioned: node?.decommissioned() ?? null,
        // The addresses the line protocols listen on, so a migration's cut-over can tell this server from another holder.
        listening: { irc: irc?.addresses ?? [], sip: sip?.addresses ?? [] },
      }),
      refusal: () => node?.decommissioned() ?? null,
      connections,
      timeouts: config.http,
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
      admission,
      connections,
    });
    started.push(() => http.close(), () => ws.close());
    await http.listen({ host: config.http.host, port: config.http.port }).catch((error: unknown) => {
      throw listenFailure(error, 'http', config.http);
    });
    // Accept errors (EMFILE) are reported on the server; without a listener they would end the process.
    http.server.on('error', (error) => logger.error({ err: error }, 'http listener error'));
    const publicUrl = config.http.publicUrl ?? defaultPublicUrl(config.http.host, (http.server.address() as AddressInfo).port);
    if (config.irc.listen.length > 0) {
      irc = await startIrcEndpoint({
        app,
        hub,
        logger,
        listen: await Promise.all(config.irc.listen.map(readTls)),
        serverName: config.irc.serverName,
        network: config.irc.network,
        motd: config.irc.motd,
        publicUrl,
        floodControl: config.irc.floodControl,
        sendQueueBytes: config.irc.sendQueueBytes,
        registrationTimeoutMs: config.irc.registrationTimeoutSeconds * 1000,
        unregisteredIdleMs: config.irc.unregisteredIdleSeconds * 1000,
        pingIntervalMs: config.irc.pingIntervalSeconds * 1000,
        guestGroup: config.irc.guestGroup,
        createRoomsIn: config.irc.createRoomsIn,
        admission,
        connections,
      }).catch((error: unknown) => {
        throw listenFailure(error, 'irc', config.irc.listen[0] as { host: string; port: number });
      });
      const endpoint = irc;
      started.push(() => endpoint.close());
    }
    if (sipModules) {
      const [{ startSipEndpoint }, { ntlmAuthentication }, { noAuthentication }] = sipModules;
      const { sip: settings } = config;
      sip = await startSipEndpoint({
        app,
        hub,
        logger,
        listen: await Promise.all(settings.listen.map(readTls)),
        domains: settings.domains,
        serverName: settings.serverName,
        publicUrl,
        authenticator: settings.auth === 'ntlm' ? () => ntlmAuthentication(app, settings.serverName) : noAuthentication,
        maxMessageBytes: settings.maxMessageBytes,
        sendQueueBytes: settings.sendQueueBytes,
        registerExpiresSeconds: settings.registerExpiresSeconds,
        sessionExpiresSeconds: settings.sessionExpiresSeconds,
        registrationTimeoutMs: settings.registrationTimeoutSeconds * 1000,
        admission,
        connections,
      }).catch((error: unknown) => {
        throw listenFailure(error, 'sip', settings.listen[0] as { host: string; port: number });
      });
      const endpoint = sip;
      started.push(() => endpoint.close());
    }
    const { port } = http.server.address() as AddressInfo;
    const counts = () => ({ websocket: ws.connections(), irc: irc?.connections() ?? 0 });
    const member = new PoolNode(app.context.store.nodes, bus, systemClock, { name: `${hostname()}:${port}`, host: hostname(), pid: process.pid }, counts, logger, app.context.store.settings, (message) => {
      // New connections are refused through admission(); the ones already open end here.
      ws.disconnectAll(message);
      irc?.disconnectAll(message);
      sip?.disconnectAll(message);
    });
    await member.start();
    node = member;
    started.push(async () => member.stop());
    const complianceExport = await startComplianceExport(config, app, member.identity.name, logger);
    if (complianceExport) started.push(() => complianceExport.stop());
    // The orphan sweep deletes the bytes of files whose messages are gone: a minute after start, then hourly.
    const sweepFiles = () => {
      app.files.sweepOrphans().then(
        (result) => logger.debug(result, 'file sweep done'),
        (error: unknown) => logger.error({ err: error }, 'file sweep failed'),
      );
    };
    const firstSweep = setTimeout(sweepFiles, 60_000).unref();
    const sweeps = setInterval(sweepFiles, 60 * 60_000).unref();
    started.push(async () => {
      clearTimeout(firstSweep);
      clearInterval(sweeps);
      await app.files.sweepIdle();
    });
    const shownHost = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
    const url = `http://${shownHost}:${port}`;
    logger.info({ url, irc: irc?.addresses ?? [], sip: sip?.addresses ?? [], limits, database: redactedDatabase(config.database as string), version: VERSION }, 'pchat is serving');

    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      irc: irc?.addresses ?? [],
      sip: sip?.addresses ?? [],
      app,
      hub,
      logger,
      close: () => (closing ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** http.publicUrl when not configured: http://<host>:<port>, the machine's name for the any-address hosts. */
export function defaultPublicUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

/**
 * The scheduled compliance export into a directory (config `compliance.export`), or null when it
 * is off. The lease owner is the pool node's name, so a restarted node takes its lease back at once.
 * PCHAT_TEST_COMPLIANCE_EXPORT_KILL=<point>[:<n>] (tests only) kills the process with SIGKILL the
 * n-th time (default 1) a batch reaches that point: claimed, written, renamed or advanced.
 */
async function startComplianceExport(config: Config, app: Application, owner: string, logger: Logger): Promise<ComplianceExportSchedule | null> {
  const settings = config.compliance.export;
  if (!settings) return null;
  const directory = await openBatchDirectory(resolvePath(settings.directory));
  const [point, nth] = (process.env.PCHAT_TEST_COMPLIANCE_EXPORT_KILL ?? '').split(':');
  let seen = 0;
  const hook = point ? (at: ExportPoint) => at === point && ++seen >= Number(nth ?? 1) && process.kill(process.pid, 'SIGKILL') : undefined;
  const schedule = new ComplianceExportSchedule(app.context.store, directory, {
    format: settings.format,
    intervalMs: settings.intervalSeconds * 1000,
    batchSize: settings.batchSize,
    leaseMs: settings.leaseSeconds * 1000,
    owner,
    log: logger,
    ...(hook && { hook }),
  });
  schedule.start();
  return schedule;
}

/** A listen entry as the IRC endpoint takes it: TLS certificate and key read from their files. */
async function readTls(entry: Config['irc']['listen'][number]): Promise<IrcListen> {
  if (!entry.tls) return { host: entry.host, port: entry.port };
  const [cert, key] = await Promise.all([readFile(entry.tls.certFile), readFile(entry.tls.keyFile)]);
  return { host: entry.host, port: entry.port, tls: { cert, key } };
}
