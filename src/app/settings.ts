import { z } from 'zod';
import { notFound, PchatError } from '../core/errors.js';
import { type ChatConfig, POLICY_KINDS, type PolicyKind, type PolicyRule } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { policyEnabledFor } from '../core/policy.js';
import { validateHttpUrl } from '../core/validation.js';
import { type AppContext, requireAdmin } from './context.js';
import { parse } from './validate.js';

/** `kind`: which switch the rule sets, persistent chat (`chat`, the default) or direct conversations (`direct`). */
const policyKind = z.enum(POLICY_KINDS).default('chat');
export const policyInput = z.strictObject({
  scope: z.enum(['global', 'site', 'user']),
  targetId: z.int().positive().nullable().default(null),
  enabled: z.boolean(),
  kind: policyKind,
});
export const policyTarget = z.strictObject({
  scope: z.enum(['global', 'site', 'user']),
  targetId: z.int().positive().nullable().default(null),
  kind: policyKind,
});
/** How long authors may edit or delete their own messages: `off`, `always`, or minutes after posting (at most a year). */
const EDIT_WINDOW_WORDS = 'Give "off", "always", or a number of minutes from 1 to 525600.';
export const editWindowInput = z.union([z.enum(['off', 'always']), z.int(EDIT_WINDOW_WORDS).min(1, EDIT_WINDOW_WORDS).max(525_600, EDIT_WINDOW_WORDS)], {
  error: EDIT_WINDOW_WORDS,
});
export const chatConfigInput = z.strictObject({
  defaultChatHistory: z.int().min(1).max(500).optional(),
  participantUpdateLimit: z.int().min(1).max(100_000).optional(),
  maxMessageChars: z.int().min(1).max(1_000_000).optional(),
  maxFileSizeKB: z.int().min(1).max(10_000_000).optional(),
  roomManagementUrl: z.string().nullable().optional(),
  editOwnMessages: editWindowInput.optional(),
});

export function settingsUseCases(ctx: AppContext) {
  const checkTarget = async (scope: PolicyRule['scope'], targetId: number | null): Promise<void> => {
    if (scope === 'global') {
      if (targetId !== null) throw new PchatError('invalid_input', 'The global policy takes no targetId.', { field: 'targetId' });
      return;
    }
    if (targetId === null) throw new PchatError('invalid_input', `A ${scope} policy needs a targetId.`, { field: 'targetId' });
    const snapshot = await ctx.directory.snapshot();
    const exists = scope === 'site' ? snapshot.groups.has(targetId) : snapshot.users.has(targetId);
    if (!exists) {
      throw new PchatError('invalid_input', `No ${scope === 'site' ? 'group (site)' : 'user'} has id ${targetId}.`, { field: 'targetId' });
    }
  };

  const rulesOf = (kind: PolicyKind) => (kind === 'direct' ? ctx.store.directPolicies : ctx.store.policies);

  return {
    /** The rules of one policy: `chat` (persistent chat at all, the default) or `direct` (direct conversations). */
    async listPolicies(actor: Actor, kind: PolicyKind = 'chat'): Promise<PolicyRule[]> {
      requireAdmin(actor);
      const snapshot = await ctx.directory.snapshot();
      return [...snapshot.policiesOf(kind)];
    },
    async setPolicy(actor: Actor, input: unknown): Promise<PolicyRule & { kind: PolicyKind }> {
      requireAdmin(actor);
      const { kind, ...rule } = parse(policyInput, input);
      await checkTarget(rule.scope, rule.targetId);
      await rulesOf(kind).set(rule);
      await ctx.bus.publish({ type: 'directory.changed', what: 'policy' });
      return { ...rule, kind };
    },
    async removePolicy(actor: Actor, input: unknown): Promise<void> {
      requireAdmin(actor);
      const { scope, targetId, kind } = parse(policyTarget, input);
      await checkTarget(scope, targetId);
      if (!(await rulesOf(kind).remove(scope, targetId))) throw notFound('policy');
      await ctx.bus.publish({ type: 'directory.changed', what: 'policy' });
    },
    /** Whether the user may use persistent chat, and which rule decided it. */
    async effectivePolicy(actor: Actor, userId: number): Promise<boolean> {
      requireAdmin(actor);
      const snapshot = await ctx.directory.snapshot();
      if (!snapshot.users.has(userId)) throw notFound('user');
      return policyEnabledFor(userId, snapshot.policies, snapshot.graph);
    },
    async chatConfig(actor: Actor): Promise<ChatConfig> {
      void actor;
      return (await ctx.directory.snapshot()).config;
    },
    async updateChatConfig(actor: Actor, input: unknown): Promise<ChatConfig> {
      requireAdmin(actor);
      const patch = parse(chatConfigInput, input);
      const current = await ctx.store.settings.chatConfig();
      const url = patch.roomManagementUrl;
      const next: ChatConfig = {
        ...current,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
        roomManagementUrl: url === undefined ? current.roomManagementUrl : url === null ? null : validateHttpUrl(url, 'roomManagementUrl', 'The room management URL'),
      };
      await ctx.store.settings.setChatConfig(next);
      await ctx.bus.publish({ type: 'directory.changed', what: 'config' });
      return next;
    },
  };
}
