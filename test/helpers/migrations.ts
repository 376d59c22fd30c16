import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/ports/store.js';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';
import { postgresMigrations } from '../../src/storage/migrations/postgres/index.js';
import { sqliteMigrations } from '../../src/storage/migrations/sqlite/index.js';
import type { PostgresCluster } from './postgres.js';

/**
 * A database as an older pchat left it, for upgrade tests: every migration before `version` applied
 * and recorded, so that opening a store then runs `version` and the later ones on existing rows.
 */
export function applySqliteMigrationsBefore(db: Database.Database, version: number): void {
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  // Some migrations (0016) edit the stored schema, which better-sqlite3 allows only in unsafe mode, as the store's runner sets it.
  db.unsafeMode(true);
  try {
    for (const m of sqliteMigrations.filter((m) => m.version < version)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0);
    }
  } finally {
    db.unsafeMode(false);
  }
}

/**
 * Upgrades a throwaway SQLite database as an older pchat left it: migrations before `version`,
 * then `seed` on that connection, then a store opened on the file (which runs `version` and
 * later), checked by `check` while the old connection is still open (it must see the new schema
 * too). The file is removed after.
 */
export async function upgradeSqlite(version: number, seed: (db: Database.Database) => void, check: (store: Store, db: Database.Database) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `pchat-migration-${version}-`));
  const file = join(dir, 'pchat.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    applySqliteMigrationsBefore(db, version);
    seed(db);
    const store = createSqliteStore(file, { synchronous: 'normal' });
    try {
      await check(store, db);
    } finally {
      await store.close();
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same for PostgreSQL, through a connected client (which the caller ends). */
export async function applyPostgresMigrationsBefore(client: pg.Client, version: number): Promise<void> {
  await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
  for (const m of postgresMigrations.filter((m) => m.version < version)) {
    await client.query(m.sql);
    await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
  }
}

/**
 * Upgrades a fresh PostgreSQL schema of `cluster` as an older pchat left it: migrations before
 * `version`, then `seed` on that database (rows written before the upgrade), then a store opened
 * on it (which runs `version` and later), checked by `check`. The schema is dropped after.
 */
export async function upgradePostgres(cluster: PostgresCluster, version: number, seed: (raw: pg.Client) => Promise<void>, check: (store: Store, url: string) => Promise<void>): Promise<void> {
  const url = await cluster.createSchema();
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  try {
    await applyPostgresMigrationsBefore(raw, version);
    await seed(raw);
  } finally {
    await raw.end();
  }
  const store = await createPostgresStore(url);
  try {
    await check(store, url);
  } finally {
    await store.close();
    cluster.drop(url);
  }
}

/**
 * Rows written before an upgrade, with the ids the statements give them: the identity sequences
 * of `tables` are then moved past those ids, as rows posted would have moved them.
 */
export async function seedPostgres(raw: pg.Client, statements: readonly string[], tables: readonly string[]): Promise<void> {
  for (const statement of statements) await raw.query(statement);
  for (const table of tables) await raw.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
}

/** A connection of its own to an upgraded database, for checks below the store; ended after `use`. */
export async function withPostgres<T>(url: string, use: (raw: pg.Client) => Promise<T>): Promise<T> {
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  try {
    return await use(raw);
  } finally {
    await raw.end();
  }
}
