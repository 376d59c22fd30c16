import { type NodeRow, toNode } from '../rows.js';
import type { NodeStore } from '../../ports/store.js';
import { type Db, withoutFsync } from './database.js';

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
    register: async (n) => toNode(upsert.get(n.name, n.host, n.pid, n.startedAt, n.heartbeatAt, n.connections.websocket, n.connections.irc) as NodeRow),
    // A heartbeat lost at a power cut is only a stale liveness time: not worth an fsync every 5 s.
    heartbeat: async (name, at, c) => {
      const row = withoutFsync(db, () => beat.get(at, c.websocket, c.irc, name)) as { active: number } | undefined;
      return row ? row.active === 1 : null;
    },
    list: async () => (list.all() as NodeRow[]).map(toNode),
    setActive: async (name, active) => setActive.run(active ? 1 : 0, name).changes > 0,
  };
}
