import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { PchatError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { registerServe } from './serve.js';

/** The `pchat` command: the server and every administrator task. */
export function buildProgram(): Command {
  const program = new Command('pchat')
    .description('pchat: persistent group chat server and migration tool.')
    .version(VERSION)
    .option('-c, --config <file>', 'JSON config file (default ./pchat.config.json if present; env PCHAT_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default ./data; env PCHAT_DATA_DIR)')
    .option('--database <path>', 'SQLite database file (default <data-dir>/pchat.db; env PCHAT_DATABASE)')
    .option('--json', 'print machine-readable JSON instead of tables')
    .showHelpAfterError()
    .showSuggestionAfterError();
  registerServe(program);
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
