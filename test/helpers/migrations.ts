import type Database from 'better-sqlite3';
import type pg from 'pg';
import { postgresMigrations } from '../../src/storage/migrations/postgres/index.js';
import { sqliteMigrations } from '../../src/storage/migrations/sqlite/index.js';

/**
 * A database as an older pchat left it, for upgrade tests: every migration before `version` applied
 * and recorded, so that opening a store then runs `version` and the later ones on existing rows.
 */
export function applySqliteMigrationsBefore(db: Database.Database, version: number): void {
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  for (const m of sqliteMigrations.filter((m) => m.version < version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0);
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
