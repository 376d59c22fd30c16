import type { Store } from '../../ports/store.js';
import { sqliteBulkImport } from './bulkImport.js';
import { sqliteCategories } from './categories.js';
import { openDatabase, type SqliteOptions, syncFiles } from './database.js';
import { sqliteGroups } from './groups.js';
import { sqliteMessages } from './messages.js';
import { sqliteNodes } from './nodes.js';
import { sqliteAddIns, sqliteAudit, sqliteCompliance, sqliteEventLog, sqlitePolicies, sqliteSessions, sqliteSettings } from './misc.js';
import { sqlitePreferences } from './preferences.js';
import { sqliteReading } from './reading.js';
import { sqliteRooms } from './rooms.js';
import { sqliteUsers } from './users.js';

/** The embedded default store: one SQLite file in WAL mode. */
export function createSqliteStore(path: string, options: SqliteOptions = {}): Store {
  const db = openDatabase(path, options);
  return {
    users: sqliteUsers(db),
    groups: sqliteGroups(db),
    categories: sqliteCategories(db),
    rooms: sqliteRooms(db),
    messages: sqliteMessages(db),
    addins: sqliteAddIns(db),
    policies: sqlitePolicies(db),
    settings: sqliteSettings(db),
    sessions: sqliteSessions(db),
    compliance: sqliteCompliance(db),
    events: sqliteEventLog(db),
    audit: sqliteAudit(db),
    nodes: sqliteNodes(db),
    reading: sqliteReading(db),
    preferences: sqlitePreferences(db),
    bulk: sqliteBulkImport(db),
    // One server process posts; the CLI's changes travel through the event log.
    signal: null,
    sync: async () => syncFiles(path),
    close: async () => {
      db.close();
    },
  };
}
