import { normalizeContentType, validateFileName } from '../../app/files.js';
import { foldLegacyUri } from '../../core/legacyUri.js';
import type { Origin } from '../../core/model.js';
import type { ExportLevel, MessageRecord, NoteRecord, PrincipalRefRecord } from '../archive/records.js';
import { identityOf, type RecordSource, recordBatches, type SourceDescription, systemKey } from '../source.js';
import { categoryFields, emptyMaps, type IdMaps, legacyUriOf, roomFields, sameFields } from './fields.js';
import { IdHashes } from './idHashes.js';
import { outOfScopeNotes, scopedLists, SourceScope } from './scope.js';
import type { TargetIndex } from './target.js';

export type ItemType = 'user' | 'group' | 'addin' | 'category' | 'room';
export type Action = 'create' | 'update' | 'overwrite' | 'unchanged' | 'resolve';

/** What the import does with one item. `overwrite` = a name collision with another item. */
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
  readonly add = (type: string, id: string, message: string, name?: string): void => {
    if (++this.count <= MAX_ERRORS) this.notes.push({ severity: 'error', code: 'import_error', item: { type, id, ...(name === undefined ? {} : { name }) }, message });
  };
}

/** What checking the messages needs to know of the directory (plain data: it crosses to a worker thread). */
export interface ContentContext {
  /** Source room id → name, for every room of the source. */
  readonly roomNames: ReadonlyMap<string, string>;
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
}

/** The plan of everything but the messages, and what checking them needs. */
export interface DirectoryPlan extends Omit<ImportPlan, 'content'> {
  readonly errors: ErrorNotes;
  readonly context: ContentContext;
}

/**
 * Reads the whole source once, without writing anything, and decides what the import will do:
 * every item's action against the target, every collision, every reference to a missing item,
 * duplicate ids, and how many messages per room are new. Reading it whole also checks every
 * line and checksum of an archive, so the writing pass that follows cannot meet a bad record.
 */
export async function planImport(source: RecordSource, level: ExportLevel, target: TargetIndex, hooks: PlanHooks): Promise<ImportPlan> {
  const directory = await planDirectory(source, level, target, hooks);
  const content = await planContent(source, { ...directory.context, error: directory.errors.add, hooks });
  await checkFiles(source);
  return completePlan(directory, content, null, await sourceNotes(source, hooks));
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
export function completePlan(directory: DirectoryPlan, content: PlannedRoomContent[], contentErrors: { count: number; notes: readonly NoteRecord[] } | null, notes: readonly NoteRecord[]): ImportPlan {
  const { errors, context: _context, ...plan } = directory;
  // plan.notes is errors.notes: the directory's errors and warnings, in the order found.
  const listed = [...plan.notes, ...(contentErrors?.notes ?? []), ...notes];
  const unlisted = errors.count - Math.min(errors.count, MAX_ERRORS) + (contentErrors ? contentErrors.count - contentErrors.notes.length : 0);
  if (unlisted > 0) listed.push({ severity: 'error', code: 'import_error', item: null, message: `${unlisted} more errors not listed` });
  const files = content.reduce((n, r) => n + r.files, 0);
  return { ...plan, notes: listed, content, counts: { ...plan.counts, message: content.reduce((n, r) => n + r.messages, 0), ...(files > 0 && { file: files }) } };
}

/** Checks everything before the messages (users … policies) against the target. */
export async function planDirectory(source: RecordSource, level: ExportLevel, target: TargetIndex, hooks: Pick<PlanHooks, 'onRecord'>): Promise<DirectoryPlan> {
  const items: PlannedItem[] = [];
  const counts: Record<string, number> = {};
  const needCredentials: string[] = [];
  const errors = new ErrorNotes();
  const notes = errors.notes;
  const error = errors.add;
  const warn = (code: string, type: string, id: string, message: string) => notes.push({ severity: 'warning', code, item: { type, id }, message });
  const resolveOnly = level === 'content';
  const maps = emptyMaps();
  const scope = new SourceScope();

  const ids = { user: new Set<string>(), group: new Set<string>(), addin: new Set<string>(), category: new Set<string>(), room: new Set<string>() };
  const names = { user: new Map<string, string>(), group: new Map<string, string>(), addin: new Map<string, string>(), category: new Map<string, string>(), room: new Map<string, string>() };

  const plan = <R extends { id: string; origin?: Origin | null }>(
    type: ItemType,
    record: R,
    name: string,
    found: { item: { id: number }; by: 'origin' | 'name' } | null,
    same: (existing: never) => boolean,
  ): void => {
    if (found?.by === 'origin' || (found && !resolveOnly)) maps[type].set(record.id, found.item.id);
    counts[type] = (counts[type] ?? 0) + 1;
    if (ids[type].has(record.id)) return void error(type, record.id, `duplicate ${type} id "${record.id}"`, name);
    ids[type].add(record.id);
    const folded = name.toLowerCase();
    const clash = names[type].get(folded);
    if (clash !== undefined) error(type, record.id, `${type} name "${name}" is also used by ${type} "${clash}" in the same source`, name);
    names[type].set(folded, record.id);
    if (resolveOnly) {
      if (!found || found.by !== 'origin') error(type, record.id, `${type} "${name}" is not in the target; import its directory (level all or room-directory) first`, name);
      items.push({ type, id: record.id, name, action: 'resolve', targetId: found?.item.id ?? null });
      return;
    }
    const action: Action = !found ? 'create' : found.by === 'name' ? 'overwrite' : same(found.item as never) ? 'unchanged' : 'update';
    items.push({ type, id: record.id, name, action, targetId: found?.item.id ?? null });
    if (action === 'overwrite') {
      warn('name_collision', type, record.id, `${type} "${name}" already exists in the target (pchat id ${found!.item.id}) and will be overwritten by the imported one`);
    }
  };
  const identity = (record: { id: string; origin: Origin | null }) => identityOf(source.description, record);
  const exists = (ref: PrincipalRefRecord) => ids[ref.kind].has(ref.id);
  const checkRefs = (type: ItemType, id: string, field: string, refs: readonly PrincipalRefRecord[]) => {
    for (const ref of refs) if (!exists(ref)) error(type, id, `${field} names ${ref.kind} "${ref.id}", which is not in the source`);
  };
  const count = (type: string) => hooks.onRecord?.(type);

  for await (const u of source.records('users')) {
    count('users');
    const found = target.users.match(identity(u), u.login);
    const { id: _id, isAdmin: _admin, ...fields } = u;
    plan('user', u, u.login, found, (e: Record<string, unknown>) => sameFields(e, { ...fields, origin: identity(u) }));
    if (!found && !resolveOnly && !u.disabled) needCredentials.push(u.login);
  }
  for await (const g of source.records('groups')) {
    count('groups');
    plan('group', g, g.name, target.groups.match(identity(g), g.name), (e: Record<string, unknown>) =>
      sameFields(e, { name: g.name, description: g.description, origin: identity(g) }),
    );
  }
  const members = new Map<string, string[]>();
  for await (const m of source.records('memberships')) {
    count('memberships');
    counts.membership = (counts.membership ?? 0) + 1;
    if (!ids.group.has(m.group)) error('membership', m.group, `membership of group "${m.group}", which is not in the source`);
    if (!exists(m.member)) error('membership', m.group, `group "${m.group}" has member ${m.member.kind} "${m.member.id}", which is not in the source`);
    if (m.member.kind === 'group') append(members, m.group, m.member.id);
    scope.addMembership(m);
  }
  for (const cycle of groupCycles(members)) error('group', cycle[0]!, `groups contain each other: ${cycle.join(' → ')}`);
  for await (const a of source.records('addins')) {
    count('addins');
    // Add-ins have no origin: their name is their identity, so a match by name is no collision.
    const found = target.addins.match(null, a.name);
    plan('addin', { ...a, origin: null }, a.name, found && { item: found.item, by: 'origin' }, (e: { url: string }) => e.url === a.url);
  }
  const categoryNames = new Map<string, string>();
  for await (const c of source.records('categories')) {
    count('categories');
    scope.addCategory(c);
    categoryNames.set(c.id, c.name);
    plan('category', c, c.name, target.categories.match(identity(c), c.name), (e: Record<string, unknown>) => {
      const fields = categoryFields(c, maps, identity(c), scope);
      return fields !== null && sameFields(e, fields);
    });
    checkRefs('category', c.id, 'allowed', c.allowed);
    checkRefs('category', c.id, 'denied', c.denied);
    checkRefs('category', c.id, 'creators', c.creators);
    if (!resolveOnly) notes.push(...outOfScopeNotes(scope, { type: 'category', id: c.id, name: c.name }, c.id, c.name, scopedLists.category(c)));
  }
  const roomNames = new Map<string, string>();
  const legacyUris = new Map<string, string>(); // folded legacy URI → the source room that has it
  for await (const r of source.records('rooms')) {
    count('rooms');
    const found = target.rooms.match(identity(r), r.name);
    plan('room', r, r.name, found, (e: Record<string, unknown>) => {
      const fields = roomFields(r, maps, identity(r), scope);
      return fields !== null && sameFields(e, fields);
    });
    roomNames.set(r.id, r.name);
    if (resolveOnly) continue;
    // A legacy URI names one room: legacy clients find the room by it (Room.legacyUri).
    const legacyUri = legacyUriOf(r.legacyUri ?? null);
    if (legacyUri !== null) {
      const folded = foldLegacyUri(legacyUri);
      const twin = legacyUris.get(folded);
      if (twin !== undefined) error('room', r.id, `room "${r.name}" has the legacy URI ${legacyUri}, which room "${roomNames.get(twin) ?? twin}" of the same source has too`, r.name);
      else legacyUris.set(folded, r.id);
      const holder = target.roomsByLegacyUri.get(folded);
      if (holder && holder.id !== found?.item.id) {
        error('room', r.id, `room "${r.name}" has the legacy URI ${legacyUri}, which room "${holder.name}" (pchat id ${holder.id}) already has in the target; a legacy URI names one room`, r.name);
      }
    }
    if (!ids.category.has(r.category)) error('room', r.id, `room "${r.name}" is in category "${r.category}", which is not in the source`, r.name);
    if (r.addin !== null && !ids.addin.has(r.addin)) error('room', r.id, `room "${r.name}" uses add-in "${r.addin}", which is not in the source`, r.name);
    checkRefs('room', r.id, 'members', r.members);
    checkRefs('room', r.id, 'managers', r.managers);
    checkRefs('room', r.id, 'presenters', r.presenters);
    notes.push(...outOfScopeNotes(scope, { type: 'room', id: r.id, name: r.name }, r.category, categoryNames.get(r.category) ?? r.category, scopedLists.room(r)));
    if (r.type === 'normal' && r.presenters.length > 0) warn('presenters_dropped', 'room', r.id, `room "${r.name}" is not an auditorium: its ${r.presenters.length} presenters are not kept`);
  }
  for await (const p of source.records('policies')) {
    count('policies');
    counts.policy = (counts.policy ?? 0) + 1;
    if (p.target && !exists(p.target)) error('policy', p.target.id, `a ${p.scope} policy names ${p.target.kind} "${p.target.id}", which is not in the source`);
  }

  const attachments = manifestOf(source)?.attachments;
  const context: ContentContext = {
    roomNames,
    targetRooms: new Map(maps.room),
    userIds: ids.user,
    system: systemKey(source.description),
    attachments: manifestOf(source) ? new Map(Object.values(attachments ?? {}).map((a) => [a.sha256, a.bytes])) : null,
  };
  return { source: source.description, level, items, notes, counts, needCredentials, maps, scope, errors, context };
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
    hooks: PlanHooks & { onChecked?(message: MessageRecord, origin: Origin): void };
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
    content.push({ room, name: ctx.roomNames.get(room) ?? room, messages: total, new: fresh, files });
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
        if (!ctx.roomNames.has(m.room)) ctx.error('message', m.id, `message "${m.id}" is in room "${m.room}", which is not in the source`);
      }
      total += 1;
      if (seen.add(m.id)) suspects.set(m.room, (suspects.get(m.room) ?? new Set<string>()).add(m.id));
      if (m.seq <= lastSeq) ctx.error('message', m.id, `message "${m.id}" has seq ${m.seq} after seq ${lastSeq}: messages must be in ascending seq within a room`);
      lastSeq = m.seq;
      if (!ctx.userIds.has(m.author)) ctx.error('message', m.id, `message "${m.id}" is by user "${m.author}", who is not in the source`);
      if (m.file) {
        files += 1;
        checkFileRecord(m, ctx);
      }
      const origin = m.origin ?? { system: ctx.system, id: m.id };
      batch.push(origin);
      if (batch.length >= BATCH) await flushBatch();
      ctx.hooks.onChecked?.(m, origin);
    }
  }
  await closeRoom();
  if (suspects.size > 0) await confirmDuplicates(source, suspects, ctx.error);
  return content;
}

/** A message's file: a name and media type pchat keeps as they are, and, from an archive, bytes the archive holds. */
function checkFileRecord(m: MessageRecord, ctx: Pick<ContentContext, 'attachments'> & { error: (type: string, id: string, message: string) => void }): void {
  const file = m.file!;
  let name: string | null = null;
  try {
    name = validateFileName(file.name);
  } catch {
    // reported below
  }
  if (name !== file.name) ctx.error('message', m.id, `message "${m.id}" carries a file named ${JSON.stringify(file.name)}, which is not a file name pchat keeps (1–255 characters, no path, no control characters)`);
  if (normalizeContentType(file.contentType) !== file.contentType) {
    ctx.error('message', m.id, `message "${m.id}" carries a file of media type ${JSON.stringify(file.contentType)}; pchat keeps a lower-case type/subtype`);
  }
  if (ctx.attachments === null) return;
  const bytes = ctx.attachments.get(file.sha256);
  if (bytes === undefined) ctx.error('message', m.id, `message "${m.id}" carries the file "${file.name}" (SHA-256 ${file.sha256}), which the archive does not hold`);
  else if (bytes !== file.size) ctx.error('message', m.id, `message "${m.id}" says its file "${file.name}" has ${file.size} bytes; the archive's entry ${file.sha256} has ${bytes}`);
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
