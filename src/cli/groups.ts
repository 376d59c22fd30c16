import type { Command } from 'commander';
import type { Group } from '../core/model.js';
import { PRINCIPAL_SYNTAX, parsePrincipalList } from './principals.js';
import { addCreateAndSet, addGet, addList, addRemove, defineGroup, type Resource } from './resource.js';

export const groups: Resource<Group> = {
  noun: 'group',
  plural: 'groups',
  key: 'name',
  columns: ['id', 'name', 'members', 'description'],
  list: (cli) => cli.app.groups.list(cli.actor),
  nameOf: (g) => g.name,
  present: async (cli, g) => ({
    id: g.id,
    name: g.name,
    description: g.description,
    members: await cli.principals.named(g.members),
    origin: g.origin,
  }),
};

export function registerGroups(program: Command): void {
  const group = defineGroup(
    program,
    'group',
    'Manage groups: named sets of users and other groups (nesting allowed, no cycles).',
    ['pchat group list', 'pchat group create traders --members user:alice@example.com,user:bob@example.com', 'pchat group set traders --members group:desk-a,group:desk-b'],
    `Permissions granted to a group apply to its transitive members. Groups are named by name or
numeric id. Principals: ${PRINCIPAL_SYNTAX}.`,
  );
  addList(group, groups, ['pchat group list', 'pchat group list --json']);
  addGet(group, groups, ['pchat group get traders', 'pchat group get 4 --json']);
  addCreateAndSet(group, groups, {
    options: (cmd, mode) => {
      if (mode === 'set') cmd.option('--name <name>', 'rename the group (unique)');
      cmd
        .option('--description <text>', 'what the group is (at most 256 characters)')
        .option('--members <principals>', `direct members: users and groups (${PRINCIPAL_SYNTAX}); replaces the list on set`, parsePrincipalList);
    },
    input: async (cli, o) => ({ name: o.name, description: o.description, members: await cli.principals.resolve(o.members, '--members') }),
    create: (cli, name, input) => cli.app.groups.create(cli.actor, { ...input, name }),
    update: (cli, g, input) => cli.app.groups.update(cli.actor, g.id, input),
    createExamples: ['pchat group create traders --description "Trading desk" --members user:alice@example.com,group:desk-a'],
    setExamples: ['pchat group set traders --members user:alice@example.com', 'pchat group set 4 --name "all traders"'],
  });
  addRemove(
    group,
    groups,
    (cli, g) => cli.app.groups.remove(cli.actor, g.id),
    ['pchat group remove interns'],
    'Removing a group also removes it from every member list, category list, room role list and policy that names it.',
  );
}
