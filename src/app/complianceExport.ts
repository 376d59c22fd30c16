import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import { participantsOf } from '../core/direct.js';
import type { ComplianceEvent, Room } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import {
  type BatchDirectory,
  COMPLIANCE_EXPORT_FORMATS,
  type ComplianceExportFormat,
  type ComplianceExportState,
  type ComplianceExportStore,
  type ComplianceSpan,
  type PendingBatch,
  type TextSink,
} from '../ports/complianceExport.js';
import type { Store } from '../ports/store.js';
import { type AppContext, requireAdmin } from './context.js';
import { batchFileName, type ExportRoom, type ExportSource, type ExportUser, writeExport } from './complianceFormat.js';
import { parse } from './validate.js';

/**
 * The compliance adapter: the compliance record written out as files, once by hand
 * (`pchat compliance export`) or on a schedule into a directory, each record exactly once
 * (docs/compliance.md explains the design).
 */

/** Records read per query while writing (one room's, for XML). */
const PAGE = 500;
const UNLIMITED = Number.MAX_SAFE_INTEGER;
/** The scheduled export's row in compliance_export. */
export const SCHEDULED_EXPORT = 'scheduled';

export const complianceExportInput = z.strictObject({
  /** Export the records after this id (a cursor printed by the previous export). */
  after: z.coerce.number().pipe(z.int().nonnegative()).default(0),
  format: z.enum(COMPLIANCE_EXPORT_FORMATS).default('xml'),
  /** At most this many records (default: every settled record). */
  limit: z.coerce.number().pipe(z.int().positive()).optional(),
});

export interface ExportSummary {
  readonly count: number;
  readonly firstId: number | null;
  readonly lastId: number | null;
  /** The cursor to continue from: `--after` of the next export. */
  readonly next: number;
}

/**
 * A room's name in an export; a direct conversation, whose own name is internal, is named by its
 * participants' logins ("direct: alice@example.com, bob@example.com"), so a reviewer sees who talked.
 */
async function exportName(room: Room, user: (id: number) => Promise<ExportUser>): Promise<string> {
  if (room.direct !== true) return room.name;
  const logins = await Promise.all(participantsOf(room).map(async (uid) => (await user(uid)).login ?? `user ${uid}`));
  return `direct: ${logins.join(', ')}`;
}

/** Resolves rooms and users once per export (each is looked up at most once). */
function resolver(store: Store): Pick<ExportSource, 'room' | 'user'> {
  const rooms = new Map<number, Promise<ExportRoom>>();
  const users = new Map<number, Promise<ExportUser>>();
  let instance: Promise<string> | undefined;
  const user = (id: number): Promise<ExportUser> => {
    let found = users.get(id);
    if (!found) {
      found = store.users.get(id).then((u) => ({ id, login: u?.login ?? null, displayName: u?.displayName ?? null, email: u?.email ?? null }));
      users.set(id, found);
    }
    return found;
  };
  const room = (id: number): Promise<ExportRoom> => {
    let found = rooms.get(id);
    if (!found) {
      found = (async () => {
        const stored = await store.rooms.get(id);
        const uri = stored?.legacyUri ?? `pchat://${await (instance ??= store.settings.instanceId())}/room/${id}`;
        return { id, name: stored ? await exportName(stored, user) : null, uri, legacyUri: stored?.legacyUri ?? null };
      })();
      rooms.set(id, found);
    }
    return found;
  };
  return { room, user };
}

/** The records after `afterId` through `span.lastId`, for a writer. */
function sourceOf(store: Store, afterId: number, span: ComplianceSpan | null): ExportSource {
  const upToId = span?.lastId ?? afterId;
  return {
    afterId,
    span,
    page: (after: number, roomId?: number): Promise<ComplianceEvent[]> =>
      span ? store.complianceExport.records({ afterId: after, upToId, limit: PAGE, ...(roomId !== undefined && { roomId }) }) : Promise.resolve([]),
    ...resolver(store),
  };
}

export function complianceExportUseCases(ctx: AppContext) {
  return {
    /**
     * Writes the settled records after `after` (at most `limit`) to `sink` as XML or JSON lines,
     * streaming, and answers where the next export continues. Administrators only.
     */
    async export(actor: Actor, input: unknown, sink: TextSink): Promise<ExportSummary> {
      requireAdmin(actor);
      const q = parse(complianceExportInput, input);
      const records = ctx.store.complianceExport;
      const settled = await records.settled();
      const span = settled > q.after ? await records.span({ afterId: q.after, upToId: settled, limit: q.limit ?? UNLIMITED }) : null;
      await writeExport(q.format, sourceOf(ctx.store, q.after, span), sink);
      return { count: span?.count ?? 0, firstId: span?.firstId ?? null, lastId: span?.lastId ?? null, next: span?.lastId ?? q.after };
    },

    /** The scheduled export's cursor, pending batch and lease (null before its first run). */
    async scheduled(actor: Actor): Promise<ComplianceExportState | null> {
      requireAdmin(actor);
      return ctx.store.complianceExport.state(SCHEDULED_EXPORT);
    },
  };
}

// ---- the schedule ----

/** Points in a batch's life where tests may stop the process (PCHAT_TEST_COMPLIANCE_EXPORT_KILL). */
export type ExportPoint = 'claimed' | 'written' | 'renamed' | 'advanced';

export interface ScheduleOptions {
  readonly format: ComplianceExportFormat;
  readonly intervalMs: number;
  /** Records per file at most. */
  readonly batchSize: number;
  /** How long a node that stops answering keeps the export from the others. */
  readonly leaseMs: number;
  /** This node's name (the lease owner): the same after a restart, so a restarted node resumes at once. */
  readonly owner: string;
  readonly name?: string;
  readonly log?: { info(obj: unknown, msg: string): void; error(obj: unknown, msg: string): void };
  /** Called at each point of a batch's life (tests crash the process here). */
  readonly hook?: (point: ExportPoint, batch: PendingBatch) => void;
}

export type RunOutcome =
  /** Another node holds the lease. */
  | { readonly status: 'busy' }
  /** The last run ended less than an interval ago and nothing is pending. */
  | { readonly status: 'not-due' }
  /** Published these files (possibly none) and caught up with the settled records. */
  | { readonly status: 'done'; readonly files: readonly string[] }
  /** Stopped before catching up: asked to stop, or the lease was lost. */
  | { readonly status: 'interrupted'; readonly files: readonly string[] };

/**
 * The scheduled export. Every node of a pool runs one; a lease in the database lets one at a
 * time work, and at most one run happens per interval across the pool. A run first finishes
 * the pending batch (a previous run's, whoever's it was), then claims and publishes batches
 * until it has caught up:
 *
 * 1. claim: in one compare-and-set, record the next batch (cursor+1 … at most batchSize records,
 *    none beyond the settled horizon) as pending. Its file name follows from it.
 * 2. publish: write the file under a temporary name, fsync, rename, fsync the directory. A file
 *    already there under the pending batch's name was published before a crash: adopt it.
 * 3. advance: in one compare-and-set, move the cursor to the batch's last id and clear pending.
 *
 * A crash between any two steps leaves either nothing claimed (the next run claims again) or a
 * pending batch that the next run publishes or adopts, and then advances past. See docs/compliance.md.
 */
export class ComplianceExportSchedule {
  private readonly name: string;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RunOutcome> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly directory: BatchDirectory,
    private readonly options: ScheduleOptions,
  ) {
    this.name = options.name ?? SCHEDULED_EXPORT;
    // Nodes look often enough that one that died is replaced soon, and rarely enough to cost nothing.
    this.tickMs = Math.min(30_000, Math.max(250, Math.floor(options.intervalMs / 4)));
  }

  private get exports(): ComplianceExportStore {
    return this.store.complianceExport;
  }

  /** Runs at once if due (a pending batch is always due), then looks again every few seconds. */
  start(): void {
    this.schedule(Math.floor(Math.random() * 250));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce()
        .catch(() => undefined)
        .finally(() => this.schedule(Math.round(this.tickMs * (0.9 + Math.random() * 0.2))));
    }, delayMs);
    this.timer.unref();
  }

  /** Stops looking; a run under way stops after its current batch, and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run (or the one under way). Errors are logged and rethrown; the next tick tries again. */
  runOnce(): Promise<RunOutcome> {
    this.running ??= this.run()
      .catch((error: unknown) => {
        this.options.log?.error({ err: error }, 'compliance export failed; it will try again');
        throw error;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private due(state: ComplianceExportState | null): boolean {
    return state === null || state.pending !== null || Date.now() >= state.lastRunAt + this.options.intervalMs;
  }

  private async run(): Promise<RunOutcome> {
    const { owner, leaseMs, batchSize, format, hook } = this.options;
    if (!this.due(await this.exports.state(this.name))) return { status: 'not-due' };
    let state = await this.exports.lease(this.name, owner, leaseMs);
    if (!state) return { status: 'busy' };
    const files: string[] = [];
    let caughtUp = false;
    let lost = false;
    // Keeps the lease while batches are written; a lease taken over meanwhile ends the run.
    const keepAlive = setInterval(() => {
      void this.exports.renew(this.name, owner, leaseMs).then(
        (held) => (lost ||= !held),
        () => undefined,
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    keepAlive.unref();
    try {
      if (!this.due(state)) return { status: 'not-due' };
      await this.directory.removeTemporary();
      while (!this.stopped && !lost) {
        if (state.pending) {
          const batch: PendingBatch = state.pending;
          const file = await this.publish(state.cursor, batch);
          if (file === null) break; // the lease was lost before the rename
          hook?.('renamed', batch);
          if (!(await this.exports.advance(this.name, state.cursor, batch))) break;
          hook?.('advanced', batch);
          files.push(file);
          this.options.log?.info({ file, records: batch.count, firstId: batch.firstId, lastId: batch.lastId }, 'compliance batch exported');
          state = { ...state, cursor: batch.lastId, pending: null };
          continue;
        }
        const settled = await this.exports.settled();
        const span = settled > state.cursor ? await this.exports.span({ afterId: state.cursor, upToId: settled, limit: batchSize }) : null;
        if (!span) {
          caughtUp = true;
          break;
        }
        const batch: PendingBatch = { firstId: span.firstId, lastId: span.lastId, count: span.count, format };
        const file = batchFileName(batch, format);
        // A file of a batch never claimed belongs to something else (another database's export into
        // this directory, or a restored database): neither overwrite nor adopt it.
        if (await this.directory.has(file)) {
          throw new PchatError('conflict', `The compliance export directory already holds ${file}, which this database never exported; it belongs to another export. Use an empty directory.`);
        }
        if (!(await this.exports.claim(this.name, owner, state.cursor, batch, leaseMs))) break;
        hook?.('claimed', batch);
        state = { ...state, pending: batch };
      }
      return caughtUp ? { status: 'done', files } : { status: 'interrupted', files };
    } finally {
      clearInterval(keepAlive);
      await this.exports.release(this.name, owner, caughtUp).catch(() => undefined);
    }
  }

  /**
   * Makes the pending batch's file exist: adopts one already published (a crash after the rename),
   * else writes it. Null when the lease was lost before the rename (nothing was published).
   */
  private async publish(cursor: number, batch: PendingBatch): Promise<string | null> {
    const file = batchFileName(batch, batch.format);
    if (await this.directory.has(file)) return file;
    const span = await this.exports.span({ afterId: cursor, upToId: batch.lastId, limit: UNLIMITED });
    if (!span || span.firstId !== batch.firstId || span.count !== batch.count) {
      throw new PchatError('internal', `The claimed compliance batch ${batch.firstId}-${batch.lastId} no longer reads as claimed (${span?.count ?? 0} records, not ${batch.count}).`);
    }
    const published = await this.directory.publish(
      file,
      (sink) => writeExport(batch.format, sourceOf(this.store, cursor, span), sink),
      async () => {
        this.options.hook?.('written', batch);
        return this.exports.renew(this.name, this.options.owner, this.options.leaseMs);
      },
    );
    return published ? file : null;
  }
}
