import type { Command } from 'commander';
import type { RoomView } from '../app/rooms.js';
import type { Category } from '../core/model.js';
import type { Cli } from './local.js';
import { PRINCIPAL_SYNTAX, parsePrincipalList } from './principals.js';
import { addCreateAndSet, addGet, addList, addRemove, defineGroup, type Resource } from './resource.js';

/** Every room the administrator sees (all of them), optionally of one category, page by page. */
export async function listRooms(cli: Cli, categoryId?: number): Promise<RoomView[]> {
  const all: RoomView[] = [];
  for (let after = 0; ; ) {
    const page = await cli.app.rooms.directory(cli.actor, { after, limit: 1000, ...(categoryId !== undefined && { categoryId }) });
    all.push(...page.rooms);
    if (page.next === null) return all;
    after = page.next;
  }
}

export const categories: Resource<Category> = {
  noun: 'category',
  plural: 'categories',
  key: 'name',
  columns: ['id', 'name', 'rooms', 'invitations', 'fileUpload', 'chatHistory', 'description'],
  list: (cli) => cli.app.categories.list(cli.actor),
  nameOf: (c) => c.name,
  present: async (cli, c) => {
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      rooms: (await listRooms(cli, c.id)).length,
      allowed: await cli.principals.named(c.allowed),
      denied: await cli.principals.named(c.denied),
      creators: await cli.principals.named(c.creators),
      invitations: c.invitations,
      fileUpload: c.fileUpload,
      chatHistory: c.chatHistory,
      origin: c.origin,
    };
  },
};

export function registerCategories(program: Command): void {
  const group = defineGroup(
    program,
    'category',
    'Manage categories: the containers of rooms and the boundary of who may ever be involved with them.',
    ['pchat category list', 'pchat category create Trading --allowed group:traders --creators user:alice@example.com', 'pchat category get Trading --json'],
    `A category's allowed list says who may be given roles in its rooms and find its open and closed
rooms; the denied list always wins over it (ethical walls). Creators may create rooms in it and
must lie within allowed minus denied. Principals: ${PRINCIPAL_SYNTAX}.`,
  );
  addList(group, categories, ['pchat category list', 'pchat category list --json']);
  addGet(group, categories, ['pchat category get Trading', 'pchat category get 3 --json']);
  addCreateAndSet(group, categories, {
    options: (cmd, mode) => {
      if (mode === 'set') cmd.option('--name <name>', 'rename the category (unique, at most 256 characters)');
      cmd
        .option('--description <text>', 'what the category is for (at most 256 characters)')
        .option('--allowed <principals>', `who may be given roles in its rooms and find them (${PRINCIPAL_SYNTAX})`, parsePrincipalList)
        .option('--denied <principals>', 'who is excluded even when allowed; denied always wins', parsePrincipalList)
        .option('--creators <principals>', 'who may create rooms here; must be allowed and not denied', parsePrincipalList)
        .option('--invitations', 'rooms of this category may send invitations (default on create)')
        .option('--no-invitations', 'no room of this category may send invitations')
        .option('--file-upload', 'rooms of this category accept file posts (default on create)')
        .option('--no-file-upload', 'rooms of this category refuse file posts')
        .option('--chat-history', 'messages are kept as history (default on create)')
        .option('--no-chat-history', 'messages are delivered live only, not kept for users (compliance still records them)');
    },
    input: async (cli, o) => ({
      name: o.name,
      description: o.description,
      allowed: await cli.principals.resolve(o.allowed, '--allowed'),
      denied: await cli.principals.resolve(o.denied, '--denied'),
      creators: await cli.principals.resolve(o.creators, '--creators'),
      invitations: o.invitations,
      fileUpload: o.fileUpload,
      chatHistory: o.chatHistory,
    }),
    create: (cli, name, input) => cli.app.categories.create(cli.actor, { ...input, name }),
    update: (cli, c, input) => cli.app.categories.update(cli.actor, c.id, input),
    createExamples: [
      'pchat category create Engineering --description "Product engineering" --allowed group:engineers',
      'pchat category create Announcements --allowed group:everyone --no-chat-history --no-file-upload',
    ],
    setExamples: [
      'pchat category set Trading --denied group:interns',
      'pchat category set 3 --name "Trading desk" --no-invitations',
      'pchat category set Trading --creators ""   # empty the creators list',
    ],
  });
  addRemove(group, categories, (cli, c) => cli.app.categories.remove(cli.actor, c.id), ['pchat category remove Archive'], 'A category can be removed only when it holds no rooms: move or remove them first.');
}
