import type { Command } from 'commander';
import { PchatError } from '../core/errors.js';
import { POLICY_KINDS, type PolicyKind, type PolicyRule } from '../core/model.js';
import type { Cli } from './local.js';
import { printList, printResult, type Row } from './output.js';
import { addToggle, defineCommand, defineGroup, onOff, type Opts, usage } from './resource.js';

/** The scope and target id a policy command names; the target is a group (site) or a user. */
async function policyTarget(cli: Cli, o: Opts): Promise<{ scope: unknown; targetId: number | null; kind: unknown }> {
  const target = o.target as string | undefined;
  const kind = o.kind ?? 'chat';
  if (target === undefined) return { scope: o.scope, targetId: null, kind };
  if (o.scope === 'site') return { scope: o.scope, targetId: (await cli.principals.group(target, '--target')).id, kind };
  if (o.scope === 'user') return { scope: o.scope, targetId: (await cli.principals.user(target, '--target')).id, kind };
  throw new PchatError('invalid_input', `--target is only used with --scope site or --scope user, not "${String(o.scope)}".`, { field: '--target' });
}

async function present(cli: Cli, p: PolicyRule, kind: PolicyKind): Promise<Row> {
  const [target] = p.targetId === null ? [null] : await cli.principals.named([{ kind: p.scope === 'site' ? 'group' : 'user', id: p.targetId }]);
  return { kind, scope: p.scope, target, enabled: p.enabled };
}

const scopeHelp = 'global (everyone), site (the members of a group) or user; the most specific rule wins';
const targetHelp = 'for site: the group name or id; for user: the login or id';
const kindHelp = 'chat (persistent chat at all; the default) or direct (direct conversations: starting and posting in them)';

export function registerPolicies(program: Command): void {
  const group = defineGroup(
    program,
    'policy',
    'Manage the policies: whether users may use persistent chat at all (--kind chat), and direct conversations (--kind direct).',
    ['pchat policy list', 'pchat policy set --scope site --target interns --disabled', 'pchat policy set --kind direct --scope global --disabled', 'pchat policy remove --scope site --target interns'],
    'Rules have a scope: global, site (a group of users) or user; the most specific rule wins\n(between sites, a disabling rule wins). A fresh install enables chat globally; with no\ndirect rule, direct conversations are enabled. Without chat, no direct conversation either.',
  );
  defineCommand(group, {
    name: 'list',
    description: 'List every policy rule of both kinds: kind, scope, target and whether it enables.',
    examples: ['pchat policy list', 'pchat policy list --json'],
    run: async (cli) => {
      const rows: Row[] = [];
      for (const kind of POLICY_KINDS) for (const p of await cli.app.settings.listPolicies(cli.actor, kind)) rows.push(await present(cli, p, kind));
      printList(cli.json, rows, ['kind', 'scope', 'target', 'enabled']);
    },
  });
  defineCommand(group, {
    name: 'set',
    description: 'Create or replace the rule for one scope and target.',
    examples: [
      'pchat policy set --scope global --enabled',
      'pchat policy set --scope site --target interns --disabled',
      'pchat policy set --scope user --target alice@example.com --enabled',
      'pchat policy set --kind direct --scope site --target interns --disabled',
    ],
    options: (cmd) => {
      cmd.requiredOption('--scope <scope>', scopeHelp).option('--target <group|login>', targetHelp).option('--kind <kind>', kindHelp);
      addToggle(cmd, ['--enabled', 'the targeted users may use persistent chat (or direct conversations)'], ['--disabled', 'the targeted users may not use persistent chat (or direct conversations)']);
    },
    run: async (cli, _args, o, cmd) => {
      const enabled = onOff(o, 'enabled', 'disabled');
      if (enabled === undefined) usage(cmd, 'give --enabled or --disabled.');
      const rule = await cli.app.settings.setPolicy(cli.actor, { ...(await policyTarget(cli, o)), enabled });
      const shown = await present(cli, rule, rule.kind);
      const what = rule.kind === 'direct' ? 'Direct conversations are' : 'Persistent chat is';
      printResult(cli.json, shown, `${what} now ${enabled ? 'enabled' : 'disabled'} for ${rule.scope}${rule.targetId === null ? '' : ` ${(shown.target as { name: string }).name}`}.`);
    },
  });
  defineCommand(group, {
    name: 'remove',
    description: 'Remove the rule for one scope and target, so a less specific rule applies again.',
    examples: ['pchat policy remove --scope user --target alice@example.com', 'pchat policy remove --scope site --target interns', 'pchat policy remove --kind direct --scope global'],
    options: (cmd) => cmd.requiredOption('--scope <scope>', scopeHelp).option('--target <group|login>', targetHelp).option('--kind <kind>', kindHelp),
    run: async (cli, _args, o) => {
      const target = await policyTarget(cli, o);
      await cli.app.settings.removePolicy(cli.actor, target);
      const kind = target.kind === 'direct' ? 'direct-message ' : '';
      printResult(cli.json, { removed: { kind: target.kind, scope: target.scope, targetId: target.targetId } }, `Removed the ${String(target.scope)} ${kind}policy rule${o.target === undefined ? '' : ` for ${String(o.target)}`}.`);
    },
  });
}
