import type { GroupGraph } from './groupGraph.js';
import type { PolicyRule } from './model.js';

/**
 * The effective persistent chat policy: the most specific scope wins (user, then site, then
 * global). A user in several sites with conflicting rules is disabled: like a category's deny,
 * the restrictive rule wins. With no rule at all, chat is enabled (a fresh install's default).
 */
export function chatEnabledFor(userId: number, rules: readonly PolicyRule[], graph: GroupGraph): boolean {
  const userRule = rules.find((rule) => rule.scope === 'user' && rule.targetId === userId);
  if (userRule) return userRule.enabled;
  const groups = graph.groupsOf({ kind: 'user', id: userId });
  const siteRules = rules.filter((rule) => rule.scope === 'site' && rule.targetId !== null && groups.has(rule.targetId));
  if (siteRules.length > 0) return siteRules.every((rule) => rule.enabled);
  return rules.find((rule) => rule.scope === 'global')?.enabled ?? true;
}

/**
 * The effective direct-message policy: the same resolution over the `direct` rules (user, then
 * site, then global, the restrictive rule winning between sites); with no rule, direct
 * conversations are enabled. The chat policy still applies on top: without chat, no direct
 * conversation either.
 */
export function directEnabledFor(userId: number, directRules: readonly PolicyRule[], graph: GroupGraph): boolean {
  return chatEnabledFor(userId, directRules, graph);
}
