import Database from 'better-sqlite3';
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { PchatError } from '../../core/errors.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';

export type Db = Database.Database;

export interface SqliteOptions {
  /** 'full' fsyncs every commit (power-loss safe); 'normal' is process-crash safe only. */
  readonly synchronous?: 'full' | 'normal';
  /** Page cache in KiB (SQLite's default here: 16,000). A thread that only scans can do with little. */
  readonly cacheKiB?: number;
}

/**
 * How many pages the WAL holds before the committing connection copies them into the database
 * (SQLite's automatic checkpoint; its default is 1,000). A busy server rewrites the same pages in
 * commit after commit (the last pages of the messages table and of its indexes, say), and a
 * checkpoint copies each page once however often the WAL holds it: at 8,000 (32 MiB of WAL) the
 * copying and its fsyncs cost less per post, about 5 % more IRC lines per second under
 * irc-throughput's load.
 * The price: a checkpoint is rarer but longer, up to 41 ms of the event loop under that load
 * against 27 ms at 1,000 (docs/benchmarks.md); at 20 posts a second, one every minute or so.
 */
const WAL_CHECKPOINT_PAGES = 8000;

/** Opens (creating if needed) the database file and brings its schema up to date. */
export function openDatabase(path: string, options: SqliteOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  if (options.cacheKiB !== undefined) db.pragma(`cache_size = ${-Math.max(64, Math.round(options.cacheKiB))}`);
  // The CLI and the server share the file; wait for each other's short write transactions.
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  migrate(db);
  return db;
}

/**
 * Runs `write` (a transaction) with commits that do not wait for the disk (`synchronous =
 * NORMAL` in WAL mode: safe against a process crash, not a power loss), then puts the
 * connection's setting back. For rows whose loss at a power cut harms nothing, so that writing
 * them does not block the event loop on an fsync. The next FULL commit fsyncs the WAL, these
 * frames included.
 */
export function withoutFsync<T>(db: Db, write: () => T): T {
  const previous = db.pragma('synchronous', { simple: true }) as number;
  if (previous <= 1) return write(); // already NORMAL or OFF
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${previous}`);
  }
}

/**
 * fsyncs the database file, its WAL and their directory: every transaction committed so far is
 * then on disk, whatever `synchronous` said. A connection that commits with 'normal' (a bulk
 * import) calls this once at the end instead of paying an fsync per commit.
 */
export function syncFiles(path: string): void {
  if (path === ':memory:') return;
  for (const [file, flags] of [[path, 'r+'], [`${path}-wal`, 'r+'], [dirname(path), 'r']] as const) {
    let fd: number;
    try {
      fd = openSync(file, flags);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // no WAL (yet, or any more)
      throw error;
    }
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(...sqliteMigrations.map((m) => m.version));
  if (newest > known) {
    throw new PchatError('conflict', `The database schema (version ${newest}) is newer than this pchat (version ${known}). Upgrade pchat.`);
  }
  for (const migration of sqliteMigrations) {
    if (applied.has(migration.version)) continue;
    if (migration.writableSchema) db.unsafeMode(true);
    // Outside the transaction: SQLite ignores this pragma inside one.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (migration.rebuildsTable) db.pragma('foreign_keys = OFF');
    try {
      applyMigration(db, migration);
    } finally {
      if (migration.rebuildsTable) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
      if (migration.writableSchema) db.unsafeMode(false);
    }
  }
}

function applyMigration(db: Db, migration: { readonly version: number; readonly name: string; readonly sql: string; readonly rebuildsTable?: true }): void {
  // BEGIN IMMEDIATE: two processes starting at once must not both apply a migration.
  db.transaction(() => {
    const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
    if (again) return;
    // A rebuilt table must leave every reference as it found it (compared with before, as an old
    // database may hold a dangling reference of its own); if not, nothing of it is kept.
    const dangling = () => (migration.rebuildsTable ? (db.pragma('foreign_key_check') as { table: string; parent: string }[]).length : 0);
    const before = dangling();
    db.exec(migration.sql);
    const after = dangling();
    if (after > before) throw new Error(`migration ${migration.version} (${migration.name}) would leave ${after - before} more rows referring to rows that are gone; nothing was changed`);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
  }).immediate();
}

/** Turns a UNIQUE violation into the domain's name_taken error; rethrows anything else. */
export function rethrowUnique(error: unknown, what: string, field = 'name'): never {
  if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    throw new PchatError('name_taken', `A ${what} with that ${field} already exists.`, { field });
  }
  throw error;
}

