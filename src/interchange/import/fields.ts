import type { Origin, PrincipalRef } from '../../core/model.js';
import type { CategoryFields, RoomFields } from '../../app/imports.js';
import type { PrincipalRefRecord, RecordOf } from '../archive/records.js';
import type { SourceScope } from './scope.js';

/** Source id → pchat id, per kind, as the import learns them. */
export interface IdMaps {
  readonly user: Map<string, number>;
  readonly group: Map<string, number>;
  readonly addin: Map<string, number>;
  readonly category: Map<string, number>;
  readonly room: Map<string, number>;
}
export const emptyMaps = (): IdMaps => ({ user: new Map(), group: new Map(), addin: new Map(), category: new Map(), room: new Map() });

/** The pchat principal a record's reference stands for; null while it does not exist yet. */
export const mapRef = (maps: IdMaps, ref: PrincipalRefRecord): PrincipalRef | null => {
  const id = maps[ref.kind].get(ref.id);
  return id === undefined ? null : { kind: ref.kind, id };
};
/** The pchat principals of a list, each once: the people mapping may fold several source users into one account. */
const mapRefs = (maps: IdMaps, refs: readonly PrincipalRefRecord[]): PrincipalRef[] | null => {
  const out: PrincipalRef[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const mapped = mapRef(maps, ref);
    if (!mapped) return null;
    const key = `${mapped.kind}:${mapped.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(mapped);
  }
  return out;
};

/**
 * A category record as pchat's fields, or null when a principal it names is not in the target
 * yet. Creators outside the category's scope are dropped (see SourceScope).
 */
export function categoryFields(c: RecordOf['categories'], maps: IdMaps, origin: Origin, scope: SourceScope): CategoryFields | null {
  const allowed = mapRefs(maps, c.allowed);
  const denied = mapRefs(maps, c.denied);
  const creators = mapRefs(maps, scope.within(c.id, c.creators));
  if (!allowed || !denied || !creators) return null;
  return { name: c.name, description: c.description, allowed, denied, creators, invitations: c.invitations, fileUpload: c.fileUpload, chatHistory: c.chatHistory, origin };
}

/**
 * A room record as pchat's fields (null as above); role holders outside its category's scope are
 * dropped. A record without `legacyUri` (an archive written before it existed) leaves the field
 * out, so the room keeps what it has (see saveRoom) and it is not compared.
 */
export function roomFields(r: RecordOf['rooms'], maps: IdMaps, origin: Origin, scope: SourceScope): RoomFields | null {
  const categoryId = maps.category.get(r.category);
  const addinId = r.addin === null ? null : maps.addin.get(r.addin);
  const members = mapRefs(maps, scope.within(r.category, r.members));
  const managers = mapRefs(maps, scope.within(r.category, r.managers));
  const presenters = r.type === 'auditorium' ? mapRefs(maps, scope.within(r.category, r.presenters)) : [];
  if (categoryId === undefined || addinId === undefined || !members || !managers || !presenters) return null;
  return {
    name: r.name,
    description: r.description,
    createdAt: Date.parse(r.createdAt),
    categoryId,
    privacy: r.privacy,
    type: r.type,
    members,
    managers,
    presenters,
    invitations: r.invitations,
    addinId,
    disabled: r.disabled,
    origin,
    ...(r.legacyUri !== undefined && { legacyUri: legacyUriOf(r.legacyUri) }),
  };
}

/** An archive's legacy URI as pchat stores it: trimmed, and null when blank. */
export function legacyUriOf(uri: string | null): string | null {
  const trimmed = uri?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

const refKey = (r: PrincipalRef) => `${r.kind}:${r.id}`;
const sameRefs = (a: readonly PrincipalRef[], b: readonly PrincipalRef[]) =>
  a.length === b.length && a.map(refKey).sort().join() === b.map(refKey).sort().join();
const sameOrigin = (a: Origin | null, b: Origin | null) => a?.system === b?.system && a?.id === b?.id;

/** Whether an existing item already has exactly these fields (so the import leaves it alone). */
export function sameFields(existing: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(fields)) {
    const have = existing[key];
    if (key === 'createdAt') continue; // kept from when the item first appeared here
    if (key === 'origin') {
      if (!sameOrigin(have as Origin | null, value as Origin | null)) return false;
    } else if (Array.isArray(value)) {
      if (!Array.isArray(have) || !sameRefs(have as PrincipalRef[], value as PrincipalRef[])) return false;
    } else if (have !== value) return false;
  }
  return true;
}
