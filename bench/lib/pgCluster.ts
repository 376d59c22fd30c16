// A throwaway PostgreSQL server for the pool benchmarks: the tests' launchCluster
// (test/helpers/postgres.ts), with durable, benchmark-sized settings instead of the tests'
// fsync=off ones, plus what the benchmarks read off it (settings, CPU time).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { launchCluster } from '../../test/helpers/postgres.js';
import { ROOT } from './report.js';

/**
 * The server settings of the benchmarks: durable (fsync, synchronous_commit and
 * full_page_writes on, as PostgreSQL ships them), with memory sized for the 1,000,000-message
 * data set and max_wal_size raised so that a checkpoint does not land in every measured window.
 */
export const BENCH_PG_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  wal_level: 'replica',
  shared_buffers: '1GB',
  effective_cache_size: '4GB',
  work_mem: '16MB',
  maintenance_work_mem: '512MB',
  max_wal_size: '8GB',
  checkpoint_timeout: '15min',
  max_connections: '200',
  autovacuum: 'on',
};

/** The settings SHOWn after start (what the server actually runs with). */
export const SHOWN_SETTINGS = [
  'server_version',
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'maintenance_work_mem',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'wal_level',
  'wal_sync_method',
  'commit_delay',
  'max_wal_size',
  'checkpoint_timeout',
  'max_connections',
  'autovacuum',
  'jit',
] as const;

export interface BenchPostgres {
  readonly port: number;
  /** A URL for `database` on this server (superuser, trust authentication, loopback only). */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** SHOW of SHOWN_SETTINGS. */
  settings(): Promise<Record<string, string>>;
  /** CPU time (ms, user + system) used so far by the postmaster and its live children. */
  cpuMs(): number;
  /** Runs a statement on a database (a fresh connection). */
  query(database: string, sql: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const CLK_TCK = 100;
/** utime + stime (+ reaped children when `children`) of a pid, in ms; 0 if it is gone. */
function pidCpuMs(pid: number, children: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const ticks = (f[11] ?? 0) + (f[12] ?? 0) + (children ? (f[13] ?? 0) + (f[14] ?? 0) : 0);
    return (ticks * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Starts a fresh PostgreSQL cluster with `settings` (default BENCH_PG_SETTINGS) on a free loopback port. */
export async function startBenchPostgres(settings: Readonly<Record<string, string>> = BENCH_PG_SETTINGS): Promise<BenchPostgres> {
  const cluster = await launchCluster(settings, 'pchat-bench-pg-');
  const { port, url, data } = cluster;
  try {
    const postmaster = Number((readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '').trim());
    const query = async (database: string, sql: string) => {
      const client = new pg.Client({ connectionString: url(database) });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    };
    // Backends that exited are in the postmaster's reaped-children time; live ones are read one by one.
    const children = (): number[] => {
      const pids: number[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid === postmaster) pids.push(Number(entry));
        } catch {
          // gone
        }
      }
      return pids;
    };
    return {
      port,
      url,
      createDatabase: async (name) => {
        await query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        return url(name);
      },
      settings: async () => {
        const client = new pg.Client({ connectionString: url('postgres') });
        await client.connect();
        const out: Record<string, string> = {};
        try {
          for (const name of SHOWN_SETTINGS) out[name] = String((await client.query(`SHOW ${name}`)).rows[0]?.[name] ?? '?');
        } finally {
          await client.end();
        }
        return out;
      },
      cpuMs: () => pidCpuMs(postmaster, true) + children().reduce((sum, pid) => sum + pidCpuMs(pid, false), 0),
      query,
      stop: () => cluster.stop(),
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** The settings as one line for notes and docs. */
export const settingsLine = (s: Record<string, string>): string =>
  Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * report() counts as "others" every process outside this benchmark's process tree, and the
 * postmaster is not in it (pg_ctl daemonizes it). Call this with the cluster still running,
 * right after report(): it rewrites bench/results/<name>.json so that
 * machine.otherProcessesCores excludes this benchmark's own PostgreSQL (the raw figure is kept
 * as otherProcessesCoresRaw, PostgreSQL's as postgresCores), and prints the corrected figure.
 */
export function excludePostgresFromOthers(name: string, cluster: BenchPostgres): void {
  const file = join(ROOT, 'bench', 'results', `${name}.json`);
  const result = JSON.parse(readFileSync(file, 'utf8')) as { machine: Record<string, unknown> };
  const raw = result.machine.otherProcessesCores;
  // Averaged over the same span as report(): from this module's start (≈ process start).
  const postgresCores = cluster.cpuMs() / 1000 / process.uptime();
  if (typeof raw !== 'number') return;
  const corrected = Math.max(0, raw - postgresCores);
  result.machine = { ...result.machine, otherProcessesCoresRaw: raw, postgresCores: Number(postgresCores.toFixed(2)), otherProcessesCores: Number(corrected.toFixed(2)) };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`  machine: this benchmark's PostgreSQL used ${postgresCores.toFixed(2)} cores on average; other processes, excluding it: ${corrected.toFixed(2)} cores${corrected > 0.15 ? ' (disturbed)' : ''}`);
}
