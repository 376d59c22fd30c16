/** The persistent chat domain's objects, as ../shared/docs/domain.md defines them. */

export type PrincipalKind = 'user' | 'group';

/** A reference to anything that can be granted: a user or a group. */
export interface PrincipalRef {
  readonly kind: PrincipalKind;
  readonly id: number;
}

/** Where a record came from: null for native pchat data, else the legacy system and its id. */
export interface Origin {
  readonly system: string;
  readonly id: string;
}

export interface User {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly disabled: boolean;
  readonly isAdmin: boolean;
  readonly createdAt: number;
  readonly origin: Origin | null;
}

export interface Group {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Direct members only; transitive membership is computed by GroupGraph. */
  readonly members: readonly PrincipalRef[];
  readonly origin: Origin | null;
}

export interface Category {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly allowed: readonly PrincipalRef[];
  readonly denied: readonly PrincipalRef[];
  readonly creators: readonly PrincipalRef[];
  readonly invitations: boolean;
  readonly fileUpload: boolean;
  readonly chatHistory: boolean;
  readonly origin: Origin | null;
}

export const PRIVACIES = ['open', 'closed', 'secret'] as const;
export type Privacy = (typeof PRIVACIES)[number];
export const ROOM_TYPES = ['normal', 'auditorium'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];
export const ROOM_ROLES = ['member', 'manager', 'presenter'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export interface Room {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly categoryId: number;
  readonly privacy: Privacy;
  readonly type: RoomType;
  readonly members: readonly PrincipalRef[];
  readonly managers: readonly PrincipalRef[];
  readonly presenters: readonly PrincipalRef[];
  /** 'inherit' takes the category's flag; 'false' turns invitations off for this room. */
  readonly invitations: 'inherit' | 'false';
  readonly addinId: number | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly origin: Origin | null;
  /**
   * The room's address in the legacy group chat system it was migrated from
   * (`ma-chan://<sip domain>/<node guid>`), by which legacy clients remember it; null for rooms
   * that never had one. Unique among rooms, compared case-insensitively (ASCII, see foldLegacyUri).
   * Set only by imports, never through the API.
   */
  readonly legacyUri: string | null;
  /**
   * A direct conversation (core/direct.ts): its members are its participants (users only), it
   * belongs to the hidden DIRECT_CATEGORY and only its participants ever see it. Absent: false.
   */
  readonly direct?: boolean;
}

/** A notice is said in passing (IRC NOTICE): stored and shown as one, never answered automatically. */
export type MessageKind = 'text' | 'story' | 'notice';

/**
 * How the clientIds a door makes itself start: IRC gives each post an id of its own
 * (protocols/irc/posting.ts), unique by construction and never retried. They are stored (history
 * tells such posts by them) but not checked for repeats, which costs an entry per post in an
 * index ordered by author (migration 0024); clients may not send ids that start so (app/validate.ts).
 * The index of 0024 states this prefix in its SQL, and the stores' queries must match it
 * (storage/rows.ts CHECKED_CLIENT_ID): changing it takes a migration.
 */
export const DOOR_CLIENT_ID_PREFIX = 'irc-';

export interface Message {
  readonly id: number;
  readonly roomId: number;
  /** Per-room sequence number; only grows. 0 for live-only messages of history-less categories. */
  readonly seq: number;
  readonly authorId: number;
  readonly kind: MessageKind;
  readonly title: string | null;
  readonly text: string;
  /** Server time, UTC milliseconds since the epoch. */
  readonly createdAt: number;
  readonly clientId: string | null;
  readonly origin: Origin | null;
  /** The file this message posted, if it is a file post (a file belongs to one room and one message). */
  readonly file?: FileInfo | null;
  /**
   * When its author last edited it (UTC ms; migration 0017); absent (or null) if never. Moderation's
   * replacement does not set it: only the author's own edit does (app/ownMessages.ts).
   */
  readonly editedAt?: number | null;
  /** The message of the same room this one answers (migration 0018); absent when it answers none. */
  readonly replyTo?: ReplyRef | null;
  /** How many messages answer this one; absent when none. */
  readonly replyCount?: number;
  /** Emoji reactions (migration 0019, core/reactions.ts), in the order first reacted with; absent when none. */
  readonly reactions?: readonly Reaction[];
}

/** One emoji on a message and who reacted with it, in the order they did. */
export interface Reaction {
  readonly emoji: string;
  readonly userIds: readonly number[];
}

/**
 * What a reply shows of its parent: enough for a quote and a link. When the parent was removed
 * since, `seq` and `authorId` are null and `excerpt` is empty (the reply still says it was one).
 */
export interface ReplyRef {
  readonly id: number;
  readonly seq: number | null;
  readonly authorId: number | null;
  /** The start of the parent's text, at most REPLY_EXCERPT characters. */
  readonly excerpt: string;
}
/** How much of a parent a reply carries (stores cut it, presenters shorten it further). */
export const REPLY_EXCERPT = 120;

/** A file posted in a room: its bytes are stored once per content (SHA-256), its row per post. */
export interface FileInfo {
  readonly id: number;
  readonly roomId: number;
  readonly messageId: number;
  /** The name as uploaded (no path), at most 255 characters. */
  readonly name: string;
  /** The media type as given by the uploader (checked for shape, never trusted for serving). */
  readonly contentType: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the bytes: the key of the blob store. */
  readonly sha256: string;
  readonly uploaderId: number;
  readonly createdAt: number;
  readonly origin: Origin | null;
}

export interface AddIn {
  readonly id: number;
  readonly name: string;
  readonly url: string;
}

export type PolicyScope = 'global' | 'site' | 'user';
export const POLICY_KINDS = ['chat', 'direct'] as const;
/** Which switch a policy rule sets: persistent chat as a whole, or direct conversations. */
export type PolicyKind = (typeof POLICY_KINDS)[number];

/**
 * Whether users may use persistent chat (the `chat` policy), or start and post in direct
 * conversations (the `direct` policy, kept in its own list with the same scopes). A site is a group of users.
 */
export interface PolicyRule {
  readonly scope: PolicyScope;
  /** null for global; the group id for a site; the user id for a user. */
  readonly targetId: number | null;
  readonly enabled: boolean;
}

/** Runtime chat configuration, stored in the database and changeable while running. */
/**
 * How long authors may edit or delete their own messages: `off` (Lync's rule: never), a number of
 * minutes after posting, or `always`. Administrators' moderation is not bound by it.
 */
export type EditWindow = 'off' | 'always' | number;

export interface ChatConfig {
  readonly defaultChatHistory: number;
  readonly participantUpdateLimit: number;
  readonly maxMessageChars: number;
  readonly maxFileSizeKB: number;
  readonly roomManagementUrl: string | null;
  /** Authors' own edits and deletions (docs: README, "Editing and deleting your messages"). */
  readonly editOwnMessages: EditWindow;
}

export const DEFAULT_CHAT_CONFIG: ChatConfig = {
  defaultChatHistory: 30,
  participantUpdateLimit: 75,
  maxMessageChars: 16_000,
  maxFileSizeKB: 20_000,
  roomManagementUrl: null,
  // Long enough to fix a typo or take back a message sent to the wrong room, short enough that
  // what others read and answered an hour ago is not rewritten under them (compliance keeps every text anyway).
  editOwnMessages: 15,
};

/** EDIT and DELETE (migration 0017): an author edited (previous and new text) or deleted (the text removed) their own message. */
/** REACT and UNREACT (migration 0019): a user added or took back an emoji reaction (data: messageId, seq, emoji). */
export const COMPLIANCE_TYPES = ['JOIN', 'PART', 'CHAT', 'BACKCHAT', 'FILEUPLOAD', 'FILEDOWNLOAD', 'EDIT', 'DELETE', 'REACT', 'UNREACT'] as const;
export type ComplianceType = (typeof COMPLIANCE_TYPES)[number];

export interface ComplianceEvent {
  readonly id: number;
  readonly type: ComplianceType;
  readonly roomId: number;
  readonly userId: number;
  readonly at: number;
  /** For CHAT: the message id, seq and original text, kept even after moderation. */
  readonly data: Readonly<Record<string, unknown>> | null;
}
