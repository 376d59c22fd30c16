import { GroupGraph } from '../../core/groupGraph.js';
import type { PolicyRule } from '../../core/model.js';
import { policyEnabledFor } from '../../core/policy.js';
import type { PolicyRecord, UserRecord } from '../archive/records.js';
import type { RecordSource } from '../source.js';

/** The source's users, groups, memberships and policies, with numeric ids for the policy model. */
export interface SourcePolicies {
  readonly users: UserRecord[];
  readonly policies: PolicyRecord[];
  /** Source user id → whether the source's own policy lets the user chat. */
  readonly enabled: Map<string, boolean>;
  /** Source user ids that a user or site rule of the source covers (the source decides for them). */
  readonly decidedBySource: Set<string>;
}

export async function sourcePolicies(source: RecordSource): Promise<SourcePolicies> {
  const users: UserRecord[] = [];
  for await (const u of source.records('users')) users.push(u);
  const ids = { user: new Map<string, number>(), group: new Map<string, number>() };
  users.forEach((u, i) => ids.user.set(u.id, i + 1));
  const groups: { id: number; members: { kind: 'user' | 'group'; id: number }[] }[] = [];
  for await (const g of source.records('groups')) {
    ids.group.set(g.id, groups.length + 1);
    groups.push({ id: groups.length + 1, members: [] });
  }
  for await (const m of source.records('memberships')) {
    const group = groups[(ids.group.get(m.group) ?? 0) - 1];
    const member = ids[m.member.kind].get(m.member.id);
    if (group && member !== undefined) group.members.push({ kind: m.member.kind, id: member });
  }
  const policies: PolicyRecord[] = [];
  for await (const p of source.records('policies')) policies.push(p);
  const rules: PolicyRule[] = policies.flatMap((p) => {
    const targetId = p.target ? ids[p.target.kind].get(p.target.id) : null;
    return targetId === undefined ? [] : [{ scope: p.scope, targetId, enabled: p.enabled }];
  });
  const graph = new GroupGraph(groups);
  const enabled = new Map<string, boolean>();
  const decidedBySource = new Set<string>();
  for (const u of users) {
    const id = ids.user.get(u.id) as number;
    enabled.set(u.id, policyEnabledFor(id, rules, graph));
    const groupsOf = graph.groupsOf({ kind: 'user', id });
    if (rules.some((r) => (r.scope === 'user' && r.targetId === id) || (r.scope === 'site' && r.targetId !== null && groupsOf.has(r.targetId)))) decidedBySource.add(u.id);
  }
  return { users, policies, enabled, decidedBySource };
}

/**
 * Users who may chat in the source but whom the target's policy would hide once migrated
 * (the trap of a global policy that is off). The source's own user and site rules are imported
 * with it and decide for the users they cover; for the others the target's rule for an existing
 * account, else the global rule (the source's, if it has one, is imported), decides.
 */
export function hiddenAfterImport(
  source: SourcePolicies,
  target: { rules: readonly PolicyRule[]; graph: GroupGraph; existing: Map<string, number> },
): { login: string; reason: string }[] {
  const sourceGlobal = source.policies.find((p) => p.scope === 'global');
  const hidden: { login: string; reason: string }[] = [];
  for (const u of source.users) {
    if (u.disabled || source.enabled.get(u.id) !== true || source.decidedBySource.has(u.id)) continue;
    const existing = target.existing.get(u.id);
    const rules = sourceGlobal ? [...target.rules.filter((r) => r.scope !== 'global'), { scope: 'global' as const, targetId: null, enabled: sourceGlobal.enabled }] : target.rules;
    if (existing !== undefined) {
      if (!policyEnabledFor(existing, rules, target.graph)) hidden.push({ login: u.login, reason: `the target's policy for the existing account (id ${existing}) disables chat` });
    } else if (!(rules.find((r) => r.scope === 'global')?.enabled ?? true)) {
      hidden.push({ login: u.login, reason: "the target's global policy disables chat" });
    }
  }
  return hidden;
}
