import { z } from 'zod';
import type { Route } from './route.js';

const toSchema = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code, e.g. room_not_found, not_permitted, invalid_input.' },
        message: { type: 'string' },
        field: { type: 'string', description: 'The input field at fault, as a dotted path.' },
        details: {},
      },
    },
  },
};

/** The OpenAPI 3.1 description, generated from the same route table and schemas the server runs. */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...route.url.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      // Ids and a message's seq are integers; any other path parameter (a file's cosmetic name) is text.
      schema: m[1]?.endsWith('Id') || m[1] === 'seq' ? { type: 'integer', minimum: 1 } : { type: 'string' },
    }));
    if (route.query) {
      const schema = toSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property });
      }
    }
    const status = String(route.status ?? 200);
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${path.replace(/[^a-zA-Z]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters,
      responses: {
        [status]: {
          description: status === '204' ? 'Done; no content.' : 'Success.',
          ...(route.produces && { content: { [route.produces]: { schema: { type: 'string', format: 'binary' } } } }),
        },
        ...Object.fromEntries(Object.entries(route.responses ?? {}).map(([code, description]) => [code, { description }])),
        default: { description: 'An error.', content: { 'application/json': { schema: errorSchema } } },
      },
      ...(route.auth && { security: [{ bearer: [] }, { cookie: [] }] }),
      ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body) } } } }),
      ...(route.multipart && { requestBody: { required: true, content: { 'multipart/form-data': { schema: route.multipart } } } }),
    };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pchat API',
      version,
      description:
        'Persistent group chat. Real time over WebSocket at /api/v1/ws (see docs/websocket.md). Every error has the shape `{ error: { code, message, field? } }`. Rooms the caller may not find (secret rooms in particular) answer 404 room_not_found, never 403.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'pchat_session' },
      },
    },
    paths,
  };
}
