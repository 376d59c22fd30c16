import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Store } from '../../ports/store.js';
import { directoryBlobStore } from '../files/directory.js';
import { sqliteComplianceExport } from './complianceExport.js';
import { sqliteBulkImport } from './bulkImport.js';
import { sqliteCategories } from './categories.js';
import { sqliteFiles } from './files.js';
import { openDatabase, type SqliteOptions, syncFiles } from './database.js';
import { sqliteGroups } from './groups.js';
import { sqliteMessages } from './messages.js';
import { durableCommits } from './walSync.js';
import { sqliteNodes } from './nodes.js';
import { sqliteAddIns, sqliteAudit, sqliteCompliance, sqliteEventLog, sqlitePolicies, sqliteSettings } from './misc.js';
import { sqliteSessions } from './sessions.js';
import { sqlitePreferences } from './preferences.js';
import { sqliteReading } from './reading.js';
import { sqliteReactions } from './reactions.js';
import { sqliteMentions } from './mentions.js';
import { sqliteFeeds } from './feeds.js';
import { sqliteRooms } from './rooms.js';
import { sqliteUsers } from './users.js';

export interface SqliteStoreOptions extends SqliteOptions {
  /** The directory of the file blobs (config `files.directory`); defaults to `files` beside the database file. */
  readonly filesDirectory?: string;
}

/** The embedded default store: one SQLite file in WAL mode, and files' bytes in a directory. */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const db = openDatabase(path, options);
  const durable = durableCommits(db, path);
  // An in-memory database gets a directory of its own (made only when a file is first put).
  const filesDirectory = options.filesDirectory ?? (path === ':memory:' ? join(tmpdir(), `pchat-files-${randomUUID()}`) : join(dirname(path), 'files'));
  return {
    users: sqliteUsers(db),
    groups: sqliteGroups(db),
    categories: sqliteCategories(db),
    rooms: sqliteRooms(db),
    messages: sqliteMessages(db, durable),
    addins: sqliteAddIns(db),
    policies: sqlitePolicies(db),
    directPolicies: sqlitePolicies(db, 'direct_policies'),
    settings: sqliteSettings(db),
    sessions: sqliteSessions(db),
    compliance: sqliteCompliance(db),
    complianceExport: sqliteComplianceExport(db),
    events: sqliteEventLog(db),
    audit: sqliteAudit(db),
    nodes: sqliteNodes(db),
    reading: sqliteReading(db),
    mentions: sqliteMentions(db),
    feeds: sqliteFeeds(db),
    preferences: sqlitePreferences(db),
    files: sqliteFiles(db),
    reactions: sqliteReactions(db),
    blobs: directoryBlobStore(filesDirectory),
    bulk: sqliteBulkImport(db),
    // One server process posts; the CLI's changes travel through the event log.
    signal: null,
    sync: async () => syncFiles(path),
    close: async () => {
      await durable.close();
      db.close();
    },
  };
}
