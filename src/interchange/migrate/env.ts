import type { Application } from '../../app/index.js';
import type { Store } from '../../ports/store.js';
import type { Progress } from '../progress.js';
import type { RecordSource } from '../source.js';
import type { SipBefore, SipClaim } from './types.js';
import type { LegacySourceOptions } from '../sources/index.js';

/** A pchat database opened as an application. */
export interface OpenedDatabase {
  readonly app: Application;
  readonly store: Store;
  close(): Promise<void>;
}

export interface OpenedMigrationSource {
  readonly source: RecordSource;
  /** The pchat application when the source is a pchat database (to freeze and decommission it). */
  readonly local: OpenedDatabase | null;
  close(): Promise<void>;
}

/**
 * What the migration needs from its surroundings, given by the CLI: opening sources and
 * databases (main.ts wiring the interchange layer may not import), editing the target's
 * configuration file, asking the operator, and printing.
 */
export interface MigrateEnv {
  /** `options`: a legacy source's conversion options, as the plan was made with (none: the defaults). */
  openSource(spec: string, options?: LegacySourceOptions): Promise<OpenedMigrationSource>;
  openDatabase(location: string): Promise<OpenedDatabase>;
  /** Size in bytes of what `spec` names on disk, or null (a PostgreSQL database). */
  sizeOf(spec: string): number | null;
  /** Adds `host:port` to the IRC endpoint of the config file and sets the server name; false if it was there already. */
  addIrcEndpoint(configFile: string, host: string, port: number, serverName: string | null): Promise<boolean>;
  /** False if the endpoint did not listen there. */
  removeIrcEndpoint(configFile: string, host: string, port: number): Promise<boolean>;
  /** The SIP settings the config file itself holds (null: not set there, the defaults apply). */
  sipSettings(configFile: string): Promise<{ listen: { host: string; port: number }[]; domains: string[] | null; serverName: string | null }>;
  /** Adds the address to the SIP endpoint, adds the domains and sets the server name; false if the address was there already. */
  claimSipAddress(configFile: string, claim: SipClaim): Promise<boolean>;
  /** Undoes a claim (with `before`: only what it changed, and the domains and server name as they were); false if the address was not removed. */
  releaseSipAddress(configFile: string, address: { host: string; port: number }, before: SipBefore | null): Promise<boolean>;
  /** Asks a yes/no question; throws a clear error when nobody can answer (not a terminal). */
  confirm(question: string, flag: string): Promise<boolean>;
  progress(): Progress;
  out(line: string): void;
}
