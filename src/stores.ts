import { type Config, isPostgresUrl } from './config/schema.js';
import type { Store } from './ports/store.js';
import { createSqliteStore } from './storage/sqlite/index.js';

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
  if (isPostgresUrl(database)) {
    const { createPostgresStore } = await import('./storage/postgres/index.js');
    return createPostgresStore(database);
  }
  return createSqliteStore(database, { synchronous: config.sqlite.synchronous, ...options });
}

/** Writes an import's spool file (a bulk session's part) on the calling thread. */
export { openSpoolWriter } from './storage/spool/file.js';
