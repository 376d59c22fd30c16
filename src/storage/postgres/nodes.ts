import type pg from 'pg';
import { type NodeRow, toNode } from '../rows.js';
import type { NodeStore } from '../../ports/store.js';


export function postgresNodes(pool: pg.Pool): NodeStore {
  return {
    register: async (n) => {
      const { rows } = await pool.query<NodeRow>(
        `INSERT INTO nodes (name, host, pid, started_at, heartbeat_at, ws_connections, irc_connections) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
           heartbeat_at = excluded.heartbeat_at, ws_connections = excluded.ws_connections, irc_connections = excluded.irc_connections
         RETURNING *`,
        [n.name, n.host, n.pid, n.startedAt, n.heartbeatAt, n.connections.websocket, n.connections.irc],
      );
      return toNode(rows[0]!);
    },
    heartbeat: async (name, at, c) => {
      const { rows } = await pool.query<{ active: boolean }>(
        'UPDATE nodes SET heartbeat_at = $1, ws_connections = $2, irc_connections = $3 WHERE name = $4 RETURNING active',
        [at, c.websocket, c.irc, name],
      );
      return rows[0]?.active ?? null;
    },
    list: async () => (await pool.query<NodeRow>('SELECT * FROM nodes ORDER BY name')).rows.map(toNode),
    setActive: async (name, active) => ((await pool.query('UPDATE nodes SET active = $1 WHERE name = $2', [active, name])).rowCount ?? 0) > 0,
  };
}
