import pg from 'pg';
import { PchatError } from '../../core/errors.js';
import { postgresMigrations } from '../migrations/postgres/index.js';

/** A pool or a client inside a transaction: anything that can run a query. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const INT8 = 20;
/**
 * Ids, sequence numbers and millisecond timestamps are bigint columns. node-postgres returns
 * them as strings by default; every one of them fits a JS number (< 2^53), so parse them as
 * numbers, for this pool only (the global pg.types registry stays untouched).
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connects a pool to the database at `url` and brings its schema up to date. */
export async function openPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, types, application_name: 'pchat' });
  // A pooled connection that breaks while idle is discarded by the pool and the next query
  // opens a new one; without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}

/** Any fixed number, the same in every pchat process: the key of the migration lock. */
const MIGRATION_LOCK = 0x70636861; // 'pcha'

/**
 * Applies every pending migration in one transaction. Two processes starting at once queue
 * on a transaction-scoped advisory lock, so the second finds the work done.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = Math.max(...postgresMigrations.map((m) => m.version));
    if (newest > known) {
      throw new PchatError('conflict', `The database schema (version ${newest}) is newer than this pchat (version ${known}). Upgrade pchat.`);
    }
    for (const migration of postgresMigrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
  });
}

/** Runs `fn` in a transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection whose rollback fails is in an unknown state: destroy it rather than reuse it.
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError),
    );
    throw error;
  }
}

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Turns a UNIQUE violation into the domain's name_taken error; rethrows anything else. */
export function rethrowUnique(error: unknown, what: string, field = 'name'): never {
  if (error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION) {
    throw new PchatError('name_taken', `A ${what} with that ${field} already exists.`, { field });
  }
  throw error;
}

/** Runs a write that may break a UNIQUE constraint, mapping that to name_taken. */
export async function unique<T>(what: string, field: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    rethrowUnique(error, what, field);
  }
}

/** The first row of a result, or null. */
export const first = <R>(result: { rows: R[] }): R | null => result.rows[0] ?? null;

/**
 * Case-insensitive name lookup and uniqueness. `lower(x COLLATE "C")` folds ASCII letters
 * only, exactly like SQLite's COLLATE NOCASE, whatever the database's locale: a name the
 * SQLite store accepts is accepted here, and an archive moves between the two unchanged.
 */
export const folded = (column: string): string => `lower(${column} COLLATE "C")`;

/** unique_violation, deadlock_detected, serialization_failure: a concurrent writer got there first. */
const RETRYABLE = new Set([UNIQUE_VIOLATION, '40P01', '40001']);

/**
 * Runs a transaction again when it lost a race to a concurrent one (e.g. two nodes storing the
 * same client id at once: the second fails on the unique index, and its retry finds the stored
 * row). A conflict that persists is a real one and is thrown.
 */
export async function retryingTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(pool, fn);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof pg.DatabaseError && RETRYABLE.has(error.code ?? ''))) throw error;
    }
  }
}
