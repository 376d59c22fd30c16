import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';

/** Options every pchat command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  database?: string;
  json?: boolean;
}

/** The validated configuration: file, then environment, then command-line flags. */
export function configFrom(globals: GlobalOptions, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: globals.config,
    overrides: { dataDir: globals.dataDir, database: globals.database, ...overrides },
  });
}
