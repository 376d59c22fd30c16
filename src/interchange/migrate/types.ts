import type { NoteRecord } from '../archive/records.js';
import type { ItemResolution } from '../resolutions.js';
import type { ConfigBefore } from './configBackup.js';
import type { LegacySourceOptions } from '../sources/index.js';
import type { PlannedPeople } from '../people/planned.js';

/** What the migration is from: a pchat database (it can be frozen and decommissioned), a legacy dump or an archive. */
export type SourceKind = 'pchat' | 'legacy' | 'archive';

export interface Inventory {
  readonly system: string;
  readonly version: string;
  readonly instance: string;
  readonly counts: { categories: number; rooms: number; users: number; groups: number; addins: number; policies: number; messages: number };
  /** Bytes of the dump directory, archive or SQLite file; null when unknown (PostgreSQL). */
  readonly bytes: number | null;
  readonly oldest: string | null;
  readonly newest: string | null;
  /** Messages newer than `newest` minus the catch-up period: the expected delta of an incremental run. */
  readonly recentMessages: number;
  /** Messages that carry a file, and the files' bytes (each content once); absent in plans written before files were carried. */
  readonly files?: number;
  readonly fileBytes?: number;
}

/** Seconds per phase for a number of messages (with the whole directory). */
export interface PhaseSeconds {
  readonly export: number;
  readonly whatIf: number;
  readonly import: number;
  readonly verify: number;
}

/** One full pass over the real source, timed during the plan's inventory. */
export interface SourceTiming {
  /** Opening the source (a dump's directory tables are read and converted then). */
  readonly openSeconds: number;
  /** Every record and message, once. */
  readonly readSeconds: number;
  readonly messages: number;
  /**
   * The source opened and read once more after that, as verify reads it in `migrate run` (after the
   * export has read it in the same process, so with the reading code compiled): absent in plans of
   * older versions, which charge verify the first pass too.
   */
  readonly again?: { readonly openSeconds: number; readonly readSeconds: number };
}

/** What the estimates rest on (see calibrate.ts); the optional fields are absent in plans of older versions. */
export interface Calibration {
  /** Messages (and directory records) of the source that the calibration run moved. */
  readonly messages: number;
  readonly directoryRecords: number;
  /** Measured on this host: the phases with the directory and the `messages` messages. */
  readonly seconds: PhaseSeconds;
  /** The phases with the directory and no message, into the empty scratch database. */
  readonly directorySeconds?: PhaseSeconds;
  /** The same once the directory is in place (unchanged: nothing written): what `seconds` is compared with. */
  readonly unchangedSeconds?: PhaseSeconds;
  /** Seconds per message of each phase: (seconds - directorySeconds) / messages. */
  readonly perMessage?: PhaseSeconds;
  readonly source?: SourceTiming;
}

export interface WindowEstimate {
  readonly messages: number;
  readonly seconds: PhaseSeconds;
  /** Freeze to the end of verify. */
  readonly totalSeconds: number;
  /** What to book: see plan.ts recommendWindow. */
  readonly recommendedMinutes: number;
}

/** A SIP endpoint address: TLS when certFile and keyFile are given (the standard port 5061), else TCP (5060). */
export interface SipListen {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
}

/**
 * A Lync/OCS Group Chat source: the organisation's SIP domains, which the source determines, and
 * the legacy pool's address (`--sip-listen`, null when not given) and FQDN (`--sip-server-name`)
 * the SIP endpoint takes over at cut-over, so Lync/OCS clients keep their rooms.
 */
export interface SipPlan {
  readonly domains: string[];
  readonly listen: SipListen | null;
  readonly serverName: string | null;
}

/** What the SIP cut-over writes into the target's configuration file. */
export interface SipClaim extends SipListen {
  readonly domains: readonly string[];
  readonly serverName: string | null;
}

/** The target's SIP settings before the cut-over changed them, so rollback can put them back (null: not set in the file). */
export interface SipBefore {
  /** The cut-over added the address (it was not in sip.listen before). */
  readonly removeAddress: boolean;
  readonly domains: string[] | null;
  readonly serverName: string | null;
}

/** `pchat migrate plan`'s output, read back by `pchat migrate run`. Paths are absolute. */
export interface MigrationPlan {
  readonly format: 'pchat-migration-plan';
  readonly version: 1;
  readonly createdAt: string;
  readonly from: string;
  readonly sourceKind: SourceKind;
  /** A legacy source's conversion options (--root-managers, --domains); absent: the defaults. */
  readonly sourceOptions?: LegacySourceOptions;
  /** The rename file given to `migrate plan` (--renames): path and text, applied by every step that reads the source. */
  readonly renames?: { readonly file: string; readonly text: string };
  /** --strict: an item-level problem stops the migration rather than being resolved. */
  readonly strict?: boolean;
  /** --users (path and text) and --create-users: how the source's people map to pchat accounts, applied by every step. */
  readonly people?: PlannedPeople;
  /** The target deployment's database (SQLite file or postgres:// URL) and configuration file. */
  readonly to: string;
  readonly toConfig: string;
  /** Where users reach the new deployment's web client (checked at /healthz when given). */
  readonly webUrl: string | null;
  /** The legacy address and server name the IRC endpoint takes over at cut-over. */
  readonly irc: { readonly host: string; readonly port: number; readonly serverName: string | null } | null;
  /** Lync/OCS Group Chat sources only; absent for other sources and in plans written before SIP. */
  readonly sip?: SipPlan;
  /** Bulk import while the source is live, then only the delta in the window. */
  readonly incremental: boolean;
  readonly catchUpDays: number;
  readonly inventory: Inventory;
  readonly conversions: NoteRecord[];
  readonly warnings: NoteRecord[];
  readonly errors: NoteRecord[];
  readonly files: NoteRecord[];
  /** Every item-level problem with the resolution that will apply (absent in plans written before resolutions). */
  readonly resolutions?: ItemResolution[];
  /** Items whose name matches an existing item of the target: the import overwrites it. */
  readonly collisions: { type: string; name: string; targetId: number | null }[];
  /** Migrated users who could use chat in the source but whose policy in the target would hide their rooms. */
  readonly hiddenUsers: { login: string; reason: string }[];
  /** Logins imported without a credential. */
  readonly needCredentials: string[];
  readonly calibration: Calibration;
  readonly estimates: { readonly full: WindowEstimate; readonly delta: WindowEstimate | null };
}

export const STEPS = [
  'check-target',
  'bulk-export',
  'bulk-import',
  'bulk-verify',
  'freeze-source',
  'export',
  'import-what-if',
  'import',
  'verify',
  'cut-over',
  'enable-client',
  'decommission',
] as const;
export type StepName = (typeof STEPS)[number];
/** Steps that run only in an incremental migration, while the source is still live. */
export const BULK_STEPS: readonly StepName[] = ['bulk-export', 'bulk-import', 'bulk-verify'];

export type StepStatus = 'pending' | 'running' | 'done' | 'stopped' | 'failed';

export interface StepRecord {
  readonly name: StepName;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  /** How many times the step started (more than one: it was interrupted or stopped and resumed). */
  attempts: number;
  counts: Record<string, number>;
  warnings: string[];
  outcome: string;
}

export interface ArchiveRecord {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface MigrationState {
  readonly format: 'pchat-migration-state';
  readonly plan: string;
  status: 'in-progress' | 'complete' | 'rolled-back';
  steps: StepRecord[];
  /** The archive the window imported (the final one): kept with the record, with its checksum. */
  archive: ArchiveRecord | null;
  /** Incremental runs: the bulk archive and the high-water marks the delta starts above. */
  bulk: { archive: ArchiveRecord; sourceSeq: Record<string, number>; targetSeq: Record<string, number> } | null;
  verify: { ok: boolean; compared: Record<string, number>; conflicts: number; conflictsFile: string } | null;
  /** Recorded by the SIP cut-over before it writes (absent in older state files and before the cut-over). */
  sipBefore?: SipBefore | null;
  /** The target's configuration file as it was before the cut-over first wrote to it: what rollback restores, byte for byte (absent in older state files). */
  configBefore?: ConfigBefore | null;
  webUrl: string | null;
  updatedAt: string;
}
