import { dirname, join } from 'node:path';
import { type Config, isPostgresUrl } from './config/schema.js';
import type { Store } from './ports/store.js';

/**
 * The composition of the stores, apart from main.ts so that worker threads (an import's check, an
 * export's or a verify's history reader) load a store without the whole server.
 */

/**
 * The configured store: PostgreSQL for a postgres:// URL (loaded only then, so SQLite users
 * never load pg), else the SQLite file. Resolves once the schema is up to date.
 */
export async function openStore(config: Config, options: { readonly cacheKiB?: number } = {}): Promise<Store> {
  const database = config.database as string;
  // Files' bytes: in a directory (the SQLite default), or in the PostgreSQL database (the pool default).
  // With SQLite the directory sits beside the database file, so a command given only --database
  // (verify, migrate, import) finds the same files as the server (by default <dataDir>/files).
  const filesDirectory = config.files.directory ?? (isPostgresUrl(database) ? join(config.dataDir, 'files') : join(dirname(database), 'files'));
  if (isPostgresUrl(database)) {
    const { createPostgresStore } = await import('./storage/postgres/index.js');
    return createPostgresStore(database, config.files.store === 'directory' ? { filesDirectory } : {});
  }
  if (config.files.store === 'database') throw new Error('files.store "database" needs a PostgreSQL database; with SQLite, files are kept in a directory.');
  // Loaded only here, so that a thread which only writes an import's spool starts without it.
  const { createSqliteStore } = await import('./storage/sqlite/index.js');
  return createSqliteStore(database, { synchronous: config.sqlite.synchronous, filesDirectory, ...options });
}

/** Writes an import's spool file (a bulk session's part) on the calling thread. */
export { openSpoolWriter } from './storage/spool/file.js';
