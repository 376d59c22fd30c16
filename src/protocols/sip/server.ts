import type { Socket } from 'node:net';
import type { Application } from '../../app/index.js';
import type { Hub } from '../../delivery/hub.js';
import type { Logger } from '../../observability/logger.js';
import type { ConnectionGate, Ticket } from '../connections.js';
import { listenOnAll, type ListenAddress } from '../listeners.js';
import type { SipAuthenticator } from './auth.js';
import { SipConnection } from './connection.js';
import { SipNames } from './xccos/uris.js';

/** PEM contents for TLS (the caller reads the files named in the configuration). */
export type SipListen = ListenAddress;

export interface SipOptions {
  readonly app: Application;
  readonly hub: Hub;
  readonly logger: Logger;
  readonly listen: readonly SipListen[];
  readonly domains: readonly string[];
  readonly serverName: string;
  /** Where pchat's web side is reached (http.publicUrl), for file links. */
  readonly publicUrl?: string;
  /** A fresh authenticator per connection (NTLM keeps per-connection state). */
  readonly authenticator: () => SipAuthenticator;
  readonly maxMessageBytes?: number;
  readonly sendQueueBytes?: number;
  readonly registerExpiresSeconds?: number;
  readonly sessionExpiresSeconds?: number;
  readonly registrationTimeoutMs?: number;
  /** Why new connections are refused right now (a drained pool node), or null. */
  readonly admission?: () => string | null;
  /** Counts connections against the process's caps (total, per address); refused ones are closed. */
  readonly connections?: ConnectionGate;
}

export interface SipEndpoint {
  readonly addresses: readonly { host: string; port: number; tls: boolean }[];
  connections(): number;
  disconnectAll(reason: string): void;
  close(): Promise<void>;
}

/** Starts the SIP endpoint for Lync/OCS group chat clients on every configured address. */
export async function startSipEndpoint(options: SipOptions): Promise<SipEndpoint> {
  const connections = new Set<SipConnection>();
  const names = new SipNames(options.domains, (options.publicUrl ?? 'http://localhost:8080').replace(/\/+$/, ''));
  const deps = {
    app: options.app,
    hub: options.hub,
    logger: options.logger,
    names,
    serverName: options.serverName,
    authenticator: options.authenticator,
    maxMessageBytes: options.maxMessageBytes ?? 1_048_576,
    sendQueueBytes: options.sendQueueBytes ?? 4_194_304,
    registerExpiresSeconds: options.registerExpiresSeconds ?? 900,
    sessionExpiresSeconds: options.sessionExpiresSeconds ?? 3600,
    registrationTimeoutMs: options.registrationTimeoutMs ?? 30_000,
    onClosed: (connection: SipConnection) => connections.delete(connection),
  };

  const onSocket = (socket: Socket, tls: boolean, ticket: Ticket | null): void => {
    socket.on('error', (error) => options.logger.debug({ err: error }, 'sip socket error'));
    const refused = options.admission?.();
    if (refused) {
      // A drained node: the client tries the next address of its server list.
      socket.resume();
      socket.end();
      setTimeout(() => socket.destroy(), 5000).unref();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const connection = new SipConnection(socket, deps, tls ? 'TLS' : 'TCP');
    connections.add(connection);
    // Until it registers, a connection may be closed to make room for others.
    if (ticket) ticket.evictable = () => !connection.registered;
    socket.on('close', () => connection.closedDown());
  };

  const gate = options.connections;
  // A refused client gets no SIP answer (it has sent no request yet): the connection is closed, and it tries the next server.
  const refuse = (socket: Socket): void => void socket.destroy();
  const { addresses, close: closeListeners } = await listenOnAll('sip', options.listen, options.logger, onSocket, gate && { gate, door: 'sip', refuse, handshakeTimeoutMs: deps.registrationTimeoutMs });
  options.logger.info({ addresses, domains: options.domains, serverName: options.serverName }, 'sip endpoint listening');

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) connection.sweep(now);
  }, 5000);
  sweep.unref();

  return {
    addresses,
    connections: () => connections.size,
    disconnectAll: (reason) => {
      for (const connection of [...connections]) connection.close(reason);
    },
    close: async () => {
      clearInterval(sweep);
      const closing = closeListeners();
      for (const connection of [...connections]) connection.close('server shutting down');
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const connection of [...connections]) connection.socket.destroy();
      await closing;
    },
  };
}
