import { PchatError } from './errors.js';
import type { Group, PrincipalRef } from './model.js';

const key = (ref: PrincipalRef): string => `${ref.kind}:${ref.id}`;

/**
 * Who belongs to which group, transitively. Built once from every group's direct members
 * and then queried many times, so permission checks never touch storage.
 */
export class GroupGraph {
  /** principal key -> ids of the groups that list it as a direct member. */
  private readonly parents = new Map<string, number[]>();
  private readonly ancestorCache = new Map<string, ReadonlySet<number>>();

  constructor(groups: Iterable<Pick<Group, 'id' | 'members'>>) {
    for (const group of groups) {
      for (const member of group.members) {
        const k = key(member);
        const list = this.parents.get(k);
        if (list) list.push(group.id);
        else this.parents.set(k, [group.id]);
      }
    }
  }

  /** Every group that contains `ref`, directly or through nested groups. */
  groupsOf(ref: PrincipalRef): ReadonlySet<number> {
    const k = key(ref);
    const cached = this.ancestorCache.get(k);
    if (cached) return cached;
    const seen = new Set<number>();
    const stack = [...(this.parents.get(k) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const parent of this.parents.get(`group:${id}`) ?? []) stack.push(parent);
    }
    this.ancestorCache.set(k, seen);
    return seen;
  }

  /**
   * Throws group_cycle when making `members` the direct members of `groupId` would close a loop.
   * `nameOf` lets the error name the groups, so an administrator sees which choice is at fault.
   */
  assertNoCycle(groupId: number, members: readonly PrincipalRef[], nameOf: (groupId: number) => string = (id) => `group ${id}`): void {
    for (const member of members) {
      if (member.kind !== 'group') continue;
      if (member.id === groupId) throw new PchatError('group_cycle', `A group cannot be a member of itself (${nameOf(groupId)}).`, { field: 'members' });
      if (this.groupsOf({ kind: 'group', id: groupId }).has(member.id)) {
        throw new PchatError(
          'group_cycle',
          `${nameOf(member.id)} already contains ${nameOf(groupId)} (directly or through other groups), so putting it inside ${nameOf(groupId)} would form a cycle.`,
          { field: 'members' },
        );
      }
    }
  }
}

/** The principal itself plus every group it belongs to: what grants are matched against. */
export interface Identity {
  readonly userIds: ReadonlySet<number>;
  readonly groupIds: ReadonlySet<number>;
}

export function identityOf(ref: PrincipalRef, graph: GroupGraph): Identity {
  const groups = new Set(graph.groupsOf(ref));
  if (ref.kind === 'group') groups.add(ref.id);
  return { userIds: ref.kind === 'user' ? new Set([ref.id]) : new Set(), groupIds: groups };
}

/** True when any of `refs` names this identity or one of its groups. */
export function matchesAny(identity: Identity, refs: readonly PrincipalRef[]): boolean {
  for (const ref of refs) {
    if (ref.kind === 'user' ? identity.userIds.has(ref.id) : identity.groupIds.has(ref.id)) return true;
  }
  return false;
}

export function samePrincipal(a: PrincipalRef, b: PrincipalRef): boolean {
  return a.kind === b.kind && a.id === b.id;
}

/** Removes duplicate references, keeping the first occurrence's order. */
export function uniquePrincipals(refs: readonly PrincipalRef[]): PrincipalRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const k = key(ref);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
