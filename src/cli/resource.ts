import { type Command, Option } from 'commander';
import { type ErrorCode, PchatError } from '../core/errors.js';
import { type Cli, withApp } from './local.js';
import { printItem, printList, printResult, type Row } from './output.js';
import { findByNameOrId } from './principals.js';

/** Option values as commander hands them over. */
export type Opts = Record<string, unknown>;
export type Mode = 'create' | 'set';

/** Appends an Examples section (and an optional note) to a command's --help. */
export function withExamples(cmd: Command, lines: readonly string[], note?: string): Command {
  const text = `${note ? `\n${note.trim()}\n` : ''}\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
  return cmd.addHelpText('after', text);
}

/** A command group such as `pchat room`. */
export function defineGroup(program: Command, name: string, description: string, examples: readonly string[], note?: string): Command {
  return withExamples(program.command(name).description(description), examples, note);
}

export interface CommandSpec {
  /** Name and arguments, e.g. `get <room>`. */
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
  readonly note?: string;
  readonly options?: (cmd: Command) => void;
  readonly run: (cli: Cli, args: readonly string[], opts: Opts, cmd: Command) => Promise<void>;
}

/** A leaf command: parses its options, opens the application, runs, always closes. */
export function defineCommand(parent: Command, spec: CommandSpec): Command {
  const cmd = parent.command(spec.name).description(spec.description);
  spec.options?.(cmd);
  withExamples(cmd, spec.examples, spec.note);
  cmd.action(async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    await withApp(command, (cli) => spec.run(cli, command.processedArgs as string[], command.opts(), command));
  });
  return cmd;
}

/** A usage error: printed by commander, exit code 2. */
export function usage(cmd: Command, message: string): never {
  return cmd.error(`error: ${message}`);
}

/** Drops undefined fields, so a `set` changes only what was given. */
export function defined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** Adds two flags that cannot be given together, e.g. `--disable` and `--enable`. */
export function addToggle(cmd: Command, on: readonly [flag: string, help: string], off: readonly [flag: string, help: string]): Command {
  const name = (flag: string): string => flag.replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
  return cmd.addOption(new Option(on[0], on[1]).conflicts(name(off[0]))).addOption(new Option(off[0], off[1]).conflicts(name(on[0])));
}

/** `--disable` / `--enable` (and similar pairs) as one optional boolean. */
export function onOff(opts: Opts, on: string, off: string): boolean | undefined {
  return opts[on] === true ? true : opts[off] === true ? false : undefined;
}

/** What the generic list/get/create/set/remove commands need to know about one kind of item. */
export interface Resource<T extends { id: number }> {
  readonly noun: string;
  readonly plural: string;
  /** What names an item: 'name', or 'login' for users. */
  readonly key: string;
  readonly columns: readonly string[];
  readonly notFoundCode?: ErrorCode;
  list(cli: Cli): Promise<T[]>;
  nameOf(item: T): string;
  present(cli: Cli, item: T): Promise<Row>;
  /** Faster lookup than listing everything (e.g. rooms by name); defaults to the list. */
  find?(cli: Cli, ref: string): Promise<T | undefined>;
}

/** An item named by name (or login) or numeric id; `where` is the option or argument that named it. */
export async function resolve<T extends { id: number }>(cli: Cli, r: Resource<T>, ref: string, where = `<${r.noun}>`): Promise<T> {
  const found = r.find ? await r.find(cli, ref) : findByNameOrId(await r.list(cli), ref, (t) => r.nameOf(t));
  if (!found) throw new PchatError(r.notFoundCode ?? 'not_found', `No ${r.noun} has the ${r.key} or id "${ref}".`, { field: where });
  return found;
}

const arg = (r: Resource<{ id: number }>): string => `<${r.noun}>`;
const ref = (r: Resource<{ id: number }>): string => `${r.noun} ${r.key} or id`;

export function addList<T extends { id: number }>(group: Command, r: Resource<T>, examples: readonly string[], extra: Partial<CommandSpec> = {}): Command {
  return defineCommand(group, {
    name: 'list',
    description: `List every ${r.noun}: one row per ${r.noun} (${r.columns.join(', ')}); --json prints every field.`,
    examples,
    run: async (cli) => printList(cli.json, await Promise.all((await r.list(cli)).map((i) => r.present(cli, i))), r.columns),
    ...extra,
  });
}

export function addGet<T extends { id: number }>(group: Command, r: Resource<T>, examples: readonly string[]): Command {
  return defineCommand(group, {
    name: `get ${arg(r)}`,
    description: `Show one ${r.noun}, named by ${r.key} or numeric id, as a field/value table (principal lists by name).`,
    examples,
    run: async (cli, [name]) => printItem(cli.json, await r.present(cli, await resolve(cli, r, name as string))),
  });
}

export function addRemove<T extends { id: number }>(
  group: Command,
  r: Resource<T>,
  remove: (cli: Cli, item: T) => Promise<void>,
  examples: readonly string[],
  note?: string,
): Command {
  return defineCommand(group, {
    name: `remove ${arg(r)}`,
    description: `Remove a ${r.noun}, named by ${r.key} or numeric id.`,
    examples,
    ...(note !== undefined && { note }),
    run: async (cli, [name]) => {
      const item = await resolve(cli, r, name as string);
      await remove(cli, item);
      printResult(cli.json, { removed: { id: item.id, [r.key]: r.nameOf(item) } }, `Removed ${r.noun} "${r.nameOf(item)}" (id ${item.id}).`);
    },
  });
}

/** How create and set turn options into use-case input, shared by both. */
export interface Editor<T extends { id: number }> {
  readonly options: (cmd: Command, mode: Mode) => void;
  /** Use-case input from option values; fields not given are left undefined. */
  readonly input: (cli: Cli, opts: Opts, mode: Mode, cmd: Command) => Promise<Record<string, unknown>>;
  readonly create: (cli: Cli, name: string, input: Record<string, unknown>) => Promise<T>;
  readonly update: (cli: Cli, item: T, input: Record<string, unknown>) => Promise<T>;
  readonly createExamples: readonly string[];
  readonly setExamples: readonly string[];
  readonly note?: string;
}

export function addCreateAndSet<T extends { id: number }>(group: Command, r: Resource<T>, e: Editor<T>): void {
  const note = e.note === undefined ? {} : { note: e.note };
  defineCommand(group, {
    name: `create <${r.key}>`,
    description: `Create a ${r.noun} with the given ${r.key}; prints the new ${r.noun}.`,
    examples: e.createExamples,
    ...note,
    options: (cmd) => e.options(cmd, 'create'),
    run: async (cli, [name], opts, cmd) => {
      const created = await e.create(cli, name as string, defined(await e.input(cli, opts, 'create', cmd)));
      cli.principals.refresh();
      printItem(cli.json, await r.present(cli, created));
    },
  });
  defineCommand(group, {
    name: `set ${arg(r)}`,
    description: `Change a ${r.noun} (${ref(r)}): only the options given change; a list option replaces that whole list.`,
    examples: e.setExamples,
    ...note,
    options: (cmd) => e.options(cmd, 'set'),
    run: async (cli, [name], opts, cmd) => {
      const input = defined(await e.input(cli, opts, 'set', cmd));
      if (Object.keys(input).length === 0) usage(cmd, 'nothing to change: give at least one option (see --help).');
      const updated = await e.update(cli, await resolve(cli, r, name as string), input);
      cli.principals.refresh();
      printItem(cli.json, await r.present(cli, updated));
    },
  });
}
