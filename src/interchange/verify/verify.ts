import { foldLegacyUri } from '../../core/legacyUri.js';
import type { Origin } from '../../core/model.js';
import type { Store } from '../../ports/store.js';
import type { NoteRecord, PrincipalRefRecord, RecordOf } from '../archive/records.js';
import { pchatSource } from '../pchat/source.js';
import { identityOf, type RecordSource, systemKey } from '../source.js';
import { legacyUriOf } from '../import/fields.js';
import { outOfScopeNotes, scopedLists, scopeOf } from '../import/scope.js';
import { compareContent, type TargetDigester } from './content.js';
import { compareFiles, SourceFiles } from './files.js';
import { firstDifferences, type MessageDifference } from './firstDifference.js';
import { mapsPeople, type PeopleOptions } from '../people/mapping.js';
import { mapPeople } from './people.js';

/** One unexplained difference between source and target. */
export interface Conflict {
  readonly type: 'user' | 'group' | 'addin' | 'category' | 'room' | 'content' | 'file';
  readonly id: string;
  readonly name: string;
  readonly field: string;
  readonly source: unknown;
  readonly target: unknown;
  /** A room's content differs: the first message where source and target part. */
  readonly message?: MessageDifference;
}

/** Which kinds verify compares (`--level`), and from when messages count (`--start-date`, epoch ms). */
export interface VerifyFilter {
  readonly kinds?: ReadonlySet<Conflict['type']>;
  readonly sinceMs?: number;
}

export interface RoomDigest {
  readonly room: string;
  readonly name: string;
  readonly sourceCount: number;
  readonly targetCount: number;
  readonly sourceDigest: string;
  readonly targetDigest: string;
  /** Messages in the target room that came from elsewhere (posted in pchat, other imports). */
  readonly otherInTarget: number;
  /** The identity systems of the source room's messages (nearly always one). */
  readonly systems: readonly string[];
  /** The target room's pchat id; null when the room is not in the target. */
  readonly targetRoomId: number | null;
}

export interface VerifyResult {
  readonly conflicts: Conflict[];
  /** The source's expected conversions and notes, listed apart from the conflicts. */
  readonly conversions: NoteRecord[];
  readonly rooms: RoomDigest[];
  readonly compared: Record<string, number>;
}

const key = (o: Origin): string => `${o.system}\u0000${o.id}`;
/** A legacy URI as pchat compares it (see foldLegacyUri); null when there is none. */
const legacyKey = (uri: string | null): string | null => {
  const stored = legacyUriOf(uri);
  return stored === null ? null : foldLegacyUri(stored);
};

/** Per kind: identity key → record, for one side. */
export interface Side {
  users: Map<string, RecordOf['users']>;
  groups: Map<string, RecordOf['groups']>;
  addins: Map<string, RecordOf['addins']>;
  categories: Map<string, RecordOf['categories']>;
  rooms: Map<string, RecordOf['rooms']>;
  /** Source id → identity key, per kind, to compare references. */
  keyOf: { user: Map<string, string>; group: Map<string, string>; addin: Map<string, string>; category: Map<string, string>; room: Map<string, string> };
}

async function readSide(source: RecordSource, onRecord?: () => void): Promise<Side> {
  const side: Side = {
    users: new Map(),
    groups: new Map(),
    addins: new Map(),
    categories: new Map(),
    rooms: new Map(),
    keyOf: { user: new Map(), group: new Map(), addin: new Map(), category: new Map(), room: new Map() },
  };
  const identity = (r: { id: string; origin: Origin | null }) => key(identityOf(source.description, r));
  for await (const u of source.records('users')) add(side.users, side.keyOf.user, identity(u), u, onRecord);
  for await (const g of source.records('groups')) add(side.groups, side.keyOf.group, identity(g), g, onRecord);
  // Add-ins have no origin: they are matched by name, as the import does.
  for await (const a of source.records('addins')) add(side.addins, side.keyOf.addin, a.name.toLowerCase(), a, onRecord);
  for await (const c of source.records('categories')) add(side.categories, side.keyOf.category, identity(c), c, onRecord);
  for await (const r of source.records('rooms')) add(side.rooms, side.keyOf.room, identity(r), r, onRecord);
  return side;
}

function add<R extends { id: string }>(map: Map<string, R>, keys: Map<string, string>, k: string, record: R, onRecord?: () => void): void {
  map.set(k, record);
  keys.set(record.id, k);
  onRecord?.();
}

/**
 * Compares a source (an archive, or a legacy dump through its reader) with a pchat database,
 * item by item through the identity every import keeps (origin), so nothing is matched by
 * content: every category, room and add-in with its settings, principal lists and role
 * holders, the users and groups, per room the message count and an ordered SHA-256 over
 * each message's identity, author, time, kind, title and text, and every file a source message
 * carries against the same message's file in the target, bytes included (compareFiles).
 */
export async function verify(
  source: RecordSource,
  store: Store,
  hooks: { onRecord?(): void; onMessages?(n: number): void; targetDigests?: TargetDigester } = {},
  filter: VerifyFilter = {},
  /** --users: how the import mapped the source's people to pchat accounts (a people source maps them even without a file). */
  people?: PeopleOptions,
): Promise<VerifyResult> {
  const compares = (type: Conflict['type']) => filter.kinds === undefined || filter.kinds.has(type);
  const target = await pchatSource(store);
  const [s, t] = [await readSide(source, hooks.onRecord), await readSide(target)];
  if (mapsPeople(source.description.system, people)) mapPeople(source, s, t, people ?? { file: null, createUsers: false });
  const conflicts: Conflict[] = [];
  const compared: Record<string, number> = {};
  // Each principal once: the people mapping may fold several source users into one account.
  const refs = (side: Side, list: readonly PrincipalRefRecord[]) => [...new Set(list.map((r) => `${r.kind}:${side.keyOf[r.kind].get(r.id) ?? `missing ${r.id}`}`))].sort();
  // The import drops source role holders and creators outside their category's scope (an
  // explained conversion, listed with the others): compare what it keeps.
  const { scope, categoryNames } = await scopeOf(source);
  const kept = (side: Side, categoryId: string, list: readonly PrincipalRefRecord[]) => refs(side, side === s ? scope.within(categoryId, list) : list);

  const compare = <R extends { id: string }>(
    type: Conflict['type'],
    sourceMap: Map<string, R>,
    targetMap: Map<string, R>,
    nameOf: (r: R) => string,
    fields: (side: Side, r: R) => Record<string, unknown>,
  ) => {
    if (!compares(type)) return;
    for (const [k, record] of sourceMap) {
      compared[type] = (compared[type] ?? 0) + 1;
      const other = targetMap.get(k);
      if (!other) {
        conflicts.push({ type, id: record.id, name: nameOf(record), field: '(missing)', source: 'present', target: 'absent' });
        continue;
      }
      const a = fields(s, record);
      const b = fields(t, other);
      for (const field of Object.keys(a)) {
        if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) conflicts.push({ type, id: record.id, name: nameOf(record), field, source: a[field], target: b[field] });
      }
    }
  };
  compare('user', s.users, t.users, (u) => u.login, (_, u) => ({ login: u.login.toLowerCase(), displayName: u.displayName, email: u.email, disabled: u.disabled }));
  compare('group', s.groups, t.groups, (g) => g.name, (_, g) => ({ name: g.name, description: g.description }));
  compare('addin', s.addins, t.addins, (a) => a.name, (_, a) => ({ url: a.url }));
  compare('category', s.categories, t.categories, (c) => c.name, (side, c) => ({
    name: c.name,
    description: c.description,
    invitations: c.invitations,
    fileUpload: c.fileUpload,
    chatHistory: c.chatHistory,
    allowed: refs(side, c.allowed),
    denied: refs(side, c.denied),
    creators: kept(side, c.id, c.creators),
  }));
  compare('room', s.rooms, t.rooms, (r) => r.name, (side, r) => ({
    name: r.name,
    description: r.description,
    category: side.keyOf.category.get(r.category) ?? null,
    privacy: r.privacy,
    type: r.type,
    invitations: r.invitations,
    disabled: r.disabled,
    addin: r.addin === null ? null : (side.keyOf.addin.get(r.addin) ?? null),
    members: kept(side, r.category, r.members),
    managers: kept(side, r.category, r.managers),
    presenters: kept(side, r.category, r.presenters),
    // Compared case-insensitively, as pchat matches it; a source written before the field existed says nothing about it.
    ...(r.legacyUri !== undefined && { legacyUri: legacyKey(r.legacyUri) }),
  }));

  const files = new SourceFiles();
  const nativeSystem = systemKey(target.description);
  const rooms = compares('content') ? await compareContent(source, s, t, store, nativeSystem, hooks, files, filter.sinceMs) : [];
  const differing = rooms.filter((r) => r.sourceCount !== r.targetCount || r.sourceDigest !== r.targetDigest);
  const userKeys = new Map([...t.users].map(([k, u]) => [Number(u.id), k]));
  const first = await firstDifferences(source, s, store, differing, userKeys, nativeSystem, filter.sinceMs);
  for (const r of differing) {
    const message = first.get(r.room);
    const [field, a, b] = r.sourceCount !== r.targetCount ? ['message count', r.sourceCount, r.targetCount] : ['message digest', r.sourceDigest, r.targetDigest];
    conflicts.push({ type: 'content', id: r.room, name: r.name, field, source: a, target: b, ...(message && { message }) });
  }
  compared.message = rooms.reduce((n, r) => n + r.sourceCount, 0);
  const fileCount = !compares('content') ? 0 : await compareFiles(source, s, t, store, systemKey(target.description), files, conflicts);
  if (fileCount > 0) compared.file = fileCount;
  const conversions: NoteRecord[] = [];
  for await (const n of source.records('notes')) conversions.push(n);
  for (const c of s.categories.values()) conversions.push(...outOfScopeNotes(scope, { type: 'category', id: c.id, name: c.name }, c.id, c.name, scopedLists.category(c)));
  for (const r of s.rooms.values()) conversions.push(...outOfScopeNotes(scope, { type: 'room', id: r.id, name: r.name }, r.category, categoryNames.get(r.category) ?? r.category, scopedLists.room(r)));
  return { conflicts, conversions, rooms, compared };
}
