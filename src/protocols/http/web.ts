import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The web client's Content-Security-Policy: everything from pchat itself, nothing from anywhere
 * else (fonts and icons are bundled), except frames: a room's add-in is an administrator-registered
 * page, so the origins of registered add-ins — and only those — may be framed.
 */
export function contentSecurityPolicy(addinOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src ${["'self'", ...addinOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface WebClientOptions {
  /** The built client (web/dist); when it has no index.html a page says how to build it. */
  readonly root: string;
  /** Origins (scheme://host:port) of the registered add-ins. */
  readonly addinOrigins: () => Promise<readonly string[]>;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>pchat</title><h1>pchat is running</h1>
<p>The web client is not built: <code>npm start</code> builds it (or <code>npm run build:web</code>).
The API is described at <a href="/api/openapi.json">/api/openapi.json</a>; real time is at <code>/api/v1/ws</code>.</p>`;

/**
 * Serves the web client at `/`: hashed assets cached for good, index.html never cached, and any
 * other GET outside /api/ that asks for HTML answered with index.html (deep links), so the
 * client never shadows an API path: unknown /api/ paths keep their JSON 404.
 */
export type WebFallback = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | null;

export function registerWebClient(server: FastifyInstance, options: WebClientOptions): WebFallback {
  const { root } = options;
  const built = () => existsSync(join(root, 'index.html'));
  const sendIndex = async (reply: FastifyReply) => {
    void reply.header('content-security-policy', contentSecurityPolicy(await options.addinOrigins()));
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    if (!built()) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    void reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root, { cacheControl: false });
  };

  void server.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    wildcard: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      void res.header('x-content-type-options', 'nosniff');
      void res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  server.get('/', async (_request, reply) => sendIndex(reply));
  server.get('/index.html', async (_request, reply) => sendIndex(reply));
  return (request, reply) => {
    const wantsHtml = request.method === 'GET' && !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    return wantsHtml ? sendIndex(reply) : null;
  };
}
