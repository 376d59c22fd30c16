import { Command } from 'commander';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/**
 * Each command group's module, loaded only when needed: `pchat user list` or `pchat serve` then
 * skips the modules of every other group (the migration tools alone are a hundred), which takes
 * a good part off each command's start. In the order `pchat --help` lists them; the top-level
 * command names each module registers, which test/cli.program.test.ts checks against the program.
 */
export const COMMAND_GROUPS: readonly { readonly commands: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { commands: ['serve'], load: async () => (await import('./serve.js')).registerServe },
  { commands: ['category'], load: async () => (await import('./categories.js')).registerCategories },
  { commands: ['room'], load: async () => (await import('./rooms.js')).registerRooms },
  { commands: ['addin'], load: async () => (await import('./addins.js')).registerAddins },
  { commands: ['user'], load: async () => (await import('./users.js')).registerUsers },
  { commands: ['group'], load: async () => (await import('./groups.js')).registerGroups },
  { commands: ['policy'], load: async () => (await import('./policies.js')).registerPolicies },
  { commands: ['config'], load: async () => (await import('./config.js')).registerConfig },
  { commands: ['message'], load: async () => (await import('./messages.js')).registerMessages },
  { commands: ['compliance', 'audit'], load: async () => (await import('./records.js')).registerRecords },
  { commands: ['endpoint'], load: async () => (await import('./endpoints.js')).registerEndpoints },
  { commands: ['pool'], load: async () => (await import('./pool.js')).registerPool },
  { commands: ['export', 'import', 'verify'], load: async () => (await import('./interchange.js')).registerInterchange },
  { commands: ['migrate'], load: async () => (await import('./migrate.js')).registerMigrate },
];

/** The options every command takes, before or after its name. */
const GLOBAL_OPTIONS: readonly (readonly [flags: string, description: string])[] = [
  ['-c, --config <file>', 'JSON config file (default ./pchat.config.json if present; env PCHAT_CONFIG)'],
  ['--data-dir <dir>', 'data directory (default ./data; env PCHAT_DATA_DIR)'],
  ['--database <path|url>', 'SQLite database file (default <data-dir>/pchat.db), or a postgres:// URL for a pool (env PCHAT_DATABASE)'],
  ['--json', 'print machine-readable JSON instead of tables'],
];

/** The global options that take a value (`<…>`), so that the value is not taken for the command. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(
  GLOBAL_OPTIONS.filter(([flags]) => flags.includes('<')).flatMap(([flags]) => flags.split(' ').filter((word) => word.startsWith('-')).map((word) => word.replace(/,$/, ''))),
);

/** The command named on the command line (the first word that is not an option or its value). */
export function commandNamed(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (!arg.startsWith('-')) return arg;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
  }
  return undefined;
}

/**
 * The `pchat` command: the server and every administrator task. With `command` (a top-level
 * command name), only the group that defines it; otherwise (help, a version, a mistyped name, whose
 * suggestion needs every name) all of them.
 */
export async function buildProgram(command?: string): Promise<Command> {
  const wanted = COMMAND_GROUPS.find((g) => command !== undefined && g.commands.includes(command));
  const registers = await Promise.all((wanted ? [wanted] : COMMAND_GROUPS).map((g) => g.load()));
  const program = new Command('pchat').description('pchat: persistent group chat server and migration tool.').version(VERSION);
  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  program
    // Before the subcommands are added, so they inherit it: usage errors then reach main() (exit 2).
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const register of registers) register(program);
  program.addHelpText(
    'after',
    `
The administrator commands act directly on the database as the local administrator; with a
server running on the same database, their changes reach connected clients within a second.
Run \`pchat <command> --help\` for the options and examples of each.

Examples:
  $ pchat serve
  $ pchat room list --data-dir /var/lib/pchat
  $ pchat room set "release planning" --privacy secret
  $ pchat user get alice@example.com --json`,
  );
  return program;
}
