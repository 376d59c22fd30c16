import type {
  AddIn,
  Category,
  ChatConfig,
  ComplianceEvent,
  ComplianceType,
  FileInfo,
  Group,
  Message,
  MessageKind,
  Reaction,
  ReplyRef,
  Origin,
  PolicyRule,
  PrincipalRef,
  Room,
  User,
} from '../core/model.js';
import type { NotifyLevel } from '../core/mentions.js';
import type { MentionStore } from './mentions.js';
import type { Decommission, Maintenance, NodeRecord, PoolSignal } from './pool.js';
import type { ComplianceExportStore } from './complianceExport.js';
import type { ReactionStore } from './reactions.js';
import type { FeedStore } from './feeds.js';

/**
 * Everything the application keeps. Every method is async so that a networked store
 * (PostgreSQL, for pools) satisfies the same port as the embedded SQLite one.
 * Each method is atomic on its own; multi-row changes (a room with its role lists) are
 * written whole, in one transaction.
 */
export interface Store {
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly categories: CategoryStore;
  readonly rooms: RoomStore;
  readonly messages: MessageStore;
  readonly addins: AddInStore;
  readonly policies: PolicyStore;
  /** The direct-message policy (migration 0015): the same rules and scopes, its own list; no rule means enabled. */
  readonly directPolicies: PolicyStore;
  readonly settings: SettingsStore;
  readonly sessions: SessionStore;
  readonly compliance: ComplianceStore;
  /** Reading the compliance record for exports, and the scheduled export's cursor (docs/compliance.md). */
  readonly complianceExport: ComplianceExportStore;
  readonly events: EventLogStore;
  readonly audit: AuditStore;
  readonly nodes: NodeStore;
  readonly reading: ReadingStore;
  readonly preferences: PreferenceStore;
  /** @mentions (migration 0020; mentions.ts in each store). */
  readonly mentions: MentionStore;
  readonly files: FileStore;
  /** Emoji reactions on messages (migration 0019; reactions.ts in each store). */
  readonly reactions: ReactionStore;
  /** Topic feeds: users' keyword filters and the hits the matcher stores (migration 0021). */
  readonly feeds: FeedStore;
  readonly blobs: BlobStore;
  /** Bulk import in one transaction from a spool (SQLite); null where the store has no such path. */
  readonly bulk: BulkImport | null;
  /** How the nodes of a pool announce new messages; null where one process serves (SQLite). */
  readonly signal: PoolSignal | null;
  /**
   * Makes every change committed so far durable. Commits already are, unless the store was
   * opened with relaxed durability for a bulk job (SQLite synchronous=normal), which calls this
   * once before it reports success.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export type NewUser = Omit<User, 'id' | 'createdAt'> & { passwordHash: string | null };
export interface UserStore {
  get(id: number): Promise<User | null>;
  getByLogin(login: string): Promise<User | null>;
  list(): Promise<User[]>;
  create(user: NewUser): Promise<User>;
  update(user: User): Promise<void>;
  passwordHash(id: number): Promise<string | null>;
  /**
   * Sets the password hash and, in the same write, replaces the encrypted NT hash with
   * `ntHashEnc` (absent or null: none), and clears the must-change-password flag. The two
   * hashes always describe the same password, so a
   * password change can never leave the old password usable through SIP NTLM.
   */
  setPasswordHash(id: number, hash: string, ntHashEnc?: Buffer | null): Promise<void>;
  /** The account's NT hash for SIP NTLM as the application encrypted it, or null. */
  ntHashEnc(id: number): Promise<Buffer | null>;
  /**
   * Stores the encrypted NT hash only while the password hash is still `passwordHash`, the one
   * it was derived from (a concurrent password change wins). False when nothing was written.
   */
  setNtHashEnc(id: number, ntHashEnc: Buffer, passwordHash: string): Promise<boolean>;
  /**
   * Whether the account must choose a new password before doing anything else (the first
   * administrator's one-time password). `setPasswordHash` clears it.
   */
  mustChangePassword(id: number): Promise<boolean>;
  setMustChangePassword(id: number, required: boolean): Promise<void>;
  countAdmins(): Promise<number>;
}

export interface GroupStore {
  get(id: number): Promise<Group | null>;
  getByName(name: string): Promise<Group | null>;
  list(): Promise<Group[]>;
  create(group: Omit<Group, 'id'>): Promise<Group>;
  update(group: Group): Promise<void>;
  /**
   * Adds one member at the end of the group's list, in one statement, so concurrent additions
   * (from several pool nodes) never overwrite each other. False when it was a member already.
   */
  addMember(groupId: number, member: PrincipalRef): Promise<boolean>;
  /** Also removes the group from every member list, ACL and policy that names it. */
  remove(id: number): Promise<void>;
}

export interface CategoryStore {
  get(id: number): Promise<Category | null>;
  getByName(name: string): Promise<Category | null>;
  list(): Promise<Category[]>;
  create(category: Omit<Category, 'id'>): Promise<Category>;
  update(category: Category): Promise<void>;
  /** Throws category_not_empty when rooms remain. */
  remove(id: number): Promise<void>;
}

export interface RoomStore {
  get(id: number): Promise<Room | null>;
  /** Latest sequence number of every room, for catching up on missed announcements. */
  lastSeqs(): Promise<Map<number, number>>;
  getByName(name: string): Promise<Room | null>;
  list(): Promise<Room[]>;
  /** `createdAt` defaults to now; an import passes the source's. */
  create(room: Omit<Room, 'id' | 'createdAt'> & { createdAt?: number }): Promise<Room>;
  update(room: Room): Promise<void>;
  /** Deletes the room and its history (compliance records stay). */
  remove(id: number): Promise<void>;
  /** Latest sequence number issued in the room (0 when empty). */
  lastSeq(id: number): Promise<number>;
}

export interface NewMessage {
  readonly roomId: number;
  readonly authorId: number;
  readonly kind: MessageKind;
  readonly title: string | null;
  readonly text: string;
  readonly createdAt: number;
  readonly clientId: string | null;
  readonly origin: Origin | null;
  /** False in categories whose chat history is off: compliance records it, history does not. */
  readonly keep: boolean;
  /** Users it mentions who may read the room (app/mentions.ts decides): their mention rows are written in the message's transaction. */
  readonly mentions?: readonly number[];
  /** A file post: the file row is written in the same transaction as the message (its bytes are already durable in the BlobStore). */
  readonly file?: NewFile | null;
  /** A reply: its parent, a message of the same room (app/messages.ts checked it exists). */
  readonly replyTo?: ReplyRef | null;
}

/** A file row to write with its message; the bytes are in the BlobStore under `sha256`. */
export interface NewFile {
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly origin?: Origin | null;
}

/** File rows (metadata). Rows go with their message: removing or replacing a message removes its file row. */
export interface FileStore {
  get(id: number): Promise<FileInfo | null>;
  /** Of these digests, the ones no file row references (the orphan sweep deletes their blobs). */
  unreferenced(sha256s: readonly string[]): Promise<string[]>;
}

/**
 * File bytes, content-addressed by SHA-256 (lower-case hex). Two adapters: a directory under
 * dataDir (the embedded default) and PostgreSQL itself (for pools: every node shares it).
 */
export interface BlobStore {
  /**
   * Streams the bytes in and resolves once they are durable (temp, fsync, rename; or committed
   * rows). Rejects with PchatError('too_large') the moment more than `maxBytes` arrive, keeping
   * nothing. Content already stored is not written twice, but its time is refreshed (see delete).
   */
  put(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ sha256: string; size: number }>;
  /** The bytes from `start` to `end` (inclusive; default the whole blob), or null when absent. */
  get(sha256: string, range?: { start: number; end: number }): Promise<AsyncIterable<Uint8Array> | null>;
  has(sha256: string): Promise<boolean>;
  /**
   * Deletes the blob. With `olderThan` (epoch ms), only if it was last put before then, decided
   * atomically against concurrent puts of the same content: the orphan sweep passes now minus a
   * grace period, so bytes put for a file row not committed yet are never swept.
   */
  delete(sha256: string, options?: { readonly olderThan?: number }): Promise<void>;
  /** Stored digests after `after` in ascending order (for the orphan sweep), at most `limit`. */
  list(after: string | null, limit: number): Promise<string[]>;
}

export interface AppendResult {
  readonly message: Message;
  /** True when the same client id (or origin) was already stored; `message` is the stored one. */
  readonly duplicate: boolean;
}

export interface HistoryQuery {
  readonly roomId: number;
  /** Exclusive bounds on the sequence number. */
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface SearchQuery {
  /** Plain words; every one must appear (the store quotes them for its own syntax). */
  readonly terms: readonly string[];
  readonly roomIds: readonly number[];
  readonly authorId?: number;
  readonly from?: number;
  readonly to?: number;
  /** Keyset cursor: only hits with a smaller message id (newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

export interface ModerationSelection {
  readonly roomIds?: readonly number[];
  readonly authorId?: number;
  readonly from?: number;
  readonly to?: number;
  readonly afterId?: number;
  readonly limit: number;
}

/** A message brought in by an import: it keeps its original time and its origin. */
export interface ImportedMessage {
  readonly authorId: number;
  readonly kind: MessageKind;
  readonly title: string | null;
  readonly text: string;
  readonly createdAt: number;
  readonly origin: Origin;
  /** An imported file post: its bytes were put in the BlobStore first. */
  readonly file?: NewFile | null;
  /**
   * An imported reply: the origin of its parent, a message of the same room imported earlier (in
   * this batch or before). The store links them; a parent it cannot find leaves a plain message.
   */
  readonly replyTo?: Origin | null;
  /** When the author last edited it in the source (the text is the edited one). */
  readonly editedAt?: number | null;
  /** Its reactions (pchat user ids), written with it; a message already stored keeps its own. */
  readonly reactions?: readonly Reaction[];
}

export interface ImportHistoryResult {
  /** How many were new (the others were already stored, found by origin). */
  readonly inserted: number;
  /** True when some imported messages are older than messages already there, so the room's tail was renumbered. */
  readonly renumbered: boolean;
}

/**
 * A message as an import's check spools it: validated, its time and origin resolved, but still
 * naming its author by the source's user id (pchat ids exist only once the import wrote users).
 */
export interface SpooledMessage {
  readonly author: string;
  readonly kind: MessageKind;
  readonly title: string | null;
  readonly text: string;
  readonly createdAt: number;
  readonly origin: Origin;
  /** A reply: its parent's identity (see ImportedMessage.replyTo). */
  readonly replyTo?: Origin;
  readonly editedAt?: number;
  /** Its reactions, naming users by the source's ids as `author` does. */
  readonly reactions?: readonly { readonly emoji: string; readonly users: readonly string[] }[];
}

/**
 * Writes an import's spool, a scratch file of checked messages numbered 1, 2, 3 … in the order
 * added. Synchronous, for a thread that does nothing else; the rows are readable once it is closed.
 */
export interface SpoolWriter {
  readonly rows: number;
  add(message: SpooledMessage): void;
  close(): void;
}

/** One room's part of a spool: rows `from`…`to` (inclusive) go into room `roomId`. */
export interface SpoolSlice {
  readonly roomId: number;
  readonly from: number;
  readonly to: number;
  /** None of these messages can be stored yet (their room holds none from their system): the store need not look. */
  readonly allNew: boolean;
}

/**
 * A store's bulk path for an import that holds the target's write lock from start to end:
 * everything it writes commits at once, or nothing does, and its history is copied inside the
 * store from spool files that another thread fills meanwhile, not passed through the
 * application row by row.
 */
export interface BulkImport {
  /**
   * Creates `parts` empty spool files (each to be filled with `openSpoolWriter` from stores.ts, on
   * any thread, and closed before it is imported) and opens one write transaction. Every write
   * through this store until `finish` belongs to it.
   */
  begin(parts: number): Promise<BulkSession>;
}

export interface BulkSession {
  readonly spoolFiles: readonly string[];
  /**
   * Imports slices of a closed spool part exactly as `importHistory` would import their rows
   * (origins already stored are skipped, next seqs, renumbering). `authors` gives the pchat user
   * of each source author. Returns one result per slice.
   */
  importSpooled(part: number, slices: readonly SpoolSlice[], authors: ReadonlyMap<string, number>): Promise<ImportHistoryResult[]>;
  /** Commits (or rolls back) everything since `begin`, and deletes the spool files. */
  finish(commit: boolean): Promise<void>;
}

export interface MessageStore {
  /**
   * Appends posts in one transaction: assigns each kept message the next sequence number of
   * its room, skips duplicates by (room, author, clientId) or origin, and records a CHAT
   * compliance event for every post. Durable when the promise resolves.
   */
  append(posts: readonly NewMessage[]): Promise<AppendResult[]>;
  /**
   * Adds imported history to one room in one transaction, skipping messages whose origin is
   * already stored (so a re-run or a resumed run adds nothing twice). New messages get the
   * room's next sequence numbers. When some are older than messages already in the room, the
   * room's tail (from the first message newer than the oldest imported one) is renumbered above
   * the highest seq in (time, seq) order, so history reads in timestamp order while seqs still
   * only grow and are never reused. No compliance records: importing is not posting.
   */
  importHistory(roomId: number, messages: readonly ImportedMessage[]): Promise<ImportHistoryResult>;
  /** Which of these origin ids of one system are already stored. */
  storedOrigins(system: string, ids: readonly string[]): Promise<Set<string>>;
  /** Whether the room holds any message imported from this system. */
  roomHoldsOrigins(roomId: number, system: string): Promise<boolean>;
  /** Ascending by seq. With beforeSeq only: the newest `limit` below it. */
  history(query: HistoryQuery): Promise<Message[]>;
  /** First seq at or after the time (ms), or null if none. */
  seqAtOrAfter(roomId: number, at: number): Promise<number | null>;
  getBySeq(roomId: number, seq: number): Promise<Message | null>;
  /** Newest first. */
  search(query: SearchQuery): Promise<Message[]>;
  /** Candidates for moderation, ascending by id, for keyset paging. */
  select(selection: ModerationSelection): Promise<Message[]>;
  remove(ids: readonly number[]): Promise<void>;
  replaceText(ids: readonly number[], text: string): Promise<void>;
  /** Deletes messages in the room created at or before `upTo` (ms). Returns how many. */
  clear(roomId: number, upTo: number): Promise<number>;
  count(roomId: number): Promise<number>;
  /**
   * An author's edit of their own message (app/ownMessages.ts decides who may): in one
   * transaction, sets the text of message `id` if `authorId` wrote it, marks it edited at `at`,
   * and appends an EDIT compliance record with the previous and the new text (read inside the
   * transaction, so two edits at once each record what they replaced). The full-text index
   * follows the text. Null when no such message of that author exists (removed meanwhile).
   */
  editOwn(edit: OwnEdit): Promise<{ readonly before: Message; readonly after: Message } | null>;
  /**
   * An author's deletion of their own message: in one transaction, deletes message `id` (its
   * file row with it) if `authorId` wrote it, and appends a DELETE compliance record with what
   * was removed. The removed message, or null when there was none.
   */
  removeOwn(removal: OwnRemoval): Promise<Message | null>;
}

export interface OwnEdit {
  readonly id: number;
  readonly authorId: number;
  readonly text: string;
  readonly at: number;
  /** Who the new text mentions (replacing the message's mention rows in the same transaction). */
  readonly mentions?: readonly number[];
}

export interface OwnRemoval {
  readonly id: number;
  readonly authorId: number;
  readonly at: number;
  /** The author's reason (IRC's REDACT may give one), kept in the compliance record. */
  readonly reason: string | null;
}

export interface AddInStore {
  get(id: number): Promise<AddIn | null>;
  getByName(name: string): Promise<AddIn | null>;
  list(): Promise<AddIn[]>;
  create(addin: Omit<AddIn, 'id'>): Promise<AddIn>;
  update(addin: AddIn): Promise<void>;
  /** Detaches it from every room that uses it. */
  remove(id: number): Promise<void>;
}

export interface PolicyStore {
  list(): Promise<PolicyRule[]>;
  set(rule: PolicyRule): Promise<void>;
  remove(scope: PolicyRule['scope'], targetId: number | null): Promise<boolean>;
}

export interface SettingsStore {
  chatConfig(): Promise<ChatConfig>;
  setChatConfig(config: ChatConfig): Promise<void>;
  /** The pool-wide read-only state, or null when posting is allowed. */
  maintenance(): Promise<Maintenance | null>;
  setMaintenance(state: Maintenance | null): Promise<void>;
  /** Set once the deployment was migrated away (see Decommission), else null. */
  decommissioned(): Promise<Decommission | null>;
  setDecommissioned(state: Decommission | null): Promise<void>;
  /** This installation's stable id (made at first use): exported items of native origin are `pchat:<id>`. */
  instanceId(): Promise<string>;
  /**
   * The last identity mark written into this database (null: none yet). `/healthz` reports it
   * next to `instanceId()`, so `pchat migrate` can prove a server reads this very database and
   * not a copy of it (which has the same instance id): it writes a fresh mark, then asks.
   */
  identityMark(): Promise<string | null>;
  setIdentityMark(mark: string): Promise<void>;
}

/** The pool's server processes: each registers at start and heartbeats; administrators drain them. */
export interface NodeStore {
  /** Inserts or refreshes the node; an existing row keeps its active flag (a drained node stays drained). */
  register(node: Omit<NodeRecord, 'active'>): Promise<NodeRecord>;
  /** Refreshes heartbeat and connection counts. Returns the node's active flag, or null if it is not registered. */
  heartbeat(name: string, at: number, connections: NodeRecord['connections']): Promise<boolean | null>;
  list(): Promise<NodeRecord[]>;
  /** False when no node has that name. */
  setActive(name: string, active: boolean): Promise<boolean>;
}

/**
 * How a session was opened: `token` is a bearer token (HTTP sign-in, used by the API and
 * WebSocket connections); `irc` and `sip` are one connection each, signed in with a password,
 * whose row lives as long as the connection (it is listed and can be ended like a token).
 */
export type SessionKind = 'token' | 'irc' | 'sip';

export interface StoredSession {
  readonly id: number;
  readonly userId: number;
  readonly kind: SessionKind;
  readonly createdAt: number;
  /** Updated at most once a minute (sessions.ts), not at every request. */
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  /** The client's User-Agent (HTTP, SIP) or IRC client description, as it gave it. */
  readonly userAgent: string | null;
  /** The peer address the session was opened from. */
  readonly address: string | null;
}

export type NewSession = Omit<StoredSession, 'id' | 'lastUsedAt'> & { readonly tokenHash: string };

export interface SessionStore {
  /** Stores a session and deletes those past `expiresAt`, or unused since `idleBefore`. */
  create(session: NewSession, idleBefore: number): Promise<StoredSession>;
  /**
   * `create` for many, in one transaction (connections opening at once share one commit). For
   * IRC and SIP connections' rows: a store may commit them without waiting for the disk, since a
   * power cut ends those connections too.
   */
  createMany(sessions: readonly NewSession[], idleBefore: number): Promise<StoredSession[]>;
  /** The session of a token hash, with its account's must-change-password flag (one read per request). */
  get(tokenHash: string): Promise<(StoredSession & { readonly mustChangePassword: boolean }) | null>;
  /** A user's sessions, oldest first. */
  listForUser(userId: number): Promise<StoredSession[]>;
  /** Records a use of these sessions at `at` (one write for many: callers batch them). */
  touch(ids: readonly number[], at: number): Promise<void>;
  /** Removes the session of a token hash; returns it, or null when there was none. */
  remove(tokenHash: string): Promise<StoredSession | null>;
  /** Removes those of `ids` that belong to `userId`; returns the ids removed. */
  removeByIds(userId: number, ids: readonly number[]): Promise<number[]>;
  /** Removes these sessions, whoever's they are (connections that closed), in one transaction; like `createMany`, need not wait for the disk. */
  removeMany(ids: readonly number[]): Promise<void>;
  /** Removes every session of a user but `keepId`; returns the ids removed. */
  removeForUser(userId: number, keepId?: number): Promise<number[]>;
}

export type NewComplianceEvent = Omit<ComplianceEvent, 'id'>;
export interface ComplianceStore {
  /** Append-only: there is deliberately no update or delete. */
  append(events: readonly NewComplianceEvent[]): Promise<void>;
  list(query: { afterId?: number; type?: ComplianceType; roomId?: number; limit: number }): Promise<ComplianceEvent[]>;
}

export interface LoggedEvent {
  readonly id: number;
  readonly node: string;
  readonly payload: string;
}
/** The shared event log that carries changes between processes (CLI → server, node → node). */
export interface EventLogStore {
  append(node: string, payloads: readonly string[]): Promise<void>;
  after(id: number, limit: number): Promise<LoggedEvent[]>;
  lastId(): Promise<number>;
  prune(olderThan: number): Promise<void>;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  /** 0 for the local administrator acting through the CLI. */
  readonly actorId: number;
  readonly isAdmin: boolean;
  /** e.g. `rooms.update` */
  readonly action: string;
  /** The id acted on, when there is one. */
  readonly target: string | null;
  /** The input, with secrets removed. */
  readonly input: unknown;
  /** `ok`, or the error code. */
  readonly outcome: string;
}
/** Append-only record of every change made through the application, and by whom. */
export interface AuditStore {
  append(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  list(query: { afterId?: number; actorId?: number; limit: number }): Promise<AuditEntry[]>;
}

/** One user's relation to one room: whether they follow it, and how far they have read. */
export interface ReadingState {
  readonly roomId: number;
  readonly followed: boolean;
  /** The highest seq the user has read (0: none). */
  readonly lastRead: number;
  /** Which new messages of the room notify the user (migration 0020; default `mentions`). */
  readonly notify: NotifyLevel;
}
/** Per-user reading state that roams between devices: followed rooms and read positions. */
export interface ReadingStore {
  /** Every room the user follows or has read, in room id order. */
  list(userId: number): Promise<ReadingState[]>;
  setFollowed(userId: number, roomId: number, followed: boolean): Promise<void>;
  /** Moves the read position forward only: an older seq than the stored one changes nothing. */
  markRead(userId: number, roomId: number, seq: number): Promise<void>;
  /** The user's notification setting for the room (kept with the read position, so it roams too). */
  setNotify(userId: number, roomId: number, level: NotifyLevel): Promise<void>;
}

export interface Preference {
  readonly key: string;
  readonly value: string;
}
/** Per-user preferences (key → text), e.g. what a Lync / OCS client keeps on the server. Deleted with the user. */
export interface PreferenceStore {
  /** The user's preferences by key (code-point order); only those named when `keys` is given. */
  list(userId: number, keys?: readonly string[]): Promise<Preference[]>;
  /**
   * Sets one preference, or removes it when `value` is null. A new key is refused (false,
   * nothing written) when the user already has `maxKeys`; replacing or removing is always allowed.
   */
  set(userId: number, key: string, value: string | null, maxKeys: number): Promise<boolean>;
}
