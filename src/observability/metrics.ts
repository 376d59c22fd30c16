import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics served at /metrics. One registry per server, so tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pchat_' });
  return {
    registry,
    messagesPosted: new Counter({ name: 'pchat_messages_posted_total', help: 'Messages committed and acknowledged', registers: [registry] }),
    httpRequests: new Counter({
      name: 'pchat_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({ name: 'pchat_ws_connections', help: 'Open WebSocket connections', registers: [registry] }),
    wsSlowDisconnects: new Counter({ name: 'pchat_ws_slow_disconnects_total', help: 'Clients cut off for a full send queue', registers: [registry] }),
    connections: new Gauge({ name: 'pchat_connections', help: 'Open TCP connections by protocol (a WebSocket counts as websocket once upgraded)', labelNames: ['protocol'] as const, registers: [registry] }),
    connectionLimit: new Gauge({ name: 'pchat_connections_limit', help: 'The cap on open connections: total, and per source address (0: none)', labelNames: ['scope'] as const, registers: [registry] }),
    connectionsRefused: new Counter({ name: 'pchat_connections_refused_total', help: 'Connections refused at accept, by protocol and reason (per_address, total)', labelNames: ['protocol', 'reason'] as const, registers: [registry] }),
    connectionsEvicted: new Counter({ name: 'pchat_connections_evicted_total', help: 'Connections not yet signed in (or idle HTTP ones) closed at the total cap to make room for a new one', labelNames: ['protocol'] as const, registers: [registry] }),
    commitBatch: new Histogram({
      name: 'pchat_commit_batch_size',
      help: 'Messages per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
