import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './childServer.js';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL server for tests. Each store gets a database, or (cheaper: no
 * CREATE DATABASE, which copies a whole template) a schema of its own in a shared database,
 * named by the URL's search_path. Either way pchat finds it empty and migrates it itself.
 */
export interface PostgresCluster {
  readonly port: number;
  /** The URL of a database on this cluster (as the superuser, trust authentication). */
  url(database: string): string;
  /** A new, empty database. */
  createDatabase(): Promise<string>;
  /** A new, empty schema in a database shared with other schemas: a URL whose search_path is it. */
  createSchema(): Promise<string>;
  /**
   * Drops the database or schema of that URL (disconnecting whoever is still connected). It
   * happens in the background: a closed pool's server processes take a moment to exit, and DROP
   * waits for them. stop() waits for every drop.
   */
  drop(url: string): void;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'The PostgreSQL tests need a real PostgreSQL 15 server. `.ci/run` installs it (apt-get install -y postgresql postgresql-contrib); ' +
  'on a development machine install the same packages (any PostgreSQL >= 15 whose `pg_config --bindir` holds initdb also works).';

/** The directory with initdb, pg_ctl and postgres: Debian's PostgreSQL 15, else what pg_config names. */
export function postgresBinDir(): string {
  const candidates = ['/usr/lib/postgresql/15/bin'];
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && fromConfig.stdout.trim()) candidates.push(fromConfig.stdout.trim());
  // Another Debian release installs its own major version beside (or instead of) 15.
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v) && Number(v) >= 15) : [];
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error(`PostgreSQL server binaries not found (looked for initdb and pg_ctl in ${candidates.join(', ')}). ${INSTALL_HINT}`);
  return found;
}

/**
 * PostgreSQL refuses to run as root. When the tests run as root (CI containers), every server
 * command runs as the `postgres` OS user, in a directory that user owns.
 */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`The tests run as root, and PostgreSQL must not: no "postgres" OS user exists to run it as. ${INSTALL_HINT}`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A running throwaway cluster: where it is, and how to stop it. */
export interface LaunchedCluster {
  readonly port: number;
  /** The data directory (postmaster.pid lives there). */
  readonly data: string;
  url(database: string): string;
  /** The server log so far, for failure messages. */
  log(): string;
  /** Stops the server (fast shutdown) and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * A freshly initialized data directory to copy: what initdb writes depends only on the binaries
 * and its arguments, so it runs once per machine and user (about a second of CPU each time, for
 * every test file that starts a cluster) and each cluster starts from a copy. Made aside and
 * renamed into place, so a copy never sees a half-written one, whichever test process wins. The
 * binaries' directory names the major version, so a new one gets a template of its own.
 */
async function initializedCluster(bin: string, server: (tool: string, args: string[]) => Promise<unknown>): Promise<string> {
  const template = join(tmpdir(), `pchat-pg-initdb-${createHash('sha256').update(bin).update(INITDB_ARGS.join(' ')).digest('hex').slice(0, 12)}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const aside = mkdtempSync(join(tmpdir(), 'pchat-pg-initdb-'));
  const user = serverUser();
  if (user) chownSync(aside, user.uid, user.gid);
  try {
    await server('initdb', ['-D', join(aside, 'data'), ...INITDB_ARGS]);
    renameSync(join(aside, 'data'), template);
  } catch (error) {
    // Another test process renamed its copy into place first: use that one.
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return template;
}

const INITDB_ARGS = ['-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'];

/**
 * A copy of an initdb'd data directory (initializedCluster) in a fresh temp dir, started with
 * `settings` on a free loopback port: as the `postgres` OS user when run as root, with its own
 * unix socket dir, stopped and deleted at exit if the caller does not stop it first. The tests
 * and the benchmarks differ only in the settings they pass.
 */
export async function launchCluster(settings: Readonly<Record<string, string>>, prefix = 'pchat-pg-'): Promise<LaunchedCluster> {
  const bin = postgresBinDir();
  const user = serverUser();
  const asServer = (tool: string, args: string[]): [string, string[]] =>
    user ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const server = async (tool: string, args: string[]) => {
    const [file, argv] = asServer(tool, args);
    try {
      return await run(file, argv, { encoding: 'utf8', timeout: 120_000 });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };

  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
  }
  let running = false;
  const stopNow = () => {
    if (running) {
      const [file, argv] = asServer('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      spawnSync(file, argv, { stdio: 'ignore' });
      running = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  const log = () => {
    const file = join(dir, 'server.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  try {
    await run('cp', ['-a', await initializedCluster(bin, server), data]);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        '-c listen_addresses=127.0.0.1',
        `-p ${port}`,
        `-c unix_socket_directories=${sockets}`,
        ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
      ].join(' ');
      try {
        await server('pg_ctl', ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options]);
        running = true;
        break;
      } catch (error) {
        if (attempt >= 3) throw error; // most likely the port was taken in between; try another
      }
    }
    return {
      port,
      data,
      url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
      log,
      stop: async () => {
        process.removeListener('exit', stopNow);
        if (running) {
          await server('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']).catch(() => undefined);
          running = false;
        }
        stopNow();
      },
    };
  } catch (error) {
    const serverLog = log();
    process.removeListener('exit', stopNow);
    stopNow();
    if (serverLog && error instanceof Error) error.message += `\nserver log:\n${serverLog}`;
    throw error;
  }
}

/** A test cluster is thrown away: durability (fsync and friends), autovacuum and zero-filled WAL files only cost time. */
const TEST_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
  autovacuum: 'off',
  wal_init_zero: 'off',
};

/** Starts a fresh cluster on a free loopback port. Call stop() when done (an exit hook stops it too). */
export async function startPostgres(): Promise<PostgresCluster> {
  const cluster = await launchCluster(TEST_SETTINGS);
  const { url } = cluster;
  let admin: pg.Client | undefined;
  let dropper: pg.Client | undefined;
  try {
    admin = new pg.Client({ connectionString: url('postgres') });
    await admin.connect();
    const client = admin;
    // A second connection for drops, so a drop waiting for a database's last sessions to end
    // never holds up the next CREATE DATABASE.
    dropper = new pg.Client({ connectionString: url('postgres') });
    await dropper.connect();
    const dropping = dropper;
    let drops: Promise<void> = Promise.resolve();

    let count = 0;
    const uniqueName = () => `pchat_${process.pid}_${++count}`;
    // The database that holds the schemas. unaccent lives in its public schema, once, so that
    // dropping one store's schema never drops the extension under the others.
    let shared: Promise<string> | undefined;
    const sharedDatabase = () =>
      (shared ??= (async () => {
        const name = uniqueName();
        await client.query(`CREATE DATABASE ${name}`);
        const setup = new pg.Client({ connectionString: url(name) });
        await setup.connect();
        await setup.query('CREATE EXTENSION unaccent SCHEMA public').finally(() => setup.end());
        return name;
      })());

    return {
      port: cluster.port,
      url,
      async createDatabase() {
        const name = uniqueName();
        await client.query(`CREATE DATABASE ${name}`);
        return url(name);
      },
      async createSchema() {
        const database = await sharedDatabase();
        const schema = uniqueName();
        const setup = new pg.Client({ connectionString: url(database) });
        await setup.connect();
        await setup.query(`CREATE SCHEMA ${schema}`).finally(() => setup.end());
        return `${url(database)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      },
      drop(target) {
        const parsed = new URL(target);
        const database = parsed.pathname.slice(1);
        const schema = /search_path=(\w+)/.exec(parsed.searchParams.get('options') ?? '')?.[1];
        drops = drops
          .then(async () => {
            if (!schema) {
              await dropping.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
              return;
            }
            const inDatabase = new pg.Client({ connectionString: url(database) });
            await inDatabase.connect();
            await inDatabase.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).finally(() => inDatabase.end());
          })
          .catch(() => undefined);
      },
      async stop() {
        await drops;
        await Promise.all([client.end().catch(() => undefined), dropping.end().catch(() => undefined)]);
        await cluster.stop();
      },
    };
  } catch (error) {
    await admin?.end().catch(() => undefined);
    await dropper?.end().catch(() => undefined);
    const serverLog = cluster.log();
    await cluster.stop();
    if (serverLog && error instanceof Error) error.message += `\nserver log:\n${serverLog}`;
    throw error;
  }
}
