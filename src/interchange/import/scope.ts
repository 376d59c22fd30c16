import type { Identity } from '../../core/groupGraph.js';
import { typeName } from '../reportWords.js';
import type { Category, PrincipalRef } from '../../core/model.js';
import { inCategoryScope } from '../../core/permissions.js';
import type { NoteRecord, PrincipalRefRecord, RecordOf } from '../archive/records.js';
import type { RecordSource } from '../source.js';

const refKey = (ref: PrincipalRefRecord) => `${ref.kind}:${ref.id}`;

/**
 * The category scope rule of the domain (a room's role holders and a category's creators lie
 * within its allowed − denied principals, denied winning, through group nesting) applied to a
 * source's own records, before anything is in the target: an imported group's members are the
 * source's list, so the source alone decides who is in scope. The check itself is the core's
 * `inCategoryScope`, over source ids numbered on the way in.
 */
export class SourceScope {
  /** Principal key → the groups that hold it directly. */
  private readonly parents = new Map<string, string[]>();
  private readonly categories = new Map<string, Pick<Category, 'allowed' | 'denied'>>();
  private readonly numbers = { user: new Map<string, number>(), group: new Map<string, number>() };
  private readonly identities = new Map<string, Identity>();

  addMembership(m: RecordOf['memberships']): void {
    const k = refKey(m.member);
    const list = this.parents.get(k);
    if (list) list.push(m.group);
    else this.parents.set(k, [m.group]);
    this.identities.clear();
  }

  addCategory(c: RecordOf['categories']): void {
    this.categories.set(c.id, { allowed: c.allowed.map((r) => this.ref(r)), denied: c.denied.map((r) => this.ref(r)) });
  }

  /** The holders of `refs` that the category does not allow; none when the category is unknown (an error of its own). */
  outside(categoryId: string, refs: readonly PrincipalRefRecord[]): PrincipalRefRecord[] {
    const category = this.categories.get(categoryId);
    if (!category) return [];
    return refs.filter((ref) => !inCategoryScope(this.identity(ref), category as Category));
  }

  /** `refs` without the holders the category does not allow, in their order. */
  within(categoryId: string, refs: readonly PrincipalRefRecord[]): PrincipalRefRecord[] {
    const outside = new Set(this.outside(categoryId, refs));
    return outside.size === 0 ? [...refs] : refs.filter((ref) => !outside.has(ref));
  }

  private ref(r: PrincipalRefRecord): PrincipalRef {
    const numbers = this.numbers[r.kind];
    let n = numbers.get(r.id);
    if (n === undefined) numbers.set(r.id, (n = numbers.size + 1));
    return { kind: r.kind, id: n };
  }

  /** The principal and every group that holds it, directly or through other groups (cycles are an error elsewhere). */
  private identity(ref: PrincipalRefRecord): Identity {
    const k = refKey(ref);
    const known = this.identities.get(k);
    if (known) return known;
    const groups = new Set<number>();
    const seen = new Set<string>();
    const pending: PrincipalRefRecord[] = [ref];
    for (let next = pending.pop(); next; next = pending.pop()) {
      if (next.kind === 'group') groups.add(this.ref(next).id);
      for (const group of this.parents.get(refKey(next)) ?? []) {
        if (!seen.has(group)) {
          seen.add(group);
          pending.push({ kind: 'group', id: group });
        }
      }
    }
    const identity: Identity = { userIds: new Set(ref.kind === 'user' ? [this.ref(ref).id] : []), groupIds: groups };
    this.identities.set(k, identity);
    return identity;
  }
}

export const OUT_OF_SCOPE = 'out_of_scope_dropped';

/** One warning per holder the import drops because the category does not allow it. */
export function outOfScopeNotes(
  scope: SourceScope,
  item: { type: 'category' | 'room'; id: string; name: string },
  categoryId: string,
  categoryName: string,
  lists: Record<string, readonly PrincipalRefRecord[]>,
): NoteRecord[] {
  const notes: NoteRecord[] = [];
  for (const [list, refs] of Object.entries(lists)) {
    for (const ref of scope.outside(categoryId, refs)) {
      notes.push({
        severity: 'warning',
        code: OUT_OF_SCOPE,
        item: { type: item.type, id: item.id, name: item.name },
        message: `${typeName(item.type)} "${item.name}": ${list} ${typeName(ref.kind)} "${ref.id}" is outside category "${categoryName}" (not allowed, or denied) and is dropped, as when a room moves`,
      });
    }
  }
  return notes;
}

/** The lists of a category and of a room that must lie within the category's scope. */
export const scopedLists = {
  category: (c: RecordOf['categories']) => ({ creators: c.creators }),
  room: (r: RecordOf['rooms']) => ({ members: r.members, managers: r.managers, ...(r.type === 'auditorium' ? { presenters: r.presenters } : {}) }),
};

/** Reads a source's memberships and categories into a scope (for verify, which reads the rest itself). */
export async function scopeOf(source: RecordSource): Promise<{ scope: SourceScope; categoryNames: Map<string, string> }> {
  const scope = new SourceScope();
  const categoryNames = new Map<string, string>();
  for await (const m of source.records('memberships')) scope.addMembership(m);
  for await (const c of source.records('categories')) {
    scope.addCategory(c);
    categoryNames.set(c.id, c.name);
  }
  return { scope, categoryNames };
}
