import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type ConnectionGate, refusalText } from '../connections.js';

/** How long a client may take over each part of a request. See the README's Limits. */
export interface HttpTimeouts {
  /** The request line and headers must have arrived within this long (Node's headersTimeout); a silent connection is closed then too. */
  readonly headersTimeoutSeconds: number;
  /** A connection with no byte in either direction for this long is closed (a stalled body, a stalled download). */
  readonly idleTimeoutSeconds: number;
  /** An idle keep-alive connection between requests is closed after this long. */
  readonly keepAliveTimeoutSeconds: number;
  /** From headersTimeoutSeconds after it began, a request's body must have come at this average rate at least; 0 switches it off. */
  readonly minBodyBytesPerSecond: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutSeconds: 10, idleTimeoutSeconds: 30, keepAliveTimeoutSeconds: 5, minBodyBytesPerSecond: 4096 };

/** The Fastify (and Node http.Server) options that carry the timeouts. */
export function fastifyTimeoutOptions(t: HttpTimeouts) {
  return {
    connectionTimeout: t.idleTimeoutSeconds * 1000,
    keepAliveTimeout: t.keepAliveTimeoutSeconds * 1000,
    // The whole request has no time limit (a large upload on a slow link); its body's rate has one.
    requestTimeout: 0,
    // Node checks the headers timeout every connectionsCheckingInterval (30 s by default): often enough to honour a short one.
    http: { requestTimeout: 0, headersTimeout: t.headersTimeoutSeconds * 1000, connectionsCheckingInterval: Math.min(1000, t.headersTimeoutSeconds * 250) },
  };
}

interface BodyUnderWay {
  readonly request: IncomingMessage;
  readonly socket: Socket;
  readonly startedAt: number;
  readonly bytesAtStart: number;
}

/**
 * Counts the HTTP server's connections through the gate (a refused one gets a 503 at once and is
 * closed; the route hooks ignore whatever it sends: see `isRefused`), marks a connection
 * evictable while no request is under way on it, and cuts off request bodies that arrive too
 * slowly.
 */
export function guardConnections(server: Server, gate: ConnectionGate | undefined, timeouts: HttpTimeouts): void {
  /** Requests under way per connection (one after the other, or several when pipelined). */
  const underWay = new WeakMap<Socket, number>();
  if (gate) {
    server.on('connection', (socket: Socket) => {
      const admitted = gate.admit(socket, 'http');
      if ('refused' in admitted) {
        const body = `${refusalText(admitted.refused)}.\n`;
        socket.on('error', () => socket.destroy());
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        setTimeout(() => socket.destroy(), 2000).unref();
        return;
      }
      admitted.ticket.evictable = () => !underWay.get(socket);
    });
  }

  const bodies = new Set<BodyUnderWay>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    underWay.set(socket, (underWay.get(socket) ?? 0) + 1);
    response.once('close', () => underWay.set(socket, (underWay.get(socket) ?? 1) - 1));
    const hasBody = (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0') || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody || timeouts.minBodyBytesPerSecond <= 0) return;
    const entry: BodyUnderWay = { request, socket, startedAt: Date.now(), bytesAtStart: socket.bytesRead };
    bodies.add(entry);
    response.once('close', () => bodies.delete(entry));
  });
  if (timeouts.minBodyBytesPerSecond <= 0) return;
  const graceMs = timeouts.headersTimeoutSeconds * 1000;
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const entry of bodies) {
      if (entry.request.complete || entry.socket.destroyed) {
        bodies.delete(entry);
        continue;
      }
      const elapsed = now - entry.startedAt;
      if (elapsed < graceMs) continue;
      if (entry.socket.bytesRead - entry.bytesAtStart < (timeouts.minBodyBytesPerSecond * elapsed) / 1000) {
        bodies.delete(entry);
        entry.socket.destroy();
      }
    }
  }, 1000);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}
