/**
 * What the nodes of a pool tell each other about new messages. Messages themselves travel
 * through the store (history by per-room sequence number); a signal only says "room R has
 * messages up to seq S", so a lost or late one costs latency, never a message.
 */
export interface PoolSignal {
  /** Tells every node that these rooms (room id -> highest committed seq) have new messages. */
  announce(node: string, rooms: ReadonlyMap<number, number>): Promise<void>;
  /**
   * Starts receiving announcements from every node. `onResync` runs whenever announcements may
   * have been missed (the listening connection was lost and is back): catch up from the store.
   */
  listen(onAnnounce: (node: string, rooms: Map<number, number>) => void, onResync: () => void): Promise<void>;
  close(): Promise<void>;
}

/** One pchat server process of a pool, as it registers itself in the shared database. */
export interface NodeRecord {
  /** Unique in the pool: host and HTTP port unless configured. Stable across restarts. */
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly heartbeatAt: number;
  readonly connections: { readonly websocket: number; readonly irc: number };
  /** False: the node is drained and accepts no new connections. */
  readonly active: boolean;
}

/** The pool-wide read-only state: posting is refused with `message`. */
export interface Maintenance {
  readonly message: string;
  readonly since: number;
}

/**
 * The database's deployment was migrated away: every server on it refuses new connections
 * (HTTP, WebSocket, IRC) with `message`, which points users to `newAddress`.
 */
export interface Decommission {
  readonly message: string;
  /** Where users go now, e.g. the new deployment's web URL. */
  readonly newAddress: string;
  readonly since: number;
}
