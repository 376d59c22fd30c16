import type { GroupGraph } from './groupGraph.js';
import type { PolicyRule } from './model.js';

/**
 * Whether a policy enables its switch for the user: the most specific scope wins (user, then site,
 * then global). A user in several sites with conflicting rules is disabled: like a category's
 * deny, the restrictive rule wins. With no rule at all, the switch is on (a fresh install's
 * default). Both policies resolve so: persistent chat (`policies`) and direct conversations
 * (`directPolicies`, which apply on top of chat: without chat, no direct conversation either).
 */
export function policyEnabledFor(userId: number, rules: readonly PolicyRule[], graph: GroupGraph): boolean {
  const userRule = rules.find((rule) => rule.scope === 'user' && rule.targetId === userId);
  if (userRule) return userRule.enabled;
  const groups = graph.groupsOf({ kind: 'user', id: userId });
  const siteRules = rules.filter((rule) => rule.scope === 'site' && rule.targetId !== null && groups.has(rule.targetId));
  if (siteRules.length > 0) return siteRules.every((rule) => rule.enabled);
  return rules.find((rule) => rule.scope === 'global')?.enabled ?? true;
}
