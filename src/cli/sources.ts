import { type Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { PchatError } from '../core/errors.js';
import { openArchive } from '../interchange/archive/reader.js';
import { pchatSource } from '../interchange/pchat/source.js';
import { DIRECT_MODES, type DirectMode } from '../interchange/sources/direct.js';
import { LEGACY_SOURCES, type LegacySource, type LegacySourceOptions } from '../interchange/sources/index.js';
import { ROOT_MANAGERS_RULES, type RootManagersRule } from '../interchange/sources/groupchat/tree.js';
import { LOG_FORMATS, type LogFormat } from '../interchange/sources/irclogs/formats.js';
import type { RecordSource } from '../interchange/source.js';
import { type LocalApp, openApplication } from '../main.js';
import { historyPagesInWorker } from './historyPages.js';
import { configFrom, type GlobalOptions } from './options.js';

export interface OpenedSource {
  readonly source: RecordSource;
  /** The pchat application when the source is a pchat database (for --disable-exported). */
  readonly local: LocalApp | null;
  close(): Promise<void>;
}

export const SOURCE_HELP = `a pchat database (a SQLite file or a postgres:// URL; default: the configured one), an archive (.zip),
or a legacy system as <kind>:<location>: ${Object.entries(LEGACY_SOURCES)
  .map(([kind, s]) => `${kind}:<${s.location}> (${s.description})`)
  .join(', ')}`;

/** The pchat database a command works on: --database/--data-dir/config, or `location` when given. */
export async function openDatabase(command: Command, location?: string): Promise<LocalApp> {
  return openApplication(databaseConfig(command, location), 'cli');
}

/** The configuration `openDatabase` opens with. */
export function databaseConfig(command: Command, location?: string): Config {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return configFrom(location === undefined ? globals : { ...globals, database: location });
}

/**
 * The database an import writes to. Its own SQLite connection commits with synchronous=normal
 * (WAL: a killed process loses nothing; a power cut only the last commits, which re-running the
 * idempotent import restores) and the import makes everything durable before it reports success.
 * The server's connection keeps synchronous=full for posts. PostgreSQL ignores the setting.
 */
export async function openImportTarget(command: Command): Promise<LocalApp> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return openApplication(configFrom(globals, { 'sqlite.synchronous': 'normal' }), 'cli');
}

/**
 * The options that shape a legacy source's conversion, on export, verify and `migrate plan`
 * (docs/groupchat-dump.md): how root managers outside a category's scope are treated, and the
 * organisation's SIP domains when the dump's facts do not decide them.
 */
export function withLegacySourceOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--root-managers <rule>', 'a Group Chat source: managers of the legacy root category whom a category\'s scope leaves out are added to that scope and manage every room (every-room, Microsoft\'s rule), or left out of its rooms (scope)')
        .choices(ROOT_MANAGERS_RULES)
        .default('every-room'),
    )
    .option('--domains <list>', 'a Group Chat source: the organisation\'s SIP domains, comma-separated (instead of domains.txt in the dump directory); users of other domains are federated', (value: string) => {
      const domains = value.split(',').map((d) => d.trim()).filter(Boolean);
      if (domains.length === 0) throw new InvalidArgumentError('Write one or more SIP domains, comma-separated, e.g. example.com,example.org.');
      return domains;
    })
    .addOption(new Option('--log-format <format>', 'an irc-logs source: the format of every file (default auto: told per file from its first lines)').choices(LOG_FORMATS))
    .option('--log-timezone <zone>', 'an irc-logs source: the IANA time zone the logs\' times are in, e.g. Europe/Berlin (default UTC)')
    .option('--log-encoding <encoding>', 'an irc-logs source: the encoding of the lines that are not UTF-8, each decoded alone and counted (default cp1252)')
    .option('--category <name>', 'an irc-logs or slack source: the category the channels\' rooms go into (default IRC, Slack)')
    .addOption(new Option('--room-privacy <privacy>', 'an irc-logs source: the privacy of the channels\' rooms (default open)').choices(['open', 'closed', 'secret']))
    .addOption(
      new Option('--direct-messages <mode>', 'a slack or mattermost source: direct conversations are left out and counted (skip, the default), or each becomes a secret room of its participants (as-rooms, with --direct-category)').choices(DIRECT_MODES),
    )
    .option('--direct-category <name>', 'a slack or mattermost source with --direct-messages as-rooms (required then): the category of the conversations\' rooms');
}

/** The source kinds each kind-specific option applies to, by its flag. */
const KIND_FLAGS: [keyof LegacySourceOptions, string, readonly string[]][] = [
  ['logFormat', '--log-format', ['irc-logs']],
  ['logTimezone', '--log-timezone', ['irc-logs']],
  ['logEncoding', '--log-encoding', ['irc-logs']],
  ['category', '--category', ['irc-logs', 'slack']],
  ['roomPrivacy', '--room-privacy', ['irc-logs']],
  ['directMessages', '--direct-messages', ['slack', 'mattermost']],
  ['directCategory', '--direct-category', ['slack', 'mattermost']],
];
const KIND_WORDS: Readonly<Record<string, string>> = { 'irc-logs': 'an irc-logs:<dir>', slack: 'a slack:<export>', mattermost: 'a mattermost:<export>' };

/** The error refusing a kind-specific option among `given` that a source of `kind` (null: no legacy source) does not take; null when none. */
export function misplacedOption(kind: string | null, given: LegacySourceOptions): PchatError | null {
  const found = KIND_FLAGS.find(([key, , kinds]) => given[key] !== undefined && (kind === null || !kinds.includes(kind)));
  if (!found) return null;
  const [, flag, kinds] = found;
  return new PchatError('invalid_input', `${flag} applies to ${kinds.map((k) => KIND_WORDS[k]).join(' or ')} source only`, { field: flag });
}

/** The legacy source options given to `command` (see withLegacySourceOptions); none for a command without them. */
export function legacySourceOptionsOf(command: Command): LegacySourceOptions {
  const opts = command.opts<{ rootManagers?: RootManagersRule; domains?: string[]; logFormat?: LogFormat; logTimezone?: string; logEncoding?: string; category?: string; roomPrivacy?: 'open' | 'closed' | 'secret'; directMessages?: DirectMode; directCategory?: string }>();
  return {
    ...(opts.rootManagers && { rootManagers: opts.rootManagers }),
    ...(opts.domains && { domains: opts.domains }),
    ...(opts.logFormat && { logFormat: opts.logFormat }),
    ...(opts.logTimezone && { logTimezone: opts.logTimezone }),
    ...(opts.logEncoding && { logEncoding: opts.logEncoding }),
    ...(opts.category && { category: opts.category }),
    ...(opts.roomPrivacy && { roomPrivacy: opts.roomPrivacy }),
    ...(opts.directMessages && { directMessages: opts.directMessages }),
    ...(opts.directCategory !== undefined && { directCategory: opts.directCategory }),
  };
}

/** The kind and location of `<kind>:<location>`, a legacy system; null for anything else (a postgres:// URL and a Windows drive, C:\…, are not). */
export function legacySpecOf(spec: string): { kind: string; location: string } | null {
  const match = /^postgres(ql)?:\/\//.test(spec) ? null : /^([a-z][a-z0-9-]+):(.+)$/.exec(spec);
  return match ? { kind: match[1]!, location: match[2]! } : null;
}

/** The reader of a legacy source `kind`, once the kind is known and every kind-specific option given fits it (`field`: the argument that named it). */
export function legacyReader(kind: string, given: LegacySourceOptions, field: string): LegacySource {
  const reader = LEGACY_SOURCES[kind];
  if (!reader) throw new PchatError('invalid_input', `unknown source kind "${kind}"; known: ${Object.keys(LEGACY_SOURCES).join(', ')}`, { field });
  const misplaced = misplacedOption(kind, given);
  if (misplaced) throw misplaced;
  return reader;
}

/** Refuses the options of a legacy source (kind-specific, --domains, --root-managers scope) for a source that is not one: an archive or a pchat database. */
export function refuseLegacyOptions(given: LegacySourceOptions): void {
  if (given.domains) throw new PchatError('invalid_input', '--domains applies to a legacy Group Chat source (groupchat-db:<dir>) only', { field: '--domains' });
  if (given.rootManagers === 'scope') throw new PchatError('invalid_input', '--root-managers applies to a legacy Group Chat source (groupchat-db:<dir>) only', { field: '--root-managers' });
  const misplaced = misplacedOption(null, given);
  if (misplaced) throw misplaced;
}

/** Opens whatever `spec` names as a record source (`legacy`: the options of a legacy source, by default those given to `command`). */
export async function openSource(command: Command, spec: string | undefined, startDate: string | null, legacyOptions?: LegacySourceOptions): Promise<OpenedSource> {
  const legacyGiven = legacyOptions ?? legacySourceOptionsOf(command);
  const legacy = spec === undefined ? null : legacySpecOf(spec);
  if (legacy) {
    const source = await legacyReader(legacy.kind, legacyGiven, '--from').open(legacy.location, { startDate, ...legacyGiven });
    return { source, local: null, close: () => source.close() };
  }
  refuseLegacyOptions(legacyGiven);
  if (spec !== undefined && /\.zip$/i.test(spec)) {
    const source = await openArchive(spec);
    return { source, local: null, close: () => source.close() };
  }
  if (spec !== undefined && !/^postgres(ql)?:\/\//.test(spec) && (!existsSync(spec) || !statSync(spec).isFile())) {
    throw new PchatError('invalid_input', `no such database file or archive: ${spec}`, { field: '--from' });
  }
  const local = await openDatabase(command, spec);
  // The history is read by a worker thread on its own connection, beside the serialising here.
  const source = await pchatSource(local.store, historyPagesInWorker(databaseConfig(command, spec)));
  return { source, local, close: () => local.close() };
}
