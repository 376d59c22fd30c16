import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, configSchema, ENVIRONMENT, isPostgresUrl } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`pchat cannot start; the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Path of a JSON config file; else PCHAT_CONFIG; else ./pchat.config.json when it exists. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Highest precedence, e.g. from command-line flags. */
  readonly overrides?: Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  node[path.at(-1) as string] = value;
}

/** File, then environment, then overrides; validated once, with every problem reported together. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file ?? env.PCHAT_CONFIG ?? (existsSync('pchat.config.json') ? 'pchat.config.json' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.push(`${file}: the file must hold a JSON object.`);
      else raw = parsed as Record<string, unknown>;
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  const sources = new Map<string, string>();
  for (const [name, path] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, value);
    sources.set(path.join('.'), name);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, path.split('.'), value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const path = [...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join('.');
      const from = sources.get(path) ?? (file ? `${file}` : 'defaults');
      problems.push(`${path || '(top level)'} (from ${from}): ${issue.message}`);
    }
  }
  if (result.success && result.data.files.store === 'database' && !isPostgresUrl(result.data.database ?? '')) {
    problems.push(`files.store (from ${sources.get('files.store') ?? file ?? 'defaults'}): "database" keeps files in PostgreSQL; with SQLite they are kept in a directory ("directory").`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result.data as Config;
  return { ...config, database: config.database ?? join(config.dataDir, 'pchat.db') };
}
