import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Application } from '../../app/index.js';
import { ANONYMOUS_ACTOR } from '../../app/context.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { decodeUtf8Marked } from '../text.js';
import type { ConnectionGate } from '../connections.js';
import { DEFAULT_HTTP_TIMEOUTS, fastifyTimeoutOptions, guardConnections, type HttpTimeouts } from './connectionGuard.js';
import { toHttpError } from './errors.js';
import { metricsGate, type MetricsAccess } from './metricsAccess.js';
import { openApiDocument } from './openapi.js';
import type { Route } from './route.js';
import { registerWebClient } from './web.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { directRoutes } from './routes/direct.js';
import { cutOffUpload, fileRoutes } from './routes/files.js';
import { readingRoutes } from './routes/reading.js';
import { reactionRoutes } from './routes/reactions.js';
import { feedRoutes } from './routes/feeds.js';
import { mentionRoutes } from './routes/mentions.js';
import { roomRoutes } from './routes/rooms.js';
import { scopeRoutes } from './routes/scope.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/sessions.js';

export const API_ROUTES: readonly Route[] = [...sessionRoutes, ...accountRoutes, ...roomRoutes, ...reactionRoutes, ...directRoutes, ...fileRoutes, ...adminRoutes, ...readingRoutes, ...feedRoutes, ...mentionRoutes, ...scopeRoutes];

export interface HttpOptions {
  readonly app: Application;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly maxBodyBytes: number;
  readonly version: string;
  /** The built web client (web/dist), served at `/`. */
  readonly webRoot?: string;
  /** Extra health facts, e.g. connection counts. */
  readonly health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Null to serve requests, else why every request is refused (a decommissioned deployment): 503. */
  readonly refusal?: () => string | null;
  /** The process's connection caps (total, per address); a refused connection gets a 503 at once. */
  readonly connections?: ConnectionGate;
  /** Header, idle and body-rate limits; defaults in DEFAULT_HTTP_TIMEOUTS. */
  readonly timeouts?: HttpTimeouts;
  /** Who may read /metrics (config `metrics`); by default loopback clients only. */
  readonly metricsAccess?: MetricsAccess;
  /** Reverse proxies whose X-Forwarded-For names the client (`request.ip`); none by default. */
  readonly trustedProxies?: readonly string[];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The session token from `Authorization: Bearer …` or the session cookie. */
export function tokenOf(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

export function buildHttpServer(options: HttpOptions): FastifyInstance {
  const { app, logger, metrics } = options;
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const trustProxy = options.trustedProxies && options.trustedProxies.length > 0 ? [...options.trustedProxies] : false;
  // maxParamLength: a reaction's emoji is a path segment, up to 64 UTF-16 units, each up to 9
  // characters URL-encoded (a family emoji is 105): the router's default of 100 would answer 404.
  const server = Fastify({ bodyLimit: options.maxBodyBytes, logger: false, return503OnClosing: true, trustProxy, routerOptions: { maxParamLength: 600 }, ...fastifyTimeoutOptions(timeouts) });
  guardConnections(server.server, options.connections, timeouts);
  // A connection refused at accept has its 503 already: whatever it sends is not served.
  const gate = options.connections;
  if (gate) server.addHook('onRequest', async (request, reply) => void (gate.isRefused(request.raw.socket) && reply.hijack()));

  server.setErrorHandler((error, request, reply) => {
    const { status, body, unexpected, retryAfterSeconds } = toHttpError(error);
    if (unexpected) logger.error({ err: error, method: request.method, url: request.routeOptions.url }, 'request failed');
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    void reply.status(status).send(body);
  });
  // JSON bodies are decoded without replacing anything: bytes that are not UTF-8 reach the
  // application marked (protocols/text.ts), which refuses them as every door does. Parsing
  // itself stays fastify's (with its __proto__ and constructor checks).
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => parseJson(request, decodeUtf8Marked(body as Buffer), done));
  const webClient = options.webRoot
    ? registerWebClient(server, {
        root: options.webRoot,
        addinOrigins: async () => [...new Set([...(await app.directory.snapshot()).addins.values()].map((a) => new URL(a.url).origin))],
      })
    : null;
  server.setNotFoundHandler((request, reply) => {
    const page = webClient?.(request, reply);
    if (page) return page;
    void reply.status(404).send({ error: { code: 'not_found', message: 'No such endpoint. The API is described at /api/openapi.json.' } });
  });
  // A decommissioned deployment answers everything but /healthz with where to go instead: the
  // API as a JSON error, the web client's pages as a short HTML page a browser shows as is.
  server.addHook('onRequest', async (request, reply) => {
    const refused = options.refusal?.();
    if (!refused || request.url.split('?')[0] === '/healthz') return;
    if (request.url.startsWith('/api/')) return reply.status(503).send({ error: { code: 'decommissioned', message: refused } });
    return reply
      .status(503)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pchat has moved</title></head><body><h1>pchat has moved</h1><p id="decommissioned">${escapeHtml(refused)}</p></body></html>\n`);
  });
  server.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  const register = (scope: FastifyInstance, route: Route) =>
    scope.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const token = tokenOf(request.headers);
        // Authorization itself happens in the application layer; this only establishes who is asking.
        const session = route.auth ? await app.sessions.authenticateSession(token, { passwordChange: route.duringPasswordChange === true }) : null;
        const actor = session?.actor ?? ANONYMOUS_ACTOR;
        void reply.status(route.status ?? 200);
        const result = await route.handler({
          app,
          actor,
          params: request.params as Record<string, string>,
          query: (request.query ?? {}) as Record<string, unknown>,
          body: request.body,
          token,
          session,
          request,
          reply,
        });
        return result === null ? reply.send() : result;
      },
    });
  for (const route of API_ROUTES) if (!route.multipart) register(server, route);
  // Multipart routes (file uploads) in their own scope: only they parse multipart/form-data, as
  // a stream the handler reads, so http.maxBodyBytes does not apply to them (maxFileSizeKB does).
  void server.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: { files: 1 } });
    // A refused upload (unauthenticated, not permitted, too large …) is not read to its end.
    scope.addHook('onError', async (request, reply) => cutOffUpload(request, reply));
    for (const route of API_ROUTES) if (route.multipart) register(scope, route);
  });

  const document = openApiDocument(API_ROUTES, options.version);
  server.get('/api/openapi.json', async () => document);
  server.get('/healthz', async (_request, reply) => {
    try {
      await app.context.store.users.countAdmins();
      // Which database this server serves, read live (not a secret): `pchat migrate` compares it
      // with the database it was given, and the mark tells the database itself from a copy of it.
      const { settings } = app.context.store;
      const database = { id: await settings.instanceId(), mark: await settings.identityMark() };
      return { status: 'ok', version: options.version, database, ...(await options.health?.()) };
    } catch (error) {
      logger.error({ err: error }, 'health check failed');
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
  const mayReadMetrics = metricsGate(options.metricsAccess ?? { allow: ['127.0.0.0/8', '::1/128'] });
  server.get('/metrics', async (request, reply) => {
    if (!mayReadMetrics(request)) {
      return reply.status(403).send({ error: { code: 'not_permitted', message: 'The metrics are served to the addresses in metrics.allow, or with the bearer token of metrics.token.' } });
    }
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return server;
}
