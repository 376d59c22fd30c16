import type { NodeRecord } from '../../ports/pool.js';
import type { NodeStore } from '../../ports/store.js';
import type { Db } from './database.js';

type Row = { name: string; host: string; pid: number; started_at: number; heartbeat_at: number; ws_connections: number; irc_connections: number; active: number };

const toNode = (r: Row): NodeRecord => ({
  name: r.name,
  host: r.host,
  pid: r.pid,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  connections: { websocket: r.ws_connections, irc: r.irc_connections },
  active: r.active === 1,
});

export function sqliteNodes(db: Db): NodeStore {
  const upsert = db.prepare(
    `INSERT INTO nodes (name, host, pid, started_at, heartbeat_at, ws_connections, irc_connections) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
       heartbeat_at = excluded.heartbeat_at, ws_connections = excluded.ws_connections, irc_connections = excluded.irc_connections
     RETURNING *`,
  );
  const beat = db.prepare('UPDATE nodes SET heartbeat_at = ?, ws_connections = ?, irc_connections = ? WHERE name = ? RETURNING active');
  const list = db.prepare('SELECT * FROM nodes ORDER BY name');
  const setActive = db.prepare('UPDATE nodes SET active = ? WHERE name = ?');
  return {
    register: async (n) => toNode(upsert.get(n.name, n.host, n.pid, n.startedAt, n.heartbeatAt, n.connections.websocket, n.connections.irc) as Row),
    heartbeat: async (name, at, c) => {
      const row = beat.get(at, c.websocket, c.irc, name) as { active: number } | undefined;
      return row ? row.active === 1 : null;
    },
    list: async () => (list.all() as Row[]).map(toNode),
    setActive: async (name, active) => setActive.run(active ? 1 : 0, name).changes > 0,
  };
}
