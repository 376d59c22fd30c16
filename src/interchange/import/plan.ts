import { foldLegacyUri } from '../../core/legacyUri.js';
import { typeName } from '../reportWords.js';
import type { Origin } from '../../core/model.js';
import type { ExportLevel, MessageRecord, NoteRecord, PrincipalRefRecord, ReactionRecord, UserRecord } from '../archive/records.js';
import { identityOf, type RecordSource, recordBatches, type SourceDescription, systemKey } from '../source.js';
import { categoryFields, emptyMaps, type IdMaps, legacyUriOf, roomFields, sameFields } from './fields.js';
import { distinctLogin, distinctName } from '../names.js';
import { type ItemResolution, itemResolutions, resolveNote } from '../resolutions.js';
import { IdHashes } from './idHashes.js';
import { keptReactions } from './reactions.js';
import { addinUrlProblem, droppedRefs, emptyDecisions, type ItemDecisions, membershipKey, messageSkipReason, resolutionNote, resolvedCategory, resolvedRoom, roomSkipReason } from './resolve.js';
import { outOfScopeNotes, scopedLists, SourceScope } from './scope.js';
import { decidePeople, mapsPeople, type PeopleOptions, type PersonDecision } from '../people/mapping.js';
import { unmappedNotes } from '../people/unmapped.js';
import type { TargetIndex } from './target.js';

export type ItemType = 'user' | 'group' | 'addin' | 'category' | 'room';
export type Action = 'create' | 'update' | 'overwrite' | 'unchanged' | 'resolve' | 'skip' | 'map';

/**
 * What the import does with one item. `overwrite` = a name collision with another item; `skip` =
 * an item-level problem leaves it out (see resolve.ts); `map` = a source user who is an existing
 * pchat account, or the account another source user is created as (people/mapping.ts).
 */
export interface PlannedItem {
  readonly type: ItemType;
  readonly id: string;
  readonly name: string;
  readonly action: Action;
  /** The pchat id it lands on, when it exists already. */
  readonly targetId: number | null;
}

export interface PlannedRoomContent {
  readonly room: string;
  readonly name: string;
  readonly messages: number;
  readonly new: number;
  /** Messages that carry a file. */
  readonly files: number;
  /** Messages left out by an item-level problem (their room, author or file; see resolve.ts). */
  readonly skipped: number;
}

export interface ImportPlan {
  readonly source: SourceDescription;
  readonly level: ExportLevel;
  readonly items: PlannedItem[];
  readonly content: PlannedRoomContent[];
  /** The source's own notes (conversions, warnings, errors, file references) and the import's. */
  readonly notes: NoteRecord[];
  readonly counts: Record<string, number>;
  /** Logins of accounts that will exist without a credential. */
  readonly needCredentials: string[];
  /** Source id → pchat id of the items that exist in the target already. */
  readonly maps: IdMaps;
  /** Who each source category allows: role holders and creators outside it are dropped. */
  readonly scope: SourceScope;
  /** --strict: every item-level problem is an error (all or nothing). */
  readonly strict: boolean;
  /** The resolutions of item-level problems, as the writer applies them. */
  readonly decisions: ItemDecisions;
  /** What the checks of the messages know (the writer skips the same messages). */
  readonly context: ContentContext;
  /** Every item-level problem of the source and the import, with its resolution. */
  readonly resolutions: ItemResolution[];
}

export interface PlanOptions {
  /** Refuse the import on any item-level problem rather than resolving it. */
  readonly strict?: boolean;
  /** How source users are mapped to pchat accounts (people/mapping.ts): --users and --create-users. */
  readonly people?: PeopleOptions;
}

export const errorsOf = (plan: ImportPlan): NoteRecord[] => plan.notes.filter((n) => n.severity === 'error');

export interface PlanHooks {
  onRecord?(type: string): void;
  /** Which of these message origins (of one system) the target already holds. */
  storedOrigins(system: string, ids: string[]): Promise<Set<string>>;
  /** Whether a target room holds any message from this system (else none of its messages is there yet). */
  roomHoldsOrigins(roomId: number, system: string): Promise<boolean>;
}

const BATCH = 5000;
const MAX_ERRORS = 1000;

/** Collects error notes, listing the first thousand: a broken source can have millions of bad messages. */
export class ErrorNotes {
  count = 0;
  readonly notes: NoteRecord[] = [];
  readonly add = (type: string, id: string, message: string, name?: string): void =>
    this.push({ severity: 'error', code: 'import_error', item: { type, id, ...(name === undefined ? {} : { name }) }, message });
  readonly push = (note: NoteRecord): void => {
    if (++this.count <= MAX_ERRORS) this.notes.push(note);
  };
}

/** What checking the messages needs to know of the directory (plain data: it crosses to a worker thread). */
export interface ContentContext {
  /** Source room id → name, for every room of the source. */
  readonly roomNames: ReadonlyMap<string, string>;
  /** Rooms the import skips (an item-level problem): their messages are skipped too. */
  readonly skippedRooms: ReadonlySet<string>;
  /** Under --strict a skipped message is an error. */
  readonly strict: boolean;
  /** Source room id → the target room it lands on, for rooms that exist there already. */
  readonly targetRooms: ReadonlyMap<string, number>;
  readonly userIds: ReadonlySet<string>;
  /** The origin system of records without an origin of their own. */
  readonly system: string;
  /**
   * An archive's files (SHA-256 → size, from its manifest): every file a message carries must be
   * one of them. Null for a source that is not an archive (it reads its files itself).
   */
  readonly attachments: ReadonlyMap<string, number> | null;
  /**
   * Filled by the check of the messages: `<room>\u0000<id>` of every message some reply answers,
   * so the writer remembers the identity of those (and only those) until their replies come.
   */
  readonly replyParents: Set<string>;
}

/** The plan of everything but the messages, and what checking them needs. */
export interface DirectoryPlan extends Omit<ImportPlan, 'content' | 'resolutions'> {
  readonly errors: ErrorNotes;
  readonly context: ContentContext;
}

/**
 * Reads the whole source once, without writing anything, and decides what the import will do:
 * every item's action against the target, every collision, every reference to a missing item,
 * duplicate ids, and how many messages per room are new. Reading it whole also checks every
 * line and checksum of an archive, so the writing pass that follows cannot meet a bad record.
 */
export async function planImport(source: RecordSource, level: ExportLevel, target: TargetIndex, hooks: PlanHooks, options: PlanOptions = {}): Promise<ImportPlan> {
  const directory = await planDirectory(source, level, target, hooks, options);
  const skips = new ErrorNotes();
  const content = await planContent(source, { ...directory.context, error: directory.errors.add, note: skips.push, hooks });
  await checkFiles(source);
  return completePlan(directory, content, null, await sourceNotes(source, hooks), skips);
}

/** An archive's manifest, when the source is one. */
const manifestOf = (source: RecordSource): { attachments?: Record<string, { sha256: string; bytes: number }> } | null =>
  (source as { manifest?: { attachments?: Record<string, { sha256: string; bytes: number }> } }).manifest ?? null;

/**
 * Reads every file an archive holds once, through its reader, which checks each one's size and
 * SHA-256 against the manifest and throws `invalid_archive` naming a damaged entry: part of the
 * check, so a damaged file refuses the import before anything is written. (Only the bytes are
 * read, a piece at a time; nothing is kept.) Sources other than archives read their files
 * themselves and vouch for them: nothing to do.
 */
export async function checkFiles(source: RecordSource, onFile?: (bytes: number) => void): Promise<number> {
  const attachments = manifestOf(source)?.attachments;
  if (!attachments || !source.openFile) return 0;
  let checked = 0;
  for (const { sha256, bytes } of Object.values(attachments)) {
    const stream = await source.openFile(sha256);
    if (stream) for await (const _ of stream);
    checked += 1;
    onFile?.(bytes);
  }
  return checked;
}

/** The source's own notes (conversions, warnings, file references). */
export async function sourceNotes(source: RecordSource, hooks: Pick<PlanHooks, 'onRecord'>): Promise<NoteRecord[]> {
  const notes: NoteRecord[] = [];
  for await (const n of source.records('notes')) {
    hooks.onRecord?.('notes');
    notes.push(n);
  }
  return notes;
}

/**
 * The whole plan: the directory's, the content (whose errors went to the directory's list, or to
 * `contentErrors` where another thread checked it) and the source's notes.
 */
export function completePlan(
  directory: DirectoryPlan,
  content: PlannedRoomContent[],
  contentErrors: { count: number; notes: readonly NoteRecord[] } | null,
  notes: readonly NoteRecord[],
  /** The messages' item-level notes (skipped messages), the first thousand listed. */
  contentSkips: { count: number; notes: readonly NoteRecord[] } | null = null,
): ImportPlan {
  const { errors, ...plan } = directory;
  // plan.notes is errors.notes: the directory's errors and warnings, in the order found.
  // A source's item-level errors whose resolution applies are warnings, unless --strict.
  const listed = [...plan.notes, ...(contentErrors?.notes ?? []), ...(contentSkips?.notes ?? []), ...notes.map((n) => resolveNote(n, plan.strict))];
  const unlisted = errors.count - Math.min(errors.count, MAX_ERRORS) + (contentErrors ? contentErrors.count - contentErrors.notes.length : 0);
  if (unlisted > 0) listed.push({ severity: 'error', code: 'import_error', item: null, message: `${unlisted} more errors not listed` });
  const skipsUnlisted = contentSkips ? contentSkips.count - contentSkips.notes.length : 0;
  if (skipsUnlisted > 0) listed.push({ severity: plan.strict ? 'error' : 'warning', code: 'message_skipped', item: null, message: `${skipsUnlisted} more skipped messages not listed` });
  const files = content.reduce((n, r) => n + r.files, 0);
  const skipped = content.reduce((n, r) => n + r.skipped, 0);
  return {
    ...plan,
    notes: listed,
    content,
    resolutions: itemResolutions(listed, plan.strict),
    counts: { ...plan.counts, message: content.reduce((n, r) => n + r.messages, 0), ...(files > 0 && { file: files }), ...(skipped > 0 && { messageSkipped: skipped }) },
  };
}

/** Checks everything before the messages (users … policies) against the target, resolving item-level problems (resolve.ts). */
export async function planDirectory(source: RecordSource, level: ExportLevel, target: TargetIndex, hooks: Pick<PlanHooks, 'onRecord'>, options: PlanOptions = {}): Promise<DirectoryPlan> {
  const strict = options.strict === true;
  const items: PlannedItem[] = [];
  const counts: Record<string, number> = {};
  const needCredentials: string[] = [];
  const errors = new ErrorNotes();
  const notes = errors.notes;
  const error = errors.add;
  const warn = (code: string, type: string, id: string, message: string) => notes.push({ severity: 'warning', code, item: { type, id }, message });
  /** An item-level problem and its resolution: a warning, or under --strict an error. */
  const resolved = (code: string, type: string, id: string, name: string | undefined, message: string) => {
    const note = resolutionNote(strict, code, { type, id, ...(name === undefined ? {} : { name }) }, message);
    if (strict) errors.push(note);
    else notes.push(note);
  };
  const resolveOnly = level === 'content';
  const maps = emptyMaps();
  const scope = new SourceScope();
  const decisions = emptyDecisions();

  const ids = { user: new Set<string>(), group: new Set<string>(), addin: new Set<string>(), category: new Set<string>(), room: new Set<string>() };
  const names = { user: new Map<string, string>(), group: new Map<string, string>(), addin: new Map<string, string>(), category: new Map<string, string>(), room: new Map<string, string>() };

  /**
   * The name the import gives an item: its own, or, when an earlier item of the same kind in the
   * source has it already (ignoring case), told apart by a suffix from its source id.
   */
  const nameOf = (type: ItemType, id: string, name: string): string => {
    if (resolveOnly || ids[type].has(id)) return name;
    const clash = names[type].get(name.toLowerCase());
    if (clash === undefined) {
      names[type].set(name.toLowerCase(), id);
      return name;
    }
    const distinct = type === 'user' ? distinctLogin(name, id) : distinctName(name, type, id);
    decisions.names[type].set(id, distinct);
    names[type].set(distinct.toLowerCase(), id);
    resolved('name_deduplicated', type, id, distinct, `${typeName(type)} ${type === 'user' ? 'login' : 'name'} "${name}" is also used by ${typeName(type)} "${clash}" in the same source; ${typeName(type)} "${id}" is imported as "${distinct}"`);
    return distinct;
  };
  const plan = <R extends { id: string; origin?: Origin | null }>(
    type: ItemType,
    record: R,
    name: string,
    found: { item: { id: number }; by: 'origin' | 'name' } | null,
    same: (existing: never) => boolean,
  ): void => {
    if (found?.by === 'origin' || (found && !resolveOnly)) maps[type].set(record.id, found.item.id);
    counts[type] = (counts[type] ?? 0) + 1;
    if (ids[type].has(record.id)) return void error(type, record.id, `duplicate ${typeName(type)} id "${record.id}"`, name);
    ids[type].add(record.id);
    if (resolveOnly) {
      if (!found || found.by !== 'origin') error(type, record.id, `${typeName(type)} "${name}" is not in the target; import its directory (level all or room-directory) first`, name);
      items.push({ type, id: record.id, name, action: 'resolve', targetId: found?.item.id ?? null });
      return;
    }
    const action: Action = !found ? 'create' : found.by === 'name' ? 'overwrite' : same(found.item as never) ? 'unchanged' : 'update';
    items.push({ type, id: record.id, name, action, targetId: found?.item.id ?? null });
    if (action === 'overwrite') {
      warn('name_collision', type, record.id, `${typeName(type)} "${name}" already exists in the target (pchat id ${found!.item.id}) and will be overwritten by the imported one`);
    }
  };
  /** An item the import leaves out: listed, counted, and never matched or written. */
  const skip = (type: ItemType, id: string, name: string, message: string) => {
    counts[type] = (counts[type] ?? 0) + 1;
    if (ids[type].has(id)) return void error(type, id, `duplicate ${typeName(type)} id "${id}"`, name);
    ids[type].add(id);
    decisions.skipped[type].add(id);
    items.push({ type, id, name, action: 'skip', targetId: null });
    resolved('item_skipped', type, id, name, message);
  };
  const identity = (record: { id: string; origin: Origin | null }) => identityOf(source.description, record);
  const exists = (ref: PrincipalRefRecord) => ids[ref.kind].has(ref.id);
  /** References to principals that are not in the source are dropped from the list (a principal the import does not carry grants and denies nothing). */
  const checkRefs = (type: ItemType, id: string, name: string, field: string, refs: readonly PrincipalRefRecord[]) => {
    const dropped = droppedRefs(decisions, refs);
    if (dropped.length > 0) resolved('reference_dropped', type, id, name, `${typeName(type)} "${name}": ${field} names ${dropped.map((r) => `${r.kind} "${r.id}"`).join(', ')}, not in the source; dropped from ${field}`);
  };
  const count = (type: string) => hooks.onRecord?.(type);

  // People sources: every user is decided at once against the target's accounts (people/mapping.ts).
  const people = !resolveOnly && mapsPeople(source.description.system, options.people) ? (options.people ?? { file: null, createUsers: false }) : null;
  let userList: UserRecord[] | null = null;
  let personOf: Map<string, PersonDecision> | null = null;
  if (people) {
    userList = [];
    for await (const u of source.records('users')) userList.push(u);
    personOf = decidePeople(userList, identity, target.users.all(), people);
  }
  const unmapped: UserRecord[] = [];
  for await (const u of userList ?? source.records('users')) {
    count('users');
    const person = personOf?.get(u.id);
    if (person && person.kind !== 'new') {
      counts.user = (counts.user ?? 0) + 1;
      if (ids.user.has(u.id)) {
        error('user', u.id, `duplicate user id "${u.id}"`, u.login);
        continue;
      }
      ids.user.add(u.id);
      decisions.principals.user.add(u.id);
      if (person.kind === 'account') {
        maps.user.set(u.id, person.account.id);
        decisions.mapped.add(u.id);
        items.push({ type: 'user', id: u.id, name: person.account.login, action: 'map', targetId: person.account.id });
      } else if (person.kind === 'same') {
        decisions.sameAs.set(u.id, person.as);
        items.push({ type: 'user', id: u.id, name: person.login, action: 'map', targetId: null });
      } else if (person.kind === 'unmapped') unmapped.push(u);
      else errors.push({ severity: 'error', code: 'user_mapping_invalid', item: { type: 'user', id: u.id, name: u.login }, message: person.message });
      continue;
    }
    const login = nameOf('user', u.id, u.login);
    const found = target.users.match(identity(u), login);
    const { id: _id, isAdmin: _admin, ...fields } = u;
    plan('user', u, login, found, (e: Record<string, unknown>) => sameFields(e, { ...fields, login, origin: identity(u) }));
    decisions.principals.user.add(u.id);
    if (!found && !resolveOnly && !u.disabled) needCredentials.push(login);
  }
  if (unmapped.length > 0) for (const note of await unmappedNotes(source, unmapped)) errors.push(note);
  for await (const g of source.records('groups')) {
    count('groups');
    const name = nameOf('group', g.id, g.name);
    plan('group', g, name, target.groups.match(identity(g), name), (e: Record<string, unknown>) => sameFields(e, { name, description: g.description, origin: identity(g) }));
    decisions.principals.group.add(g.id);
  }
  const members = new Map<string, string[]>();
  const memberships: { group: string; member: PrincipalRefRecord }[] = [];
  for await (const m of source.records('memberships')) {
    count('memberships');
    counts.membership = (counts.membership ?? 0) + 1;
    if (!ids.group.has(m.group) || !exists(m.member)) {
      decisions.membershipsSkipped.add(membershipKey(m));
      const missing = !ids.group.has(m.group) ? `group "${m.group}"` : `${m.member.kind} "${m.member.id}"`;
      resolved('membership_skipped', 'membership', m.group, undefined, `the membership of ${m.member.kind} "${m.member.id}" in group "${m.group}" names ${missing}, which is not in the source; it is skipped`);
      continue;
    }
    if (m.member.kind === 'group') {
      append(members, m.group, m.member.id);
      memberships.push(m);
    }
    scope.addMembership(m);
  }
  // A cycle of groups cannot be stored: the membership that closes each one is skipped.
  for (const cycle of groupCycles(members)) {
    const closing = { group: cycle[cycle.length - 2]!, member: { kind: 'group' as const, id: cycle[cycle.length - 1]! } };
    decisions.membershipsSkipped.add(membershipKey(closing));
    resolved('membership_skipped', 'group', closing.group, undefined, `groups contain each other: ${cycle.join(' → ')}; the membership of group "${closing.member.id}" in group "${closing.group}" is skipped`);
  }
  for await (const a of source.records('addins')) {
    count('addins');
    const urlProblem = resolveOnly ? null : addinUrlProblem(a.url);
    if (urlProblem !== null) {
      skip('addin', a.id, a.name, `add-in "${a.name}" has the URL "${a.url}", which pchat does not accept (${urlProblem}); it is skipped, and its rooms are imported without it`);
      continue;
    }
    // Add-ins have no origin: their name is their identity, so a match by name is no collision.
    const name = nameOf('addin', a.id, a.name);
    const found = target.addins.match(null, name);
    plan('addin', { ...a, origin: null }, name, found && { item: found.item, by: 'origin' }, (e: { url: string }) => e.url === a.url);
    decisions.addins.add(a.id);
  }
  const categoryNames = new Map<string, string>();
  for await (const c of source.records('categories')) {
    count('categories');
    nameOf('category', c.id, c.name);
    // Exactly what the writer will write (resolve.ts).
    const resolvedC = resolvedCategory(c, decisions);
    scope.addCategory(resolvedC);
    categoryNames.set(c.id, resolvedC.name);
    plan('category', c, resolvedC.name, target.categories.match(identity(c), resolvedC.name), (e: Record<string, unknown>) => {
      const fields = categoryFields(resolvedC, maps, identity(c), scope);
      return fields !== null && sameFields(e, fields);
    });
    checkRefs('category', c.id, resolvedC.name, 'allowed', c.allowed);
    checkRefs('category', c.id, resolvedC.name, 'denied', c.denied);
    checkRefs('category', c.id, resolvedC.name, 'creators', c.creators);
    if (!resolveOnly) notes.push(...outOfScopeNotes(scope, { type: 'category', id: c.id, name: resolvedC.name }, c.id, resolvedC.name, scopedLists.category(resolvedC)));
  }
  const roomNames = new Map<string, string>();
  const legacyUris = new Map<string, string>(); // folded legacy URI → the source room that has it
  for await (const r of source.records('rooms')) {
    count('rooms');
    if (!resolveOnly && !ids.category.has(r.category)) {
      roomNames.set(r.id, r.name);
      skip('room', r.id, r.name, `room "${r.name}" is in category "${r.category}", which is not in the source; the room and its messages are skipped`);
      continue;
    }
    const name = nameOf('room', r.id, r.name);
    const found = target.rooms.match(identity(r), name);
    roomNames.set(r.id, name);
    if (resolveOnly) {
      plan('room', r, name, found, () => true);
      continue;
    }
    // A legacy URI names one room (legacy clients find the room by it): a second room with it is imported without it.
    const legacyUri = legacyUriOf(r.legacyUri ?? null);
    if (legacyUri !== null) {
      const folded = foldLegacyUri(legacyUri);
      const twin = legacyUris.get(folded);
      const holder = target.roomsByLegacyUri.get(folded);
      if (twin !== undefined) {
        decisions.legacyUriDropped.add(r.id);
        resolved('legacy_uri_dropped', 'room', r.id, name, `room "${name}" has the legacy URI ${legacyUri}, which room "${roomNames.get(twin) ?? twin}" of the same source has too; it is imported without it`);
      } else if (holder && holder.id !== found?.item.id) {
        decisions.legacyUriDropped.add(r.id);
        resolved('legacy_uri_dropped', 'room', r.id, name, `room "${name}" has the legacy URI ${legacyUri}, which room "${holder.name}" (pchat id ${holder.id}) already has in the target; it is imported without it`);
      } else legacyUris.set(folded, r.id);
    }
    if (r.addin !== null && !decisions.addins.has(r.addin)) {
      resolved('reference_dropped', 'room', r.id, name, `room "${name}" uses add-in "${r.addin}", which is ${ids.addin.has(r.addin) ? 'skipped' : 'not in the source'}; the room is imported without it`);
    }
    // Exactly what the writer will write (resolve.ts).
    const resolvedR = resolvedRoom(r, decisions)!;
    plan('room', r, name, found, (e: Record<string, unknown>) => {
      const fields = roomFields(resolvedR, maps, identity(r), scope);
      return fields !== null && sameFields(e, fields);
    });
    checkRefs('room', r.id, name, 'members', r.members);
    checkRefs('room', r.id, name, 'managers', r.managers);
    checkRefs('room', r.id, name, 'presenters', r.presenters);
    notes.push(...outOfScopeNotes(scope, { type: 'room', id: r.id, name }, r.category, categoryNames.get(r.category) ?? r.category, scopedLists.room(resolvedR)));
    if (r.type === 'normal' && r.presenters.length > 0) warn('presenters_dropped', 'room', r.id, `room "${name}" is not an auditorium: its ${r.presenters.length} presenters are not kept`);
  }
  for await (const p of source.records('policies')) {
    count('policies');
    counts.policy = (counts.policy ?? 0) + 1;
    if (p.target && !exists(p.target)) resolved('policy_skipped', 'policy', p.target.id, undefined, `a ${p.scope} policy names ${p.target.kind} "${p.target.id}", which is not in the source; the policy is skipped`);
  }

  const attachments = manifestOf(source)?.attachments;
  const context: ContentContext = {
    roomNames,
    skippedRooms: decisions.skipped.room,
    strict,
    targetRooms: new Map(maps.room),
    userIds: ids.user,
    system: systemKey(source.description),
    attachments: manifestOf(source) ? new Map(Object.values(attachments ?? {}).map((a) => [a.sha256, a.bytes])) : null,
    replyParents: new Set(),
  };
  return { source: source.description, level, items, notes, counts, needCredentials, maps, scope, errors, context, strict, decisions };
}

/**
 * Streams the messages: checks references, order and duplicates, and counts what is new per room.
 * `onChecked` sees every message in order, with its identity, once its own checks are done (a
 * duplicate id is only known at the end: whoever keeps messages must wait for the result).
 */
export async function planContent(
  source: RecordSource,
  ctx: ContentContext & {
    error: (type: string, id: string, message: string) => void;
    /** The item-level notes: each skipped message (a warning, or under --strict an error). */
    note: (note: NoteRecord) => void;
    /** `reactions`: those of the message the import keeps (import/reactions.ts), when it has any. */
    hooks: PlanHooks & { onChecked?(message: MessageRecord, origin: Origin, reactions: ReactionRecord[] | undefined): void };
  },
): Promise<PlannedRoomContent[]> {
  const content: PlannedRoomContent[] = [];
  const done = new Set<string>();
  let room: string | null = null;
  // Ids are checked for repeats by hash (bounded memory); a repeated hash makes the id a suspect,
  // confirmed or cleared by a second read of the suspects' rooms at the end.
  let seen = new IdHashes();
  const suspects = new Map<string, Set<string>>();
  let lastSeq = Number.NEGATIVE_INFINITY;
  let total = 0;
  let fresh = 0;
  let files = 0;
  let skipped = 0;
  /** Why the current room's messages are all skipped (null: they are not). */
  let roomSkip: string | null = null;
  let batch: { system: string; id: string }[] = [];
  // Per system: whether the current room's target holds messages from it. A room that does not
  // exist yet, or holds none from a system, needs no probe of its messages one by one (a first
  // import probes nothing); one that does (a re-run, a resumed run) is probed in batches.
  let holds = new Map<string, Promise<boolean>>();
  const mayHold = (system: string): Promise<boolean> => {
    const targetRoom = room === null ? undefined : ctx.targetRooms.get(room);
    if (targetRoom === undefined) return Promise.resolve(false);
    let answer = holds.get(system);
    if (!answer) holds.set(system, (answer = ctx.hooks.roomHoldsOrigins(targetRoom, system)));
    return answer;
  };
  const flushBatch = async () => {
    const bySystem = new Map<string, string[]>();
    for (const o of batch) append(bySystem, o.system, o.id);
    for (const [system, list] of bySystem) {
      fresh += (await mayHold(system)) ? list.length - (await ctx.hooks.storedOrigins(system, list)).size : list.length;
    }
    batch = [];
  };
  const closeRoom = async () => {
    if (room === null) return;
    await flushBatch();
    const name = ctx.roomNames.get(room) ?? room;
    content.push({ room, name, messages: total, new: fresh, files, skipped });
    if (roomSkip !== null) ctx.note(resolutionNote(ctx.strict, 'message_skipped', { type: 'room', id: room, name }, `${total} message(s) skipped: ${roomSkip}`));
    done.add(room);
  };
  // A page at a time: a promise per message cost more than its checks.
  for await (const page of recordBatches(source, 'messages')) {
    for (const m of page) {
      ctx.hooks.onRecord?.('messages');
      if (m.room !== room) {
        await closeRoom();
        if (done.has(m.room)) ctx.error('message', m.id, `messages of room "${m.room}" are not together in one run (the archive must group them by room)`);
        room = m.room;
        holds = new Map();
        seen = new IdHashes();
        lastSeq = Number.NEGATIVE_INFINITY;
        total = 0;
        fresh = 0;
        files = 0;
        skipped = 0;
        roomSkip = roomSkipReason(m.room, ctx);
      }
      total += 1;
      // The archive's own order and ids are checked for every message, skipped or not.
      if (seen.add(m.id)) suspects.set(m.room, (suspects.get(m.room) ?? new Set<string>()).add(m.id));
      if (m.seq <= lastSeq) ctx.error('message', m.id, `message "${m.id}" has seq ${m.seq} after seq ${lastSeq}: messages must be in ascending seq within a room`);
      lastSeq = m.seq;
      if (roomSkip !== null) {
        skipped += 1;
        continue;
      }
      const skipReason = messageSkipReason(m, ctx);
      if (skipReason !== null) {
        skipped += 1;
        ctx.note(resolutionNote(ctx.strict, 'message_skipped', { type: 'message', id: m.id }, `${skipReason}; it is skipped`));
        continue;
      }
      if (m.file) files += 1;
      if (m.replyTo !== undefined) {
        // A parent comes earlier in its room; one that does not (outside an export's range) leaves a plain message.
        if (m.replyTo !== m.id && seen.has(m.replyTo)) ctx.replyParents.add(`${m.room}\u0000${m.replyTo}`);
        else ctx.note({ severity: 'warning', code: 'reply_parent_missing', item: { type: 'message', id: m.id }, message: `message "${m.id}" answers message "${m.replyTo}", which is not earlier in its room; it is imported as a plain message` });
      }
      let reactions: ReactionRecord[] | undefined;
      if (m.reactions !== undefined) {
        const { kept, dropped } = keptReactions(m, ctx.userIds);
        reactions = kept;
        if (dropped.length > 0) ctx.note({ severity: 'warning', code: 'reaction_dropped', item: { type: 'message', id: m.id }, message: `message "${m.id}": reactions left out: ${dropped.join('; ')}` });
      }
      const origin = m.origin ?? { system: ctx.system, id: m.id };
      batch.push(origin);
      if (batch.length >= BATCH) await flushBatch();
      ctx.hooks.onChecked?.(m, origin, reactions);
    }
  }
  await closeRoom();
  if (suspects.size > 0) await confirmDuplicates(source, suspects, ctx.error);
  return content;
}

/** Reports each suspect id that really occurs more than once in its room. */
async function confirmDuplicates(source: RecordSource, suspects: Map<string, Set<string>>, error: (type: string, id: string, message: string) => void): Promise<void> {
  const counts = new Map<string, number>();
  for await (const m of source.records('messages')) {
    if (!suspects.get(m.room)?.has(m.id)) continue;
    const k = `${m.room}\u0000${m.id}`;
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    if (n >= 2) error('message', m.id, `duplicate message id "${m.id}" in room "${m.room}"`);
  }
}

/** Each cycle among group-in-group memberships, as a path of group ids. */
function groupCycles(members: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const visit = (group: string, path: string[]) => {
    if (state.get(group) === 'done') return;
    if (state.get(group) === 'active') {
      cycles.push([...path.slice(path.indexOf(group)), group]);
      return;
    }
    state.set(group, 'active');
    for (const child of members.get(group) ?? []) visit(child, [...path, group]);
    state.set(group, 'done');
  };
  for (const group of members.keys()) visit(group, []);
  return cycles;
}

/** Adds to the list under `key` in place (a spread per call would make long lists quadratic). */
function append<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}
