import type { Socket } from 'node:net';
import type { Application } from '../../app/index.js';
import type { Hub } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import { VERSION } from '../../version.js';
import { COMMANDS } from './commands/index.js';
import { type ConnectionGate, refusalText, type Ticket } from '../connections.js';
import { listenOnAll, type ListenAddress } from '../listeners.js';
import { IrcRegistry } from './registry.js';
import { type FloodControl, type IrcDeps, IrcSession } from './session.js';

/** PEM contents for TLS (the caller reads the files named in the configuration). */
export type IrcListen = ListenAddress;

export interface IrcOptions {
  readonly app: Application;
  readonly hub: Hub;
  readonly logger: Logger;
  readonly listen: readonly IrcListen[];
  /** The name the endpoint gives itself: the legacy server's name when it takes over its address. */
  readonly serverName?: string;
  readonly network?: string;
  readonly motd?: readonly string[] | null;
  /** Where pchat's web side is reached (http.publicUrl): file posts carry links there. Default http://localhost:8080. */
  readonly publicUrl?: string;
  /** Default 10 lines/s with bursts of 20; false switches it off (tests, trusted bridges). */
  readonly floodControl?: FloodControl | false;
  /** Bytes queued for a client before it is disconnected with ERROR. Default 1 MiB. */
  readonly sendQueueBytes?: number;
  /** Unregistered connections are closed after this long. Default 30 s. */
  readonly registrationTimeoutMs?: number;
  /** An unregistered connection that sends nothing for this long is closed. Default 10 s. */
  readonly unregisteredIdleMs?: number;
  /** Counts connections against the process's caps (total, per address); refused ones get ERROR. */
  readonly connections?: ConnectionGate;
  /** Idle time before the server PINGs, and again before it gives up. Default 90 s. */
  readonly pingIntervalMs?: number;
  readonly maxQueuedLines?: number;
  /** IRC guests' group (irc.guestGroup): null, every connection signs in. */
  readonly guestGroup?: string | null;
  /** The category where JOIN of a missing channel creates an open room (irc.createRoomsIn), or null. */
  readonly createRoomsIn?: string | null;
  /** Null to accept a new connection, else why not (a drained pool node): ERROR, then close. */
  readonly admission?: () => string | null;
}

export interface IrcEndpoint {
  readonly addresses: { host: string; port: number; tls: boolean }[];
  connections(): number;
  /** Ends every connection with ERROR :reason (the deployment was decommissioned). */
  disconnectAll(reason: string): void;
  close(): Promise<void>;
}

/** Starts the IRC endpoint on every address (plain or TLS). See docs/irc.md. */
export async function startIrcEndpoint(options: IrcOptions): Promise<IrcEndpoint> {
  const registry = new IrcRegistry();
  const serverName = options.serverName ?? 'pchat.local';
  const deps: IrcDeps = {
    app: options.app,
    hub: options.hub,
    logger: options.logger,
    serverName,
    network: options.network ?? 'pchat',
    version: VERSION,
    motd: options.motd ?? null,
    publicUrl: (options.publicUrl ?? 'http://localhost:8080').replace(/\/+$/, ''),
    floodControl: options.floodControl === undefined ? { linesPerSecond: 10, burst: 20 } : options.floodControl,
    sendQueueBytes: options.sendQueueBytes ?? 1024 * 1024,
    registrationTimeoutMs: options.registrationTimeoutMs ?? 30_000,
    maxQueuedLines: options.maxQueuedLines ?? 64,
    registry,
    commands: COMMANDS,
    guestGroup: options.guestGroup ?? null,
    createRoomsIn: options.createRoomsIn ?? null,
  };
  const pingIntervalMs = options.pingIntervalMs ?? 90_000;

  const refuse = (socket: Socket, reason: string): void => {
    socket.on('error', () => socket.destroy());
    // Read (and drop) what the client sends meanwhile: a paused socket never sees the client's
    // FIN, and a socket that never closes keeps the endpoint from closing.
    socket.resume();
    socket.end(`ERROR :${reason}\r\n`);
    setTimeout(() => socket.destroy(), 5000).unref();
  };
  const unregisteredIdleMs = options.unregisteredIdleMs ?? 10_000;

  const onSocket = (socket: Socket, _tls: boolean, ticket: Ticket | null): void => {
    const refused = options.admission?.();
    if (refused) return refuse(socket, refused);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const session = new IrcSession(socket, deps);
    registry.connections.add(session);
    // Until it registers, a connection may be closed to make room for others, and one that
    // stays silent is closed (the registration timeout bounds one that trickles).
    if (ticket) ticket.evictable = () => !session.registered;
    socket.setTimeout(unregisteredIdleMs, () => {
      if (session.registered) socket.setTimeout(0);
      else session.kill('Registration timed out');
    });
    socket.on('error', (error) => options.logger.debug({ err: error }, 'irc socket error'));
    socket.on('close', () => session.closedDown());
  };

  const gate = options.connections;
  const { addresses, close: closeListeners } = await listenOnAll(
    'irc',
    options.listen,
    options.logger,
    onSocket,
    gate && { gate, door: 'irc', refuse: (socket, reason) => refuse(socket, refusalText(reason)), handshakeTimeoutMs: unregisteredIdleMs },
  );
  options.logger.info({ addresses, serverName }, 'irc endpoint listening');

  // Idle clients are PINGed, and dropped if they stay silent for another interval.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const session of registry.connections) {
      if (now - session.lastActive < pingIntervalMs) continue;
      if (session.awaitingPong) session.kill('Ping timeout');
      else {
        session.awaitingPong = true;
        session.lastActive = now;
        session.writeRaw(`PING :${serverName}`);
      }
    }
  }, Math.max(1000, Math.min(pingIntervalMs, 30_000)));
  sweep.unref();

  return {
    addresses,
    connections: () => registry.connections.size,
    disconnectAll: (reason) => {
      for (const session of [...registry.connections]) session.kill(reason);
    },
    close: async () => {
      clearInterval(sweep);
      const closing = closeListeners();
      // The sessions of now: kill() takes each out of the registry a turn later, so the registry
      // would be empty by the time their sockets are to be destroyed, and a client that does not
      // close its side would hold the listener (and the shutdown) for the whole close grace.
      const open = [...registry.connections];
      for (const session of open) session.kill('Server shutting down');
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const session of open) session.socket.destroy();
      await closing;
    },
  };
}
