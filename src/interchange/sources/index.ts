import type { RecordSource } from '../source.js';
import { directOptions, type DirectMode } from './direct.js';
import type { RootManagersRule } from './groupchat/tree.js';
import type { LogFormat } from './irclogs/formats.js';

/** Options that shape how a legacy source converts (given on export, verify and `migrate plan`; kept in a migration plan). */
export interface LegacySourceOptions {
  /** Managers of the legacy root category outside a category's scope: added to it (default) or left out. */
  readonly rootManagers?: RootManagersRule;
  /** The organisation's SIP domains, instead of domains.txt or the dump's facts. */
  readonly domains?: readonly string[];
  /** IRC logs: each file's format (default auto: told per file). */
  readonly logFormat?: LogFormat;
  /** IRC logs: the IANA time zone their times are in (default UTC). */
  readonly logTimezone?: string;
  /** IRC logs: the encoding of lines that are not UTF-8 (default cp1252). */
  readonly logEncoding?: string;
  /** IRC logs and Slack: the category their rooms go into (default IRC, Slack). */
  readonly category?: string;
  /** IRC logs: the rooms' privacy (default open). */
  readonly roomPrivacy?: 'open' | 'closed' | 'secret';
  /** Slack and Mattermost: what becomes of direct conversations (default skip: counted only). */
  readonly directMessages?: DirectMode;
  /** Slack and Mattermost: the category of the direct conversations' rooms (required with as-rooms). */
  readonly directCategory?: string;
}

/** A legacy system pchat reads, selected on the command line as `<kind>:<location>`. */
export interface LegacySource {
  /** What the location is, for --help, e.g. `dir`. */
  readonly location: string;
  readonly description: string;
  open(location: string, options: { startDate: string | null } & LegacySourceOptions): Promise<RecordSource>;
}

/**
 * Every legacy source, by the kind its location is prefixed with. Each is loaded when opened, so a
 * command (or an import's checking thread) reading one kind does not load the others' modules.
 */
export const LEGACY_SOURCES: Readonly<Record<string, LegacySource>> = {
  'groupchat-db': {
    location: 'dir',
    description: 'table dumps of a Lync 2013 Persistent Chat / Lync 2010 / OCS 2007 R2 Group Chat database, see docs/groupchat-dump.md',
    open: async (dir, { startDate, rootManagers, domains }) =>
      (await import('./groupchat/source.js')).groupChatSource(dir, { startDate: startDate === null ? null : new Date(startDate), ...(rootManagers && { rootManagers }), ...(domains && { domains }) }),
  },
  'irc-logs': {
    location: 'dir',
    description: 'a directory of IRC channel logs written by weechat, irssi, ZNC or a [HH:MM] <nick> client, see docs/migration-guide.md "IRC logs"',
    open: async (dir, o) =>
      (await import('./irclogs/source.js')).ircLogsSource(dir, {
        startDate: o.startDate === null ? null : new Date(o.startDate),
        ...(o.logFormat && { format: o.logFormat }),
        ...(o.logTimezone && { timezone: o.logTimezone }),
        ...(o.logEncoding && { encoding: o.logEncoding }),
        ...(o.category && { category: o.category }),
        ...(o.roomPrivacy && { privacy: o.roomPrivacy }),
      }),
  },
  slack: {
    location: 'export.zip|dir',
    description: 'a Slack workspace export (the zip, or the directory it was unpacked into), see docs/migration-guide.md "Slack"',
    open: async (location, o) =>
      (await import('./slack/source.js')).slackSource(location, {
        startDate: o.startDate === null ? null : new Date(o.startDate),
        ...(o.category && { category: o.category }),
        direct: directOptions(o.directMessages, o.directCategory),
      }),
  },
  mattermost: {
    location: 'export.zip|export.jsonl',
    description: 'a Mattermost bulk export (mmctl export create --attachments: the zip, or its .jsonl), see docs/migration-guide.md "Mattermost"',
    open: async (location, o) => (await import('./mattermost/source.js')).mattermostSource(location, { startDate: o.startDate === null ? null : new Date(o.startDate), direct: directOptions(o.directMessages, o.directCategory) }),
  },
};
