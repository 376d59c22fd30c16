import type { RecordSource } from '../source.js';
import { groupChatSource } from './groupchat/source.js';
import type { RootManagersRule } from './groupchat/tree.js';

/** Options that shape how a legacy source converts (given on export, verify and `migrate plan`; kept in a migration plan). */
export interface LegacySourceOptions {
  /** Managers of the legacy root category outside a category's scope: added to it (default) or left out. */
  readonly rootManagers?: RootManagersRule;
  /** The organisation's SIP domains, instead of domains.txt or the dump's facts. */
  readonly domains?: readonly string[];
}

/** A legacy system pchat reads, selected on the command line as `<kind>:<location>`. */
export interface LegacySource {
  /** What the location is, for --help, e.g. `dir`. */
  readonly location: string;
  readonly description: string;
  open(location: string, options: { startDate: string | null } & LegacySourceOptions): Promise<RecordSource>;
}

/** Every legacy source, by the kind its location is prefixed with. */
export const LEGACY_SOURCES: Readonly<Record<string, LegacySource>> = {
  'groupchat-db': {
    location: 'dir',
    description: 'table dumps of a Lync 2013 Persistent Chat / Lync 2010 / OCS 2007 R2 Group Chat database, see docs/groupchat-dump.md',
    open: (dir, { startDate, rootManagers, domains }) =>
      groupChatSource(dir, { startDate: startDate === null ? null : new Date(startDate), ...(rootManagers && { rootManagers }), ...(domains && { domains }) }),
  },
};
