import type { Command } from 'commander';
import { PchatError } from '../core/errors.js';
import type { Room } from '../core/model.js';
import { PRIVACIES, ROOM_TYPES } from '../core/model.js';
import { addins } from './addins.js';
import { parseEndDate } from './args.js';
import { categories, listRooms } from './categories.js';
import type { Cli } from './local.js';
import { printList, printResult } from './output.js';
import { PRINCIPAL_SYNTAX, parsePrincipalList } from './principals.js';
import { addCreateAndSet, addGet, addToggle, addList, addRemove, defineCommand, defineGroup, onOff, resolve, type Resource } from './resource.js';

/** undefined when the room does not exist (or is not a room at all). */
async function roomOrNothing(lookup: Promise<{ room: Room }>): Promise<Room | undefined> {
  try {
    return (await lookup).room;
  } catch (error) {
    if (error instanceof PchatError && error.code === 'room_not_found') return undefined;
    throw error;
  }
}

export const rooms: Resource<Room> = {
  noun: 'room',
  plural: 'rooms',
  key: 'name',
  columns: ['id', 'name', 'category', 'privacy', 'type', 'disabled', 'description'],
  notFoundCode: 'room_not_found',
  list: async (cli) => (await listRooms(cli)).map((v) => v.room),
  nameOf: (r) => r.name,
  find: async (cli, ref) =>
    (/^\d+$/.test(ref) ? await roomOrNothing(cli.app.rooms.get(cli.actor, Number(ref))) : undefined) ??
    (await roomOrNothing(cli.app.rooms.getByName(cli.actor, ref))),
  present: async (cli, r) => {
    const category = await cli.app.categories.get(cli.actor, r.categoryId);
    const addin = r.addinId === null ? null : await cli.app.addins.get(cli.actor, r.addinId);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      category: { id: category.id, name: category.name },
      privacy: r.privacy,
      type: r.type,
      invitations: r.invitations,
      addin: addin && { id: addin.id, name: addin.name, url: addin.url },
      disabled: r.disabled,
      members: await cli.principals.named(r.members),
      managers: await cli.principals.named(r.managers),
      presenters: await cli.principals.named(r.presenters),
      createdAt: new Date(r.createdAt).toISOString(),
      origin: r.origin,
      legacyUri: r.legacyUri,
    };
  },
};

async function roomInput(cli: Cli, o: Record<string, unknown>): Promise<Record<string, unknown>> {
  const addin = o.addin as string | undefined;
  return {
    name: o.name,
    description: o.description,
    categoryId: o.category === undefined ? undefined : (await resolve(cli, categories, o.category as string, '--category')).id,
    privacy: o.privacy,
    type: o.type,
    invitations: o.invitations,
    addinId: addin === undefined ? undefined : addin.toLowerCase() === 'none' ? null : (await resolve(cli, addins, addin, '--addin')).id,
    disabled: onOff(o, 'disable', 'enable'),
    members: await cli.principals.resolve(o.members, '--members'),
    managers: await cli.principals.resolve(o.managers, '--managers'),
    presenters: await cli.principals.resolve(o.presenters, '--presenters'),
  };
}

function roomOptions(cmd: Command, mode: 'create' | 'set'): void {
  if (mode === 'create') cmd.requiredOption('--category <name|id>', 'the category the room belongs to (required)');
  else cmd.option('--name <name>', 'rename the room (unique, at most 256 characters)').option('--category <name|id>', 'move the room to another category; role entries the new category does not allow are dropped');
  cmd
    .option('--description <text>', 'what the room is for (at most 256 characters)')
    .option('--privacy <privacy>', `${PRIVACIES.join('|')}: open = everyone the category allows reads and posts; closed (default) = only members enter; secret = only members even know it exists`)
    .option('--type <type>', `${ROOM_TYPES.join('|')}: in an auditorium only presenters post (default normal)`)
    .option('--members <principals>', `who may enter, read and post (${PRINCIPAL_SYNTAX})`, parsePrincipalList)
    .option('--managers <principals>', 'who may edit the room settings and role lists', parsePrincipalList)
    .option('--presenters <principals>', 'who may post in an auditorium (auditorium rooms only)', parsePrincipalList)
    .option('--addin <name|id|none>', 'the add-in shown beside the room, or none')
    .option('--invitations <inherit|false>', 'inherit the category flag, or false to send no invitations');
  addToggle(cmd, ['--disable', 'disable the room: members are disconnected at once, it vanishes from listings; history is kept'], ['--enable', 'enable a disabled room again']);
}

export function registerRooms(program: Command): void {
  const group = defineGroup(
    program,
    'room',
    'Manage rooms: settings, role lists, disabling, deleting and clearing history.',
    ['pchat room list', 'pchat room get "release planning"', 'pchat room set "release planning" --disable'],
    `Rooms are named by name or numeric id. Principals: ${PRINCIPAL_SYNTAX}.
Changes reach connected clients within a second, also while the server runs.`,
  );
  addList(group, rooms, ['pchat room list', 'pchat room list --category Engineering', 'pchat room list --json'], {
    options: (cmd) => cmd.option('--category <name|id>', 'only the rooms of this category'),
    run: async (cli, _args, o) => {
      const categoryId = o.category === undefined ? undefined : (await resolve(cli, categories, o.category as string, '--category')).id;
      const views = await listRooms(cli, categoryId);
      printList(cli.json, await Promise.all(views.map((v) => rooms.present(cli, v.room))), rooms.columns);
    },
  });
  addGet(group, rooms, ['pchat room get "release planning"', 'pchat room get 12 --json']);
  addCreateAndSet(group, rooms, {
    options: roomOptions,
    input: roomInput,
    create: async (cli, name, input) => (await cli.app.rooms.create(cli.actor, { ...input, name })).room,
    update: async (cli, room, input) => {
      const result = await cli.app.rooms.update(cli.actor, room.id, input);
      if (result.dropped.length > 0) {
        const names = (await cli.principals.named(result.dropped)).map((p) => `${p.kind}:${p.name}`);
        process.stderr.write(`pchat: dropped role entries the new category does not allow: ${names.join(', ')}\n`);
      }
      return result.room;
    },
    createExamples: [
      'pchat room create "release planning" --category Engineering --members group:engineers --managers user:alice@example.com',
      'pchat room create "town hall" --category Announcements --type auditorium --privacy open --presenters user:ceo@example.com',
    ],
    setExamples: [
      'pchat room set "release planning" --privacy secret',
      'pchat room set 12 --members user:alice@example.com,group:traders',
      'pchat room set "release planning" --disable',
      'pchat room set "release planning" --addin none --invitations false',
    ],
  });
  addRemove(group, rooms, (cli, r) => cli.app.rooms.remove(cli.actor, r.id), ['pchat room remove "old project"', 'pchat room remove 12'], 'Deletes the room and its history for good (compliance records stay). To keep them, use `room set --disable`.');
  defineCommand(group, {
    name: 'clear <room>',
    description: 'Delete a room\'s history from the oldest message through a date. Irreversible; compliance keeps the originals.',
    examples: ['pchat room clear "release planning" --up-to 2024-03-31', 'pchat room clear 12 --up-to 2024-03-31T12:00:00Z'],
    note: 'A bare date means through the end of that day (UTC); a time without an offset is UTC.',
    options: (cmd) => cmd.requiredOption('--up-to <ISO date>', 'delete every message posted up to and including this time', parseEndDate),
    run: async (cli, [name], o) => {
      const room = await resolve(cli, rooms, name as string);
      const upTo = o.upTo as number;
      const { removed } = await cli.app.moderation.clearRoom(cli.actor, room.id, { upTo });
      const iso = new Date(upTo).toISOString();
      printResult(cli.json, { roomId: room.id, upTo: iso, removed }, `Removed ${removed} message(s) from "${room.name}" up to ${iso}.`);
    },
  });
}
