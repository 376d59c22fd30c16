import pg from 'pg';
import type { PoolSignal } from '../../ports/pool.js';

const CHANNEL = 'pchat_messages';
/** NOTIFY payloads must stay under 8000 bytes; a batch touching more rooms is split. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = 500;

/**
 * Announcements between pool nodes over PostgreSQL LISTEN/NOTIFY. NOTIFY takes a database-wide
 * lock at commit, so it is never issued inside a message transaction: a node calls `announce`
 * once per group-commit batch, after the batch committed, as its own one-statement transaction.
 * Every node LISTENs on one dedicated connection (not from the pool: a pooled connection would
 * be handed to other queries and LISTEN would be lost).
 */
export function postgresSignal(pool: pg.Pool, url: string): PoolSignal {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;

  const payloads = (node: string, rooms: ReadonlyMap<number, number>): string[] => {
    const out: string[] = [];
    let entries: [number, number][] = [];
    const flush = () => {
      if (entries.length > 0) out.push(JSON.stringify({ n: node, r: entries }));
      entries = [];
    };
    let size = node.length + 20;
    for (const entry of rooms) {
      const cost = String(entry[0]).length + String(entry[1]).length + 4;
      if (size + cost > MAX_PAYLOAD) {
        flush();
        size = node.length + 20;
      }
      entries.push(entry);
      size += cost;
    }
    flush();
    return out;
  };

  return {
    announce: async (node, rooms) => {
      for (const payload of payloads(node, rooms)) await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    },
    listen: async (onAnnounce, onResync) => {
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url, application_name: 'pchat-listen' });
        let lost = false;
        // A broken connection is replaced; announcements sent meanwhile are made up by a resync.
        const onLost = () => {
          if (lost) return;
          lost = true;
          client = null;
          c.end().catch(() => undefined);
          if (!closed) timer = setTimeout(() => void connect().catch(onLost), RECONNECT_MS);
        };
        c.on('error', onLost);
        c.on('end', onLost);
        c.on('notification', (n) => {
          try {
            const { n: node, r } = JSON.parse(n.payload ?? '') as { n: string; r: [number, number][] };
            onAnnounce(node, new Map(r));
          } catch {
            onResync(); // not ours, or garbled: look at the store instead
          }
        });
        await c.connect();
        await c.query(`LISTEN ${CHANNEL}`);
        if (closed) {
          await c.end();
          return;
        }
        client = c;
        onResync();
      };
      await connect();
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
