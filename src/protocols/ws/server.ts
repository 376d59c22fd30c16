import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import { PchatError } from '../../core/errors.js';
import { isWellFormedText, NOT_UTF8 } from '../../core/validation.js';
import { decodeUtf8Marked } from '../text.js';
import type { ConnectionGate } from '../connections.js';
import { COMMANDS } from './commands.js';
import { WS_CLOSE, type WsDeps, WsSession } from './session.js';

export const WS_PATH = '/api/v1/ws';

/**
 * Commands one connection may have under way at once. Beyond it the server stops reading
 * that socket until half have finished: a flooding client gets TCP backpressure, not an
 * ever-growing share of the server.
 */
export const MAX_IN_FLIGHT = 256;

export interface WsOptions extends WsDeps {
  readonly maxFrameBytes: number;
  readonly authTimeoutSeconds: number;
  /** Reads the session token from the upgrade request's headers (cookie or bearer). */
  readonly tokenOf: (headers: IncomingMessage['headers']) => string | undefined;
  /** Null to accept a new connection, else why not (a drained pool node): answered with 503. */
  readonly admission?: () => string | null;
  /** The process's connection caps: the HTTP server counts the connection, an upgrade moves it to the WebSocket door. */
  readonly connections?: ConnectionGate;
}

export interface WsEndpoint {
  connections(): number;
  /** Closes every connection with code 4003 and `reason` (the deployment was decommissioned). */
  disconnectAll(reason: string): void;
  close(): Promise<void>;
}

function reject(socket: Duplex, status: number, reason: string, body = ''): void {
  const length = Buffer.byteLength(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n${body}`);
}

/** Serves the real-time protocol on the HTTP server's upgrade path. See docs/websocket.md. */
export function attachWebSocket(server: Server, options: WsOptions): WsEndpoint {
  const { app, hub, logger, metrics } = options;
  // No per-message compression: its zlib state costs ~300 KB per connection.
  // UTF-8 is checked here rather than by ws, so that the refusal carries pchat's code and words.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: true, skipUTF8Validation: true });
  const sessions = new Set<WsSession>();

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Refused at accept: the 503 is on its way already.
    if (options.connections?.isRefused(socket as Socket)) return;
    const path = (request.url ?? '').split('?')[0];
    if (path !== WS_PATH) return reject(socket, 404, 'Not Found');
    // A drained node keeps its sessions but takes no new ones; the client tries another node.
    const refused = options.admission?.();
    if (refused) return reject(socket, 503, 'Service Unavailable', refused);
    socket.on('error', () => socket.destroy());
    const token = options.tokenOf(request.headers);
    const accept = (userId: number, sessionId: number) =>
      wss.handleUpgrade(request, socket, head, (ws) => {
        const session = new WsSession(ws, options, socket);
        session.userId = userId;
        session.sessionId = sessionId;
        const ticket = options.connections?.ticketOf(socket as Socket);
        if (ticket) {
          options.connections?.moveTo(ticket, 'websocket');
          // Until it authenticates, it may be closed to make room for others.
          ticket.evictable = () => !session.authenticated;
        }
        onConnection(session);
      });
    if (!token) return accept(0, 0);
    app.sessions.authenticateSession(token).then(
      (signedIn) => accept(signedIn.actor.userId, signedIn.sessionId),
      () => reject(socket, 401, 'Unauthorized'),
    );
  });

  const onConnection = (session: WsSession): void => {
    const ws = session.ws;
    sessions.add(session);
    hub.connect(session);
    metrics.wsConnections.inc();
    if (session.authenticated) void greet(session);
    else {
      const timer = setTimeout(() => {
        if (!session.authenticated) ws.close(WS_CLOSE.authTimeout, 'Authenticate first: send {"type":"auth","token":...}.');
      }, options.authTimeoutSeconds * 1000);
      ws.once('close', () => clearTimeout(timer));
    }
    ws.on('pong', () => {
      session.alive = true;
      app.accounts.used(session.sessionId);
    });
    let inFlight = 0;
    ws.on('message', (data, isBinary) => {
      app.accounts.used(session.sessionId);
      if (++inFlight >= MAX_IN_FLIGHT) ws.pause();
      void handle(session, data, isBinary).finally(() => {
        if (--inFlight < MAX_IN_FLIGHT / 2 && ws.isPaused) ws.resume();
      });
    });
    ws.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
    ws.on('close', () => {
      sessions.delete(session);
      hub.disconnect(session);
      metrics.wsConnections.dec();
      for (const roomId of session.joinedRooms()) void app.messages.leave({ userId: session.userId }, roomId).catch(() => undefined);
    });
  };

  const greet = async (session: WsSession): Promise<void> => {
    try {
      const actor = await app.sessions.actorFor(session.userId);
      const user = await app.users.get(actor, actor.userId);
      // Subscribed to its direct conversations before `ready`, so nothing said after it is missed.
      await session.watchDirect();
      session.send({ type: 'ready', user: { id: user.id, login: user.login, displayName: user.displayName } });
    } catch (error) {
      session.sendError(error, undefined);
      session.ws.close(WS_CLOSE.signedOut, 'Not signed in.');
    }
  };

  const handle = async (session: WsSession, data: RawData, isBinary: boolean): Promise<void> => {
    let ref: unknown;
    try {
      if (isBinary) throw new PchatError('invalid_input', 'Send text frames holding one JSON object each.');
      const text = decodeUtf8Marked(rawBytes(data));
      if (!isWellFormedText(text)) {
        // RFC 6455 8.1: a text frame that is not UTF-8 fails the connection (1007); the reason
        // carries the one text rule's code and words, as every other door answers these bytes.
        session.ws.close(INVALID_FRAME_DATA, `invalid_input: ${NOT_UTF8}`);
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch (error) {
        throw new PchatError('malformed_json', `The frame is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
        throw new PchatError('invalid_input', 'A frame must be a JSON object with a "type".', { field: 'type' });
      }
      const { type, ref: frameRef, ...payload } = frame as Record<string, unknown>;
      if (typeof frameRef === 'string' || typeof frameRef === 'number') ref = frameRef;
      else if (frameRef !== undefined) throw new PchatError('invalid_input', '"ref" must be a string or a number.', { field: 'ref' });
      const command = typeof type === 'string' ? COMMANDS[type] : undefined;
      if (!command || !Object.hasOwn(COMMANDS, type as string)) {
        throw new PchatError('invalid_input', `Unknown frame type ${JSON.stringify(type)}; known: ${Object.keys(COMMANDS).join(', ')}.`, { field: 'type' });
      }
      if (command.needsAuth && !session.authenticated) throw new PchatError('unauthenticated', 'Authenticate first: send {"type":"auth","token":...}.');
      await command.run(session, payload, ref, options);
    } catch (error) {
      session.sendError(error, ref);
    }
  };

  // Dead peers (no pong within a period) are dropped so they cannot pin memory. The sweep
  // yields every few hundred sockets so that 10,000 pings do not stall delivery.
  const sweep = async (): Promise<void> => {
    let visited = 0;
    for (const session of [...sessions]) {
      if (!session.alive) session.ws.terminate();
      else {
        session.alive = false;
        session.ws.ping();
      }
      if (++visited % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const heartbeat = setInterval(() => void sweep(), 30_000);
  heartbeat.unref();

  return {
    connections: () => sessions.size,
    disconnectAll: (reason) => {
      for (const session of sessions) session.ws.close(WS_CLOSE.decommissioned, reason);
    },
    close: async () => {
      clearInterval(heartbeat);
      for (const session of sessions) session.ws.close(1001, 'The server is shutting down.');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** RFC 6455's close code for a text frame that is not UTF-8. */
const INVALID_FRAME_DATA = 1007;

/** A message's bytes as one buffer, whatever form ws delivered them in. */
function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
