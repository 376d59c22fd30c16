import { sql as initial } from './0001_initial.js';
import { sql as audit } from './0002_audit.js';
import { sql as sessionExpiry } from './0003_session_expiry.js';
import { sql as pool } from './0004_pool.js';
import { sql as reading } from './0006_reading.js';
import { sql as ftsInsertExplicit } from './0007_fts_insert_explicit.js';
import { sql as ftsHashSize } from './0008_fts_hash_size.js';
import { sql as sipCredentials } from './0009_sip_credentials.js';
import { sql as roomLegacyUri } from './0010_room_legacy_uri.js';
import { sql as files } from './0011_files.js';
import { sql as complianceExport } from './0012_compliance_export.js';
import { sql as sessions } from './0014_sessions.js';
import { sql as directConversations } from './0015_direct_conversations.js';
import { sql as noticeKind } from './0016_notice_kind.js';
import { sql as ownEdits } from './0017_own_edits.js';
import { sql as topicFeeds } from './0021_topic_feeds.js';
import { sql as mentions } from './0020_mentions.js';
import { sql as replies } from './0018_replies.js';
import { sql as reactions } from './0019_reactions.js';
import { sql as clientIdPartial } from './0022_client_id_partial.js';
import { sql as ftsWithoutSizes } from './0023_fts_without_sizes.js';
import { sql as doorClientIdsUnindexed } from './0024_door_client_ids_unindexed.js';
import { sql as noAuthorIndex } from './0025_no_author_index.js';

/**
 * Numbered schema migrations for PostgreSQL, applied in order, each exactly once. The numbers
 * follow the SQLite ones, so one version means the same schema in either dialect.
 */
export const postgresMigrations: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'audit', sql: audit },
  { version: 3, name: 'session expiry index', sql: sessionExpiry },
  { version: 4, name: 'pool nodes', sql: pool },
  { version: 6, name: 'reading state', sql: reading },
  { version: 7, name: 'full-text index insert by the writer', sql: ftsInsertExplicit },
  { version: 8, name: 'full-text pending terms sized for imports', sql: ftsHashSize },
  { version: 9, name: 'SIP NT hashes and user preferences', sql: sipCredentials },
  { version: 10, name: 'room legacy uri', sql: roomLegacyUri },
  { version: 11, name: 'files in rooms', sql: files },
  { version: 12, name: 'compliance export cursor', sql: complianceExport },
  { version: 14, name: 'sessions listed and revoked, must-change password', sql: sessions },
  { version: 15, name: 'direct conversations', sql: directConversations },
  { version: 16, name: 'notice message kind', sql: noticeKind },
  { version: 17, name: 'authors edit and delete their own messages', sql: ownEdits },
  { version: 18, name: 'replies', sql: replies },
  { version: 19, name: 'emoji reactions', sql: reactions },
  { version: 20, name: 'mentions and notification settings', sql: mentions },
  { version: 21, name: 'topic feeds', sql: topicFeeds },
  { version: 22, name: 'clientId uniqueness only where there is one', sql: clientIdPartial },
  { version: 23, name: 'full-text index without column sizes', sql: ftsWithoutSizes },
  { version: 24, name: 'clientIds made by a door left out of the uniqueness index', sql: doorClientIdsUnindexed },
  { version: 25, name: 'no index of messages by author', sql: noAuthorIndex },
];
