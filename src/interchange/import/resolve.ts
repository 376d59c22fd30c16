import { normalizeContentType, validateFileName } from '../../app/files.js';
import { validateHttpUrl } from '../../core/validation.js';
import type { AddinRecord, CategoryRecord, GroupRecord, MembershipRecord, MessageRecord, NoteRecord, PolicyRecord, PrincipalRefRecord, RoomRecord, UserRecord } from '../archive/records.js';

/**
 * The import's resolutions of item-level problems (src/interchange/resolutions.ts): what the plan
 * decided for items it cannot take as they are, applied the same way by the plan (to compare with
 * the target) and by the writer, so the plan shows exactly what is written.
 *
 * - a name equal (ignoring case) to an earlier item's of the same kind in the source is told apart
 *   by a suffix from the item's source id;
 * - a room whose category is not in the source is skipped, with its messages;
 * - an add-in with a URL pchat does not accept (not http or https) is skipped; rooms that use a
 *   skipped or missing add-in are imported without it;
 * - a reference to a user or group that is not in the source is dropped from the list naming it;
 * - a room's legacy URI that another room has already is dropped (a legacy URI names one room);
 * - a membership naming a group or principal that is not in the source, or closing a cycle of
 *   groups, is skipped; so is a policy for a principal that is not in the source;
 * - a message in a room that is not in the source or is skipped, by an author who is not in the
 *   source, or with a file pchat cannot keep, is skipped.
 */

export type ResolvedType = 'user' | 'group' | 'addin' | 'category' | 'room';

export interface ItemDecisions {
  /** Source id → the name the import gives the item (only where it differs from the source's). */
  readonly names: Record<ResolvedType, Map<string, string>>;
  /** Items the import leaves out, by source id. */
  readonly skipped: Record<ResolvedType, Set<string>>;
  /** Source ids of the principals the import carries: a reference to any other is dropped. */
  readonly principals: { readonly user: Set<string>; readonly group: Set<string> };
  /** Add-ins the import carries. */
  readonly addins: Set<string>;
  /** Rooms imported without their legacy URI. */
  readonly legacyUriDropped: Set<string>;
  /** Memberships left out, as membershipKey. */
  readonly membershipsSkipped: Set<string>;
  /** Source users who are existing pchat accounts (people/mapping.ts): mapped, never written. */
  readonly mapped: Set<string>;
  /** Source user → the source user whose new account it is too (the mapping file folds them). */
  readonly sameAs: Map<string, string>;
}

const perType = <T>(make: () => T): Record<ResolvedType, T> => ({ user: make(), group: make(), addin: make(), category: make(), room: make() });
export const emptyDecisions = (): ItemDecisions => ({
  names: perType(() => new Map()),
  skipped: perType(() => new Set()),
  principals: { user: new Set(), group: new Set() },
  addins: new Set(),
  legacyUriDropped: new Set(),
  membershipsSkipped: new Set(),
  mapped: new Set(),
  sameAs: new Map(),
});

export const membershipKey = (m: MembershipRecord): string => `${m.group}\u0000${m.member.kind}:${m.member.id}`;
const carried = (d: ItemDecisions, refs: readonly PrincipalRefRecord[]) => refs.filter((r) => d.principals[r.kind].has(r.id));
/** The references of a list that the import drops (their principal is not in the source). */
export const droppedRefs = (d: ItemDecisions, refs: readonly PrincipalRefRecord[]): PrincipalRefRecord[] => refs.filter((r) => !d.principals[r.kind].has(r.id));

export const resolvedUser = (u: UserRecord, d: ItemDecisions): UserRecord => {
  const login = d.names.user.get(u.id);
  return login === undefined ? u : { ...u, login };
};
export const resolvedGroup = (g: GroupRecord, d: ItemDecisions): GroupRecord => {
  const name = d.names.group.get(g.id);
  return name === undefined ? g : { ...g, name };
};
export const resolvedAddin = (a: AddinRecord, d: ItemDecisions): AddinRecord | null => {
  if (d.skipped.addin.has(a.id)) return null;
  const name = d.names.addin.get(a.id);
  return name === undefined ? a : { ...a, name };
};
export const resolvedCategory = (c: CategoryRecord, d: ItemDecisions): CategoryRecord => ({
  ...c,
  name: d.names.category.get(c.id) ?? c.name,
  allowed: carried(d, c.allowed),
  denied: carried(d, c.denied),
  creators: carried(d, c.creators),
});
export const resolvedRoom = (r: RoomRecord, d: ItemDecisions): RoomRecord | null => {
  if (d.skipped.room.has(r.id)) return null;
  return {
    ...r,
    name: d.names.room.get(r.id) ?? r.name,
    members: carried(d, r.members),
    managers: carried(d, r.managers),
    presenters: carried(d, r.presenters),
    addin: r.addin !== null && d.addins.has(r.addin) ? r.addin : null,
    ...(d.legacyUriDropped.has(r.id) && { legacyUri: null }),
  };
};
export const membershipKept = (m: MembershipRecord, d: ItemDecisions): boolean => !d.membershipsSkipped.has(membershipKey(m));
export const policyKept = (p: PolicyRecord, d: ItemDecisions): boolean => p.target === null || d.principals[p.target.kind].has(p.target.id);

/** Whether pchat accepts an add-in's URL. */
export function addinUrlProblem(url: string): string | null {
  try {
    validateHttpUrl(url);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** What checking a message needs to know (plain data, as ContentContext). */
export interface MessageContext {
  readonly roomNames: ReadonlyMap<string, string>;
  readonly skippedRooms: ReadonlySet<string>;
  readonly userIds: ReadonlySet<string>;
  readonly attachments: ReadonlyMap<string, number> | null;
}

/** Why a room's messages are all skipped, or null. */
export function roomSkipReason(room: string, ctx: Pick<MessageContext, 'roomNames' | 'skippedRooms'>): string | null {
  if (!ctx.roomNames.has(room)) return `room "${room}" is not in the source`;
  if (ctx.skippedRooms.has(room)) return `room "${ctx.roomNames.get(room) ?? room}" is skipped`;
  return null;
}

/** Why this one message is skipped (its room aside), or null: its author, or its file. */
export function messageSkipReason(m: MessageRecord, ctx: Pick<MessageContext, 'userIds' | 'attachments'>): string | null {
  if (!ctx.userIds.has(m.author)) return `message "${m.id}" is by user "${m.author}", who is not in the source`;
  if (m.file) return fileProblem(m, ctx.attachments);
  return null;
}

/** A message's file: a name and media type pchat keeps as they are, and, from an archive, bytes the archive holds. */
function fileProblem(m: MessageRecord, attachments: ReadonlyMap<string, number> | null): string | null {
  const file = m.file!;
  let name: string | null = null;
  try {
    name = validateFileName(file.name);
  } catch {
    // reported below
  }
  if (name !== file.name) return `message "${m.id}" carries a file named ${JSON.stringify(file.name)}, which is not a file name pchat keeps (1–255 characters, no path, no control characters)`;
  if (normalizeContentType(file.contentType) !== file.contentType) return `message "${m.id}" carries a file of media type ${JSON.stringify(file.contentType)}; pchat keeps a lower-case type/subtype`;
  if (attachments === null) return null;
  const bytes = attachments.get(file.sha256);
  if (bytes === undefined) return `message "${m.id}" carries the file "${file.name}" (SHA-256 ${file.sha256}), which the archive does not hold`;
  if (bytes !== file.size) return `message "${m.id}" says its file "${file.name}" has ${file.size} bytes; the archive's entry ${file.sha256} has ${bytes}`;
  return null;
}

/** A resolution note: a warning that says what the import does, or under --strict an error that refuses. */
export function resolutionNote(strict: boolean, code: string, item: NoteRecord['item'], message: string): NoteRecord {
  return strict ? { severity: 'error', code, item, message: `${message} (--strict: refused)` } : { severity: 'warning', code, item, message };
}
