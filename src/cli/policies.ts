import type { Command } from 'commander';
import { PchatError } from '../core/errors.js';
import type { PolicyRule } from '../core/model.js';
import type { Cli } from './local.js';
import { printList, printResult, type Row } from './output.js';
import { addToggle, defineCommand, defineGroup, onOff, type Opts, usage } from './resource.js';

/** The scope and target id a policy command names; the target is a group (site) or a user. */
async function policyTarget(cli: Cli, o: Opts): Promise<{ scope: unknown; targetId: number | null }> {
  const target = o.target as string | undefined;
  if (target === undefined) return { scope: o.scope, targetId: null };
  if (o.scope === 'site') return { scope: o.scope, targetId: (await cli.principals.group(target, '--target')).id };
  if (o.scope === 'user') return { scope: o.scope, targetId: (await cli.principals.user(target, '--target')).id };
  throw new PchatError('invalid_input', `--target is only used with --scope site or --scope user, not "${String(o.scope)}".`, { field: '--target' });
}

async function present(cli: Cli, p: PolicyRule): Promise<Row> {
  const [target] = p.targetId === null ? [null] : await cli.principals.named([{ kind: p.scope === 'site' ? 'group' : 'user', id: p.targetId }]);
  return { scope: p.scope, target, enabled: p.enabled };
}

const scopeHelp = 'global (everyone), site (the members of a group) or user; the most specific rule wins';
const targetHelp = 'for site: the group name or id; for user: the login or id';

export function registerPolicies(program: Command): void {
  const group = defineGroup(
    program,
    'policy',
    'Manage the persistent chat policy: whether users may use persistent chat at all.',
    ['pchat policy list', 'pchat policy set --scope site --target interns --disabled', 'pchat policy remove --scope site --target interns'],
    'Rules have a scope: global, site (a group of users) or user; the most specific rule wins.\nA fresh install enables chat globally.',
  );
  defineCommand(group, {
    name: 'list',
    description: 'List every policy rule: scope, target and whether chat is enabled.',
    examples: ['pchat policy list', 'pchat policy list --json'],
    run: async (cli) => {
      const rules = await cli.app.settings.listPolicies(cli.actor);
      printList(cli.json, await Promise.all(rules.map((p) => present(cli, p))), ['scope', 'target', 'enabled']);
    },
  });
  defineCommand(group, {
    name: 'set',
    description: 'Create or replace the rule for one scope and target.',
    examples: ['pchat policy set --scope global --enabled', 'pchat policy set --scope site --target interns --disabled', 'pchat policy set --scope user --target alice@example.com --enabled'],
    options: (cmd) => {
      cmd.requiredOption('--scope <scope>', scopeHelp).option('--target <group|login>', targetHelp);
      addToggle(cmd, ['--enabled', 'the targeted users may use persistent chat'], ['--disabled', 'the targeted users may not use persistent chat']);
    },
    run: async (cli, _args, o, cmd) => {
      const enabled = onOff(o, 'enabled', 'disabled');
      if (enabled === undefined) usage(cmd, 'give --enabled or --disabled.');
      const rule = await cli.app.settings.setPolicy(cli.actor, { ...(await policyTarget(cli, o)), enabled });
      const shown = await present(cli, rule);
      printResult(cli.json, shown, `Persistent chat is now ${enabled ? 'enabled' : 'disabled'} for ${rule.scope}${rule.targetId === null ? '' : ` ${(shown.target as { name: string }).name}`}.`);
    },
  });
  defineCommand(group, {
    name: 'remove',
    description: 'Remove the rule for one scope and target, so a less specific rule applies again.',
    examples: ['pchat policy remove --scope user --target alice@example.com', 'pchat policy remove --scope site --target interns'],
    options: (cmd) => cmd.requiredOption('--scope <scope>', scopeHelp).option('--target <group|login>', targetHelp),
    run: async (cli, _args, o) => {
      const target = await policyTarget(cli, o);
      await cli.app.settings.removePolicy(cli.actor, target);
      printResult(cli.json, { removed: { scope: target.scope, targetId: target.targetId } }, `Removed the ${String(target.scope)} policy rule${o.target === undefined ? '' : ` for ${String(o.target)}`}.`);
    },
  });
}
