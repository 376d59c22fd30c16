import { directPairKey, participantsOf } from '../core/direct.js';
import { type Category, type ComplianceEvent, DOOR_CLIENT_ID_PREFIX, type Message, type MessageKind, type Origin, type PrincipalRef, type Privacy, type Room, type RoomType, type User } from '../core/model.js';
import type { ComplianceExportFormat, ComplianceExportState } from '../ports/complianceExport.js';
import type { NodeRecord } from '../ports/pool.js';
import { removedParent } from './replies.js';
import type { SessionKind, StoredSession } from '../ports/store.js';

/**
 * Rows as both stores read them (the schemas use the same column names), and their mapping to
 * the domain's objects. SQLite returns flags as 0/1, PostgreSQL as booleans: `flag` reads both.
 */
export type Flag = boolean | number;
export const flag = (value: Flag | bigint): boolean => value === true || value === 1 || value === 1n;

export interface OriginColumns {
  origin_system: string | null;
  origin_id: string | null;
}

/**
 * The messages whose clientId is checked for repeats: the condition of the partial unique index
 * `messages_client_id` (migration 0024: every clientId but those a door made itself). A query by
 * clientId states it, so that the database may use that index.
 */
export const CHECKED_CLIENT_ID = `client_id IS NOT NULL AND substr(client_id, 1, ${DOOR_CLIENT_ID_PREFIX.length}) <> '${DOOR_CLIENT_ID_PREFIX}'`;

/** Whether the store checks a post's clientId for repeats (see CHECKED_CLIENT_ID). */
export const checkedClientId = (clientId: string | null): clientId is string => clientId !== null && !clientId.startsWith(DOOR_CLIENT_ID_PREFIX);

export const originOf = (row: OriginColumns): Origin | null =>
  row.origin_system !== null && row.origin_id !== null ? { system: row.origin_system, id: row.origin_id } : null;

export const originColumns = (origin: Origin | null): [string | null, string | null] => (origin ? [origin.system, origin.id] : [null, null]);

export interface UserRow extends OriginColumns {
  id: number;
  login: string;
  display_name: string;
  email: string | null;
  disabled: Flag;
  is_admin: Flag;
  created_at: number;
}
export const USER_COLUMNS = 'id, login, display_name, email, disabled, is_admin, created_at, origin_system, origin_id';
export const toUser = (row: UserRow): User => ({
  id: row.id,
  login: row.login,
  displayName: row.display_name,
  email: row.email,
  disabled: flag(row.disabled),
  isAdmin: flag(row.is_admin),
  createdAt: row.created_at,
  origin: originOf(row),
});

export interface MessageRow extends OriginColumns {
  id: number;
  room_id: number;
  seq: number;
  author_id: number;
  kind: MessageKind;
  title: string | null;
  text: string;
  created_at: number;
  client_id: string | null;
  /** Migration 0017: when the author last edited it; null if never. */
  edited_at: number | null;
  /** Migration 0018: the parent's id when it is a reply, and how many replies it has. */
  reply_to: number | null;
  reply_count: number;
}
export const MESSAGE_COLUMNS = 'id, room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, edited_at, reply_to, reply_count';
/** A message from its row; `editedAt` only when it was edited (as `file` only for a file post), so unedited messages read as before. */
export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  roomId: row.room_id,
  seq: row.seq,
  authorId: row.author_id,
  kind: row.kind,
  title: row.title,
  text: row.text,
  createdAt: row.created_at,
  clientId: row.client_id,
  origin: originOf(row),
  ...(row.edited_at !== null && row.edited_at !== undefined && { editedAt: row.edited_at }),
  // A reply's parent is filled in by the read (storage/replies.ts); a count only when there are replies.
  ...(row.reply_to !== null && row.reply_to !== undefined && { replyTo: removedParent(Number(row.reply_to)) }),
  ...(row.reply_count > 0 && { replyCount: row.reply_count }),
});

type Lists = ReadonlyMap<string, PrincipalRef[]>;

export interface RoomRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
  category_id: number;
  privacy: Privacy;
  type: RoomType;
  invitations: 'inherit' | 'false';
  addin_id: number | null;
  disabled: Flag;
  created_at: number;
  legacy_uri: string | null;
  /** Migration 0015: a direct conversation. */
  direct: Flag;
}
/** A room from its row and its role lists (member, manager, presenter). */
export const toRoom = (row: RoomRow, roles: Lists): Room => ({
  id: row.id,
  name: row.name,
  description: row.description,
  categoryId: row.category_id,
  privacy: row.privacy,
  type: row.type,
  members: roles.get('member') ?? [],
  managers: roles.get('manager') ?? [],
  presenters: roles.get('presenter') ?? [],
  invitations: row.invitations,
  addinId: row.addin_id,
  disabled: flag(row.disabled),
  createdAt: row.created_at,
  origin: originOf(row),
  legacyUri: row.legacy_uri,
  direct: flag(row.direct),
});
/** The one-to-one key a room row stores (migration 0015): set for direct conversations of two people only. */
export const directPairColumn = (r: Omit<Room, 'id' | 'createdAt'>): string | null =>
  r.direct === true ? directPairKey(participantsOf(r)) : null;
export const roomRoles = (r: Omit<Room, 'id' | 'createdAt'>): Record<string, readonly PrincipalRef[]> => ({
  member: r.members,
  manager: r.managers,
  presenter: r.presenters,
});

export interface CategoryRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
  invitations: Flag;
  file_upload: Flag;
  chat_history: Flag;
}
/** A category from its row and its lists (allowed, denied, creator). */
export const toCategory = (row: CategoryRow, acl: Lists): Category => ({
  id: row.id,
  name: row.name,
  description: row.description,
  allowed: acl.get('allowed') ?? [],
  denied: acl.get('denied') ?? [],
  creators: acl.get('creator') ?? [],
  invitations: flag(row.invitations),
  fileUpload: flag(row.file_upload),
  chatHistory: flag(row.chat_history),
  origin: originOf(row),
});
export const categoryLists = (c: Omit<Category, 'id'>): Record<string, readonly PrincipalRef[]> => ({
  allowed: c.allowed,
  denied: c.denied,
  creator: c.creators,
});

export interface NodeRow {
  name: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
  ws_connections: number;
  irc_connections: number;
  active: Flag;
}
export const toNode = (r: NodeRow): NodeRecord => ({
  name: r.name,
  host: r.host,
  pid: r.pid,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  connections: { websocket: r.ws_connections, irc: r.irc_connections },
  active: flag(r.active),
});

/** A compliance record: `data` is JSON text in SQLite, already parsed (jsonb) in PostgreSQL. */
export interface ComplianceRow {
  id: number;
  type: ComplianceEvent['type'];
  room_id: number;
  user_id: number;
  at: number;
  data: string | Record<string, unknown> | null;
}

export const complianceEventOf = (r: ComplianceRow): ComplianceEvent => ({
  id: Number(r.id),
  type: r.type,
  roomId: r.room_id,
  userId: r.user_id,
  at: Number(r.at),
  data: typeof r.data === 'string' ? (r.data === '' ? null : (JSON.parse(r.data) as Record<string, unknown>)) : r.data,
});

/** The compliance export's one state row (cursor, pending batch, lease). */
export interface ComplianceExportRow {
  name: string;
  cursor: number;
  pending_first: number | null;
  pending_last: number | null;
  pending_count: number | null;
  pending_format: ComplianceExportFormat | null;
  owner: string | null;
  lease_until: number;
  last_run_at: number;
}

export const complianceExportStateOf = (r: ComplianceExportRow): ComplianceExportState => ({
  name: r.name,
  cursor: Number(r.cursor),
  pending:
    r.pending_first === null || r.pending_last === null
      ? null
      : { firstId: Number(r.pending_first), lastId: Number(r.pending_last), count: Number(r.pending_count ?? 0), format: r.pending_format ?? 'xml' },
  owner: r.owner,
  leaseUntil: Number(r.lease_until),
  lastRunAt: Number(r.last_run_at),
});

export interface SessionRow {
  id: number;
  user_id: number;
  kind: SessionKind;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  user_agent: string | null;
  address: string | null;
}

export const SESSION_COLUMNS = 'id, user_id, kind, created_at, last_used_at, expires_at, user_agent, address';

export const sessionOf = (row: SessionRow): StoredSession => ({
  id: row.id,
  userId: row.user_id,
  kind: row.kind,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  userAgent: row.user_agent,
  address: row.address,
});
