import type { Command } from 'commander';
import type { AddIn } from '../core/model.js';
import { addCreateAndSet, addGet, addList, addRemove, defineGroup, type Resource } from './resource.js';

export const addins: Resource<AddIn> = {
  noun: 'add-in',
  plural: 'add-ins',
  key: 'name',
  columns: ['id', 'name', 'url'],
  list: (cli) => cli.app.addins.list(cli.actor),
  nameOf: (a) => a.name,
  present: (_cli, a) => Promise.resolve({ id: a.id, name: a.name, url: a.url }),
};

export function registerAddins(program: Command): void {
  const group = defineGroup(
    program,
    'addin',
    'Manage add-ins: registered web pages (name, http/https URL) that rooms show in a side panel.',
    ['pchat addin list', 'pchat addin create wiki --url https://wiki.example.com/panel', 'pchat room set "release planning" --addin wiki'],
    'Add-ins are named by name or numeric id. A room shows at most one add-in (see `pchat room set --addin`).',
  );
  addList(group, addins, ['pchat addin list', 'pchat addin list --json']);
  addGet(group, addins, ['pchat addin get wiki', 'pchat addin get 2 --json']);
  addCreateAndSet(group, addins, {
    options: (cmd, mode) => {
      if (mode === 'create') cmd.requiredOption('--url <url>', 'the page to embed: an absolute http or https URL (required)');
      else cmd.option('--name <name>', 'rename the add-in (unique)').option('--url <url>', 'the page to embed: an absolute http or https URL');
    },
    input: (_cli, o) => Promise.resolve({ name: o.name, url: o.url }),
    create: (cli, name, input) => cli.app.addins.create(cli.actor, { ...input, name }),
    update: (cli, a, input) => cli.app.addins.update(cli.actor, a.id, input),
    createExamples: ['pchat addin create wiki --url https://wiki.example.com/panel'],
    setExamples: ['pchat addin set wiki --url https://wiki.example.com/v2/panel', 'pchat addin set 2 --name "team wiki"'],
  });
  addRemove(group, addins, (cli, a) => cli.app.addins.remove(cli.actor, a.id), ['pchat addin remove wiki']);
}
