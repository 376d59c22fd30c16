import type { ComplianceEvent } from '../core/model.js';

/** The two file formats of a compliance export (see docs/compliance.md). */
export const COMPLIANCE_EXPORT_FORMATS = ['xml', 'jsonl'] as const;
export type ComplianceExportFormat = (typeof COMPLIANCE_EXPORT_FORMATS)[number];

/** A contiguous run of compliance records by id: (firstId .. lastId), `count` records in it. */
export interface ComplianceBatch {
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/** A batch with the rooms its records belong to, in the order of each room's first record. */
export interface ComplianceSpan extends ComplianceBatch {
  readonly roomIds: readonly number[];
}

/** A batch claimed by the scheduled export and not yet published (its file may or may not exist). */
export interface PendingBatch extends ComplianceBatch {
  readonly format: ComplianceExportFormat;
}

/** The scheduled export's state, one row per export name, in the database every node shares. */
export interface ComplianceExportState {
  readonly name: string;
  /** Every record with an id up to this one is in a published file; the next file starts after it. */
  readonly cursor: number;
  readonly pending: PendingBatch | null;
  /** The node holding the lease (null: nobody), and until when (ms since 1970, the database's clock). */
  readonly owner: string | null;
  readonly leaseUntil: number;
  /** When the last run that caught up ended (0: never). */
  readonly lastRunAt: number;
}

/**
 * Reading the compliance record for an export, and the scheduled export's cursor. The cursor
 * methods are compare-and-set: each changes the row only when it still is what the caller saw,
 * so two nodes can never both advance it over the same records.
 */
export interface ComplianceExportStore {
  /**
   * The highest id H such that every record with an id up to H is committed and visible now, and
   * no record with such an id can appear later. A cursor never passes it. (SQLite has one writer,
   * so that is the largest id; PostgreSQL draws ids before commit, see docs/compliance.md.)
   */
  settled(): Promise<number>;
  /** The first `limit` records after `afterId` up to `upToId`, summarised; null when there are none. */
  span(query: { afterId: number; upToId: number; limit: number }): Promise<ComplianceSpan | null>;
  /** Records after `afterId` up to `upToId` in id order (of one room when given), at most `limit`. */
  records(query: { afterId: number; upToId: number; roomId?: number; limit: number }): Promise<ComplianceEvent[]>;

  state(name: string): Promise<ComplianceExportState | null>;
  /**
   * Takes (or renews) the lease on the named export for `ttlMs` and returns the state, creating the
   * row at cursor 0 when missing; null while another owner's lease has not expired.
   */
  lease(name: string, owner: string, ttlMs: number): Promise<ComplianceExportState | null>;
  /**
   * Extends this owner's lease; false when another node took it meanwhile (possible only after it
   * expired). Ownership, not the expiry, is what counts: an owner that was not replaced did no harm.
   */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Records `batch` as pending, if `owner` still holds the lease, the cursor is `cursor` and nothing is pending. */
  claim(name: string, owner: string, cursor: number, batch: PendingBatch, ttlMs: number): Promise<boolean>;
  /** Moves the cursor to `batch.lastId` and clears it as pending, if the cursor is `cursor` and `batch` is the pending one. */
  advance(name: string, cursor: number, batch: ComplianceBatch): Promise<boolean>;
  /** Gives the lease up (if `owner` holds it); `caughtUp` also records the end of a run (lastRunAt). */
  release(name: string, owner: string, caughtUp: boolean): Promise<void>;
}

/** Where text goes, a chunk at a time; resolves when the chunk may be followed by the next (backpressure). */
export interface TextSink {
  write(chunk: string): Promise<void>;
}

/**
 * The directory a scheduled export writes its batch files into. Every file appears whole or not
 * at all, and is on disk when `publish` resolves.
 */
export interface BatchDirectory {
  /** Whether a published file of that name exists. */
  has(name: string): Promise<boolean>;
  /**
   * Writes a temporary file through `write`, makes it durable (fsync), asks `commit` whether to go
   * on, renames it to `name` and makes the rename durable (fsync of the directory). When `commit`
   * answers false the temporary file is removed and nothing is published (false is returned).
   * An existing file of that name is replaced.
   */
  publish(name: string, write: (sink: TextSink) => Promise<void>, commit: () => Promise<boolean>): Promise<boolean>;
  /** Removes temporary files left by writers that died (call while holding the lease). */
  removeTemporary(): Promise<number>;
}
