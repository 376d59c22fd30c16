import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Metrics } from '../observability/metrics.js';

/** The doors a TCP connection comes in through; a WebSocket starts as an HTTP connection. */
export type Door = 'http' | 'websocket' | 'irc' | 'sip';
export type RefusalReason = 'per_address' | 'total';

/** What the gate reports, e.g. to Prometheus (observability stays out of this module). */
export interface ConnectionCounters {
  opened(door: Door): void;
  closed(door: Door): void;
  refused(door: Door, reason: RefusalReason): void;
  evicted(door: Door): void;
}

export interface ConnectionLimits {
  /** Open connections of every door together. */
  readonly maxConnections: number;
  /** Open connections from one source address, every door together; 0: no such limit. */
  readonly perAddress: number;
}

/** One admitted connection. `evictable` says whether it may be closed to make room (not signed in, no request under way). */
export interface Ticket {
  readonly socket: Socket;
  readonly address: string;
  door: Door;
  evictable: () => boolean;
}

/**
 * File descriptors kept for what is not a client connection: the database and its journal, the
 * files being uploaded or served, the log, worker threads, PostgreSQL's pool, and the moment
 * between accepting a connection and closing it again to refuse it.
 */
export const FD_RESERVE = 128;

/**
 * The process's soft limit on open files (RLIMIT_NOFILE), which Node raises to the hard limit at
 * start: from /proc/self/limits on Linux, else from `ulimit -n` in a child shell (which inherits
 * it); null when neither answers or the limit is unlimited.
 */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft && /^\d+$/.test(soft)) return Number(soft);
    if (soft === 'unlimited') return null;
  } catch {
    // not Linux: ask a shell
  }
  const shell = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 5000 });
  const value = shell.stdout?.trim() ?? '';
  return /^\d+$/.test(value) ? Number(value) : null;
}

/** The default cap on open connections: the file limit less FD_RESERVE (at least 32), or 10,000 when the limit is unknown. */
export function defaultMaxConnections(limit: number | null = openFileLimit()): number {
  return limit === null ? 10_000 : Math.max(32, limit - FD_RESERVE);
}

/**
 * Counts the open TCP connections of every door of one process against a total cap and a cap
 * per source address. At a cap, the oldest connection that has not signed in (or, for HTTP, has
 * no request under way) is closed to make room before a new one is refused, at the address cap
 * among that address's own: a flood of idle connections cannot keep a client that finishes its
 * sign-in from being served, idle keep-alive connections do not use up an office's share behind
 * its NAT, and the process never runs out of file descriptors for the database and its files.
 */
export class ConnectionGate {
  /** Oldest first (a Map keeps insertion order). */
  private readonly open = new Map<Socket, Ticket>();
  /** Each address's connections, oldest first. */
  private readonly byAddress = new Map<string, Set<Ticket>>();
  private readonly refusedSockets = new WeakSet<Socket>();

  constructor(
    readonly limits: ConnectionLimits,
    private readonly counters?: ConnectionCounters,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Admits a freshly accepted socket or says why not. An admitted socket is counted until it
   * closes; a refused one is the caller's to answer and close (see `isRefused`).
   */
  admit(socket: Socket, door: Door): { ticket: Ticket } | { refused: RefusalReason } {
    const address = normalise(socket.remoteAddress ?? '');
    const fromAddress = this.byAddress.get(address);
    let refused: RefusalReason | null = null;
    // At an address's cap, only that address's own idle connections make room: a flood from one address churns its own.
    if (this.limits.perAddress > 0 && (fromAddress?.size ?? 0) >= this.limits.perAddress && !this.evictOldest(fromAddress?.values() ?? [])) refused = 'per_address';
    else if (this.open.size >= this.limits.maxConnections && !this.evictOldest(this.open.values())) refused = 'total';
    if (refused) {
      this.refusedSockets.add(socket);
      this.counters?.refused(door, refused);
      return { refused };
    }
    const ticket: Ticket = { socket, address, door, evictable: () => true };
    this.open.set(socket, ticket);
    if (fromAddress) fromAddress.add(ticket);
    else this.byAddress.set(address, new Set([ticket]));
    this.counters?.opened(door);
    socket.once('close', () => this.release(ticket));
    return { ticket };
  }

  /** Whether the gate refused this socket (its caller answers and closes it). */
  isRefused(socket: Socket): boolean {
    return this.refusedSockets.has(socket);
  }

  ticketOf(socket: Socket): Ticket | undefined {
    return this.open.get(socket);
  }

  /** Counts an admitted connection under another door from now on (an HTTP connection upgraded to a WebSocket). */
  moveTo(ticket: Ticket, door: Door): void {
    if (ticket.door === door || !this.open.has(ticket.socket)) return;
    this.counters?.closed(ticket.door);
    ticket.door = door;
    this.counters?.opened(door);
  }

  /** Closes the first evictable connection of `oldestFirst`; whether there was one. */
  private evictOldest(oldestFirst: Iterable<Ticket>): boolean {
    for (const ticket of oldestFirst) {
      if (!ticket.evictable()) continue;
      this.release(ticket);
      this.counters?.evicted(ticket.door);
      ticket.socket.destroy();
      return true;
    }
    return false;
  }

  private release(ticket: Ticket): void {
    if (this.open.get(ticket.socket) !== ticket) return;
    this.open.delete(ticket.socket);
    const fromAddress = this.byAddress.get(ticket.address);
    fromAddress?.delete(ticket);
    if (fromAddress?.size === 0) this.byAddress.delete(ticket.address);
    this.counters?.closed(ticket.door);
  }
}

/** An IPv4 client on a dual-stack socket is the same address as on an IPv4 one. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The sentence a refused client is given. */
export function refusalText(reason: RefusalReason): string {
  return reason === 'per_address' ? 'Too many connections from your address' : 'The server has too many connections; try again shortly';
}

/** The gate's figures as Prometheus metrics (pchat_connections, …_refused_total, …_evicted_total, …_limit). */
export function countedIn(metrics: Metrics, limits: ConnectionLimits): ConnectionCounters {
  metrics.connectionLimit.set({ scope: 'total' }, limits.maxConnections);
  metrics.connectionLimit.set({ scope: 'per_address' }, limits.perAddress);
  for (const protocol of ['http', 'websocket', 'irc', 'sip'] as const) metrics.connections.set({ protocol }, 0);
  return {
    opened: (protocol) => metrics.connections.inc({ protocol }),
    closed: (protocol) => metrics.connections.dec({ protocol }),
    refused: (protocol, reason) => metrics.connectionsRefused.inc({ protocol, reason }),
    evicted: (protocol) => metrics.connectionsEvicted.inc({ protocol }),
  };
}
