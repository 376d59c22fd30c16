import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { PchatError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { registerAddins } from './addins.js';
import { registerCategories } from './categories.js';
import { registerConfig } from './config.js';
import { registerEndpoints } from './endpoints.js';
import { registerGroups } from './groups.js';
import { registerInterchange } from './interchange.js';
import { registerMessages } from './messages.js';
import { registerMigrate } from './migrate.js';
import { registerPolicies } from './policies.js';
import { registerPool } from './pool.js';
import { registerRecords } from './records.js';
import { registerRooms } from './rooms.js';
import { registerServe } from './serve.js';
import { registerUsers } from './users.js';

/** The `pchat` command: the server and every administrator task. */
export function buildProgram(): Command {
  const program = new Command('pchat')
    .description('pchat: persistent group chat server and migration tool.')
    .version(VERSION)
    .option('-c, --config <file>', 'JSON config file (default ./pchat.config.json if present; env PCHAT_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default ./data; env PCHAT_DATA_DIR)')
    .option('--database <path|url>', 'SQLite database file (default <data-dir>/pchat.db), or a postgres:// URL for a pool (env PCHAT_DATABASE)')
    .option('--json', 'print machine-readable JSON instead of tables')
    // Before the subcommands are added, so they inherit it: usage errors then reach main() (exit 2).
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .showSuggestionAfterError();
  registerServe(program);
  registerCategories(program);
  registerRooms(program);
  registerAddins(program);
  registerUsers(program);
  registerGroups(program);
  registerPolicies(program);
  registerConfig(program);
  registerMessages(program);
  registerRecords(program);
  registerEndpoints(program);
  registerPool(program);
  registerInterchange(program);
  registerMigrate(program);
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

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    if (error instanceof PchatError) {
      process.stderr.write(`pchat: ${error.message}${error.field ? ` (field: ${error.field})` : ''} [${error.code}]\n`);
      process.exit(1);
    }
    throw error;
  }
}

await main(process.argv);
