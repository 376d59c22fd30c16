import { CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { PchatError } from '../core/errors.js';
import { buildProgram, commandNamed } from './program.js';

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(commandNamed(argv.slice(2)));
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
