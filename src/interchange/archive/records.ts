import { z } from 'zod';

/**
 * The records of archive format version 1 (docs/archive-format.md). Every reader and writer of
 * archives, every legacy source and the verifier speak these types, so export → import → export
 * round-trips and a legacy dump becomes the same records an export of pchat would.
 *
 * Ids are the source system's own, as strings, unique within their record type; references
 * between records use them. `origin` says where the source itself got an item when it was
 * imported there earlier, so identity survives a chain of migrations (legacy → pchat → pchat).
 */

export const ARCHIVE_FORMAT = 'pchat-archive';
/**
 * The version an archive with files is written as. One without files is still written as version
 * 1, which earlier pchat reads; version 2 adds files (`files/<sha256>` entries, `attachments` in
 * the manifest, `file` on messages), which an earlier pchat refuses by its version rather than
 * dropping the files. This pchat reads both.
 */
export const ARCHIVE_VERSION = 2;
/** The version written when the archive carries no file. */
export const ARCHIVE_VERSION_WITHOUT_FILES = 1;
/**
 * The version written when some message is a reply, was edited or has reactions: an earlier pchat
 * would refuse those fields line by line, so it refuses the archive by its version instead.
 */
export const ARCHIVE_VERSION_WITH_CONVERSATIONS = 3;
export const ARCHIVE_VERSIONS: readonly number[] = [1, 2, 3];
/** Whether a message needs version 3 to be carried whole. */
export const needsVersion3 = (m: MessageRecord): boolean => m.replyTo !== undefined || m.editedAt !== undefined || m.reactions !== undefined;

const id = z.string().min(1).max(512);
const name = z.string().min(1).max(256);
/** UTC with millisecond precision, e.g. 2011-03-04T10:00:00.123Z. */
const timestamp = z.iso.datetime({ precision: 3 });

export const originSchema = z.strictObject({ system: z.string().min(1).max(128), id });
export type OriginRecord = z.infer<typeof originSchema>;

export const principalRefSchema = z.strictObject({ kind: z.enum(['user', 'group']), id });
export type PrincipalRefRecord = z.infer<typeof principalRefSchema>;

export const userRecordSchema = z.strictObject({
  id,
  login: z.string().min(1).max(256),
  displayName: z.string().max(256),
  email: z.string().max(256).nullable(),
  disabled: z.boolean(),
  isAdmin: z.boolean(),
  origin: originSchema.nullable(),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

export const groupRecordSchema = z.strictObject({
  id,
  name,
  description: z.string().max(1024),
  origin: originSchema.nullable(),
});
export type GroupRecord = z.infer<typeof groupRecordSchema>;

/** One direct member of a group (a user or another group). */
export const membershipRecordSchema = z.strictObject({ group: id, member: principalRefSchema });
export type MembershipRecord = z.infer<typeof membershipRecordSchema>;

const principals = z.array(principalRefSchema);

export const categoryRecordSchema = z.strictObject({
  id,
  name,
  description: z.string().max(256),
  allowed: principals,
  denied: principals,
  creators: principals,
  invitations: z.boolean(),
  fileUpload: z.boolean(),
  chatHistory: z.boolean(),
  origin: originSchema.nullable(),
});
export type CategoryRecord = z.infer<typeof categoryRecordSchema>;

export const roomRecordSchema = z.strictObject({
  id,
  name,
  description: z.string().max(256),
  category: id,
  privacy: z.enum(['open', 'closed', 'secret']),
  type: z.enum(['normal', 'auditorium']),
  members: principals,
  managers: principals,
  presenters: principals,
  invitations: z.enum(['inherit', 'false']),
  addin: id.nullable(),
  disabled: z.boolean(),
  createdAt: timestamp,
  origin: originSchema.nullable(),
  /**
   * The room's address in the legacy group chat system (`ma-chan://<domain>/<nodeGuid>`), which
   * legacy clients remember it by; null when it has none. Optional: archives written before it
   * existed leave it out, and an import then keeps what the target room has (null for a new room).
   */
  legacyUri: z.string().max(512).nullable().optional(),
});
export type RoomRecord = z.infer<typeof roomRecordSchema>;

export const addinRecordSchema = z.strictObject({ id, name, url: z.string().min(1).max(2048) });
export type AddinRecord = z.infer<typeof addinRecordSchema>;

/** Whether users may use persistent chat: global (no target), a site (a group), or one user. */
export const policyRecordSchema = z.strictObject({
  scope: z.enum(['global', 'site', 'user']),
  target: principalRefSchema.nullable(),
  enabled: z.boolean(),
});
export type PolicyRecord = z.infer<typeof policyRecordSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The file a message posted (archive version 2). Its bytes are the archive entry `files/<sha256>`,
 * stored once per content however many messages carry it.
 */
export const fileRecordSchema = z.strictObject({
  /** The name as posted (no path): 1–255 characters, no control characters. */
  name: z.string().min(1).max(1020),
  /** The media type as posted (`type/subtype`). */
  contentType: z.string().min(3).max(255),
  size: z.number().int().nonnegative(),
  /** Lower-case hex SHA-256 of the bytes. */
  sha256,
});
export type FileRecord = z.infer<typeof fileRecordSchema>;

/** The archive entry holding the bytes of the file with this SHA-256. */
export const fileEntryName = (digest: string): string => `files/${digest}`;
/** Entry names of files: `files/` and 64 lower-case hex digits, the one path an archive may hold. */
export const FILE_ENTRY = /^files\/([0-9a-f]{64})$/;

/**
 * One emoji's reactions on a message: a Unicode emoji (sequence), or `:name:` for an emoji the
 * source had by name only (a custom emoji, a shortcode pchat has no character for).
 */
export const reactionRecordSchema = z.strictObject({
  emoji: z.string().min(1).max(64).regex(/^[^\s\p{Cc}]+$/u, 'an emoji or :name:, without spaces'),
  users: z.array(id).min(1),
});
export type ReactionRecord = z.infer<typeof reactionRecordSchema>;

/** Messages are written grouped by room, and within a room in ascending `seq`. */
export const messageRecordSchema = z.strictObject({
  id,
  room: id,
  /** The order within the room in the source (legacy chatId, pchat seq). */
  seq: z.number().int(),
  author: id,
  at: timestamp,
  kind: z.enum(['text', 'story', 'notice']),
  title: z.string().max(256).nullable(),
  text: z.string(),
  origin: originSchema.nullable(),
  /** The file the message posted; absent when it posted none (and in every version 1 archive). */
  file: fileRecordSchema.optional(),
  /**
   * The id of the message of the same room this one answers (a Slack thread reply, a Mattermost
   * reply); absent when it answers none. Its parent comes earlier in the archive. Version 3.
   */
  replyTo: id.optional(),
  /** When its author last edited it (the text is the edited one); absent if never or unknown. Version 3. */
  editedAt: timestamp.optional(),
  /** Emoji reactions, one entry per emoji with the users (ids of this archive) who reacted. Version 3. */
  reactions: z.array(reactionRecordSchema).min(1).optional(),
});
export type MessageRecord = z.infer<typeof messageRecordSchema>;

/**
 * What a source changed or could not carry while turning its data into records: expected
 * conversions (listed separately by verify), warnings, errors (which stop an import, except the
 * item-level problems whose resolution applies: src/interchange/resolutions.ts), and
 * files referenced by messages that must be carried over by hand.
 */
export const noteRecordSchema = z.strictObject({
  severity: z.enum(['conversion', 'warning', 'error', 'file']),
  /** Stable machine-readable code, e.g. `category_flattened`, `invitations_coerced`. */
  code: z.string().min(1).max(64),
  /** The item concerned, by record type and id (and name when it has one). */
  item: z.strictObject({ type: z.string(), id: z.string(), name: z.string().optional() }).nullable(),
  message: z.string(),
});
export type NoteRecord = z.infer<typeof noteRecordSchema>;

/** The record types in the order they are written and read (later ones refer to earlier ones). */
export const RECORD_TYPES = {
  users: userRecordSchema,
  groups: groupRecordSchema,
  memberships: membershipRecordSchema,
  addins: addinRecordSchema,
  categories: categoryRecordSchema,
  rooms: roomRecordSchema,
  policies: policyRecordSchema,
  messages: messageRecordSchema,
  notes: noteRecordSchema,
} as const;
export type RecordType = keyof typeof RECORD_TYPES;
export const RECORD_TYPE_NAMES = Object.keys(RECORD_TYPES) as RecordType[];
export interface RecordOf {
  users: UserRecord;
  groups: GroupRecord;
  memberships: MembershipRecord;
  addins: AddinRecord;
  categories: CategoryRecord;
  rooms: RoomRecord;
  policies: PolicyRecord;
  messages: MessageRecord;
  notes: NoteRecord;
}

export const EXPORT_LEVELS = ['all', 'user', 'category', 'room-directory', 'content'] as const;
export type ExportLevel = (typeof EXPORT_LEVELS)[number];

export const exportOptionsSchema = z.strictObject({
  level: z.enum(EXPORT_LEVELS),
  /** Category names (after any flattening); empty = every category. */
  scope: z.array(z.string()),
  /** ISO timestamp; content older than this is left out. */
  startDate: timestamp.nullable(),
  disableExported: z.boolean(),
});
export type ExportOptions = z.infer<typeof exportOptionsSchema>;

export const manifestSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.number().int().positive(),
  source: z.strictObject({
    /** e.g. `pchat`, `lync-groupchat`. */
    system: z.string().min(1).max(128),
    version: z.string().max(128),
    /** Distinguishes two installations of the same system (a pchat instance id, a legacy pool FQDN). */
    instance: z.string().max(256),
  }),
  createdAt: timestamp,
  options: exportOptionsSchema,
  /** Record count per file, and each file's SHA-256 (hex) and size in bytes. */
  files: z.record(
    z.string(),
    z.strictObject({ records: z.number().int().nonnegative(), sha256, bytes: z.number().int().nonnegative() }),
  ),
  /**
   * Version 2: the files messages posted, by entry name (`files/<sha256>`), each with its size and
   * SHA-256. Absent when the archive carries none.
   */
  attachments: z.record(z.string().regex(FILE_ENTRY), z.strictObject({ sha256, bytes: z.number().int().nonnegative() })).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;
