import type { Command } from 'commander';
import { SYSTEM_ACTOR } from '../app/context.js';
import type { Application } from '../app/index.js';
import { PchatError } from '../core/errors.js';
import type { Actor } from '../core/permissions.js';
import { openApplication } from '../main.js';
import { configFrom, type GlobalOptions } from './options.js';
import { Principals } from './principals.js';

/** What an admin command works with: the application, acting as the local administrator. */
export interface Cli {
  readonly app: Application;
  readonly actor: Actor;
  /** --json was given: print JSON instead of tables. */
  readonly json: boolean;
  readonly principals: Principals;
}

/**
 * Opens the application over the configured database (shared with a running server, which
 * picks up the published change events within ~200 ms), runs `fn`, and always closes it.
 */
export async function withApp<T>(command: Command, fn: (cli: Cli) => Promise<T>): Promise<T> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const local = await openApplication(configFrom(globals), 'cli');
  try {
    return await fn({ app: local.app, actor: SYSTEM_ACTOR, json: globals.json === true, principals: new Principals(local.app) });
  } catch (error) {
    throw error instanceof PchatError ? inOptionTerms(error) : error;
  } finally {
    await local.close();
  }
}

/** Use-case input fields whose command-line option is not simply their kebab-case. */
const OPTION_OF: Readonly<Record<string, string>> = {
  categoryId: '--category',
  addinId: '--addin',
  roomId: '--room',
  authorId: '--author',
  targetId: '--target',
  isAdmin: '--admin',
  disabled: '--disable/--enable',
  maxFileSizeKB: '--max-file-size-kb',
  upTo: '--up-to',
  action: '--replace',
};

/** Names the option at fault instead of the use-case field (`members.2` becomes `--members`). */
function inOptionTerms(error: PchatError): PchatError {
  const field = error.field?.split('.')[0];
  if (!field || field.startsWith('--') || field.startsWith('<')) return error;
  const option = OPTION_OF[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return new PchatError(error.code, error.message, { field: option, details: error.details, cause: error, expose: error.expose });
}
