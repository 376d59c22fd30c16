import { createServer as createPlainServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../observability/logger.js';
import type { ConnectionGate, Door, RefusalReason, Ticket } from './connections.js';

/** An address a line-protocol endpoint (IRC, SIP) listens on; PEM contents for TLS. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface Listeners {
  readonly addresses: { host: string; port: number; tls: boolean }[];
  /** Stops accepting; resolves once every listener is closed (open connections are the caller's). */
  close(): Promise<void>;
}

/** Connection accounting for a line protocol's listeners. */
export interface ListenGate {
  readonly gate: ConnectionGate;
  readonly door: Door;
  /** Answers a plain-TCP connection the gate refused (e.g. an IRC ERROR line), then ends it. TLS ones are closed before the handshake. */
  readonly refuse: (socket: Socket, reason: RefusalReason) => void;
  /** A TLS handshake that takes longer is abandoned (Node's default is two minutes). */
  readonly handshakeTimeoutMs: number;
}

/** A live TCP connection's name (its four addresses), the same on the raw socket and on the TLS socket over it. */
const connectionKey = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;

/**
 * Listens on every address, plain TCP or TLS, handing each accepted socket to `onSocket` with
 * whether it is TLS and, with a gate, its ticket. The gate counts the raw TCP connection as soon
 * as it is accepted, before any TLS handshake. All or nothing: if one address cannot be bound
 * (in use, no permission), those already bound are closed again and the error is thrown.
 */
export async function listenOnAll(
  protocol: string,
  listen: readonly ListenAddress[],
  logger: Logger,
  onSocket: (socket: Socket, tls: boolean, ticket: Ticket | null) => void,
  limits?: ListenGate,
): Promise<Listeners> {
  const servers: Server[] = [];
  const addresses: Listeners['addresses'] = [];
  const closeAll = () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))).then(() => undefined);
  try {
    for (const l of listen) {
      const server = l.tls ? tlsServer(l.tls, onSocket, limits) : plainServer(onSocket, limits);
      // A failed TLS handshake must not take anything else down.
      server.on('tlsClientError', (error: Error) => logger.debug({ err: error }, `${protocol} tls handshake failed`));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, l.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (error) => logger.error({ err: error }, `${protocol} listener error`));
      servers.push(server);
      const address = server.address() as AddressInfo;
      addresses.push({ host: address.address, port: address.port, tls: Boolean(l.tls) });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  return { addresses, close: closeAll };
}

function plainServer(onSocket: (socket: Socket, tls: boolean, ticket: Ticket | null) => void, limits: ListenGate | undefined): Server {
  return createPlainServer((socket) => {
    if (!limits) return onSocket(socket, false, null);
    const admitted = limits.gate.admit(socket, limits.door);
    if ('refused' in admitted) return limits.refuse(socket, admitted.refused);
    onSocket(socket, false, admitted.ticket);
  });
}

function tlsServer(tls: NonNullable<ListenAddress['tls']>, onSocket: (socket: Socket, tls: boolean, ticket: Ticket | null) => void, limits: ListenGate | undefined): Server {
  const handshaking = new Map<string, Ticket>();
  const server = createTlsServer({ cert: tls.cert, key: tls.key, ...(limits && { handshakeTimeout: limits.handshakeTimeoutMs }) }, (socket) => {
    const key = connectionKey(socket);
    const ticket = handshaking.get(key) ?? null;
    handshaking.delete(key);
    onSocket(socket, true, ticket);
  });
  if (limits) {
    // Counted before the handshake: a flood of connections that never say hello is counted too.
    server.on('connection', (raw: Socket) => {
      const admitted = limits.gate.admit(raw, limits.door);
      if ('refused' in admitted) {
        raw.destroy();
        return;
      }
      const key = connectionKey(raw);
      handshaking.set(key, admitted.ticket);
      raw.once('close', () => handshaking.delete(key));
    });
  }
  return server;
}
