import type { Store } from '../../ports/store.js';
import { directoryBlobStore } from '../files/directory.js';
import { postgresBlobs } from './blobs.js';
import { postgresComplianceExport } from './complianceExport.js';
import { postgresCategories } from './categories.js';
import { openPool } from './database.js';
import { postgresFiles } from './files.js';
import { postgresGroups } from './groups.js';
import { postgresAudit, postgresCompliance, postgresEventLog } from './logs.js';
import { postgresMessages } from './messages.js';
import { postgresNodes } from './nodes.js';
import { postgresSignal } from './signal.js';
import { postgresAddIns, postgresPolicies, postgresSettings } from './misc.js';
import { postgresSessions } from './sessions.js';
import { postgresPreferences } from './preferences.js';
import { postgresReading } from './reading.js';
import { postgresReactions } from './reactions.js';
import { postgresMentions } from './mentions.js';
import { postgresFeeds } from './feeds.js';
import { postgresRooms } from './rooms.js';
import { postgresUsers } from './users.js';

export interface PostgresStoreOptions {
  /**
   * Keep files' bytes in this directory (config `files.store: directory`) instead of the database;
   * every node of a pool must then share it. By default they are in the database itself.
   */
  readonly filesDirectory?: string;
}

/**
 * The pool backend: a PostgreSQL database shared by every pchat process, reached through a
 * pg.Pool. Connects and brings the schema up to date before it resolves.
 */
export async function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = await openPool(url);
  let closed: Promise<void> | undefined;
  const signal = postgresSignal(pool, url);
  return {
    users: postgresUsers(pool),
    groups: postgresGroups(pool),
    categories: postgresCategories(pool),
    rooms: postgresRooms(pool),
    messages: postgresMessages(pool),
    addins: postgresAddIns(pool),
    policies: postgresPolicies(pool),
    directPolicies: postgresPolicies(pool, 'direct_policies'),
    settings: postgresSettings(pool),
    sessions: postgresSessions(pool),
    compliance: postgresCompliance(pool),
    complianceExport: postgresComplianceExport(pool),
    events: postgresEventLog(pool),
    audit: postgresAudit(pool),
    nodes: postgresNodes(pool),
    reading: postgresReading(pool),
    mentions: postgresMentions(pool),
    feeds: postgresFeeds(pool),
    preferences: postgresPreferences(pool),
    files: postgresFiles(pool),
    reactions: postgresReactions(pool),
    blobs: options.filesDirectory === undefined ? postgresBlobs(pool) : directoryBlobStore(options.filesDirectory),
    // Imports go batch by batch through importHistory (one transaction each, resumable).
    bulk: null,
    signal,
    // Every PostgreSQL commit is durable when it returns (synchronous_commit is left on).
    sync: async () => undefined,
    close: () => (closed ??= signal.close().then(() => pool.end())),
  };
}
