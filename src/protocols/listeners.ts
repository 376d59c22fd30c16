import { createServer as createPlainServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../observability/logger.js';

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

/**
 * Listens on every address, plain TCP or TLS, handing each accepted socket to `onSocket` with
 * whether it is TLS. All or nothing: if one address cannot be bound (in use, no permission),
 * those already bound are closed again and the error is thrown.
 */
export async function listenOnAll(protocol: string, listen: readonly ListenAddress[], logger: Logger, onSocket: (socket: Socket, tls: boolean) => void): Promise<Listeners> {
  const servers: Server[] = [];
  const addresses: Listeners['addresses'] = [];
  const closeAll = () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))).then(() => undefined);
  try {
    for (const l of listen) {
      const server = l.tls ? createTlsServer({ cert: l.tls.cert, key: l.tls.key }, (s) => onSocket(s, true)) : createPlainServer((s) => onSocket(s, false));
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
