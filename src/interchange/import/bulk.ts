import type { BulkSession, SpoolSlice } from '../../ports/store.js';
import type { RecordSource } from '../source.js';
import type { CheckedPart, ContentCheckOutcome, ContentCheckRequest } from './checkContent.js';
import { completePlan, type DirectoryPlan, errorsOf, type ImportPlan, sourceNotes } from './plan.js';
import { type ImportPorts, type ImportResult, type RunHooks, writeDirectory } from './run.js';
import type { TargetIndex } from './target.js';

/** A check of the messages running on another thread (see checkAndSpool): its parts as they close, then its outcome. */
export interface ContentCheck {
  readonly parts: AsyncIterable<CheckedPart>;
  readonly outcome: Promise<ContentCheckOutcome>;
  /** Ends the check early (the import failed); resolves once the thread is gone. */
  stop(): Promise<void>;
}
export type ContentChecker = (request: ContentCheckRequest) => ContentCheck;

/** Spool parts per bulk import: a part is copied once whole, so more parts overlap more (SQLite attaches at most 10). */
export const BULK_PARTS = 10;
/**
 * Spooled rows per copying statement. Each ends one full-text segment (see bulkImport.ts), and
 * its terms wait in memory until then: 50,000 rows were as fast as 100,000 (8.0–8.4 s for the
 * million) at 20 MiB less peak memory.
 */
const ROWS_PER_COPY = 50_000;

/**
 * An import in one transaction of the target, for a source whose directory checked clean: the
 * directory is written while another thread checks the messages and spools them, and each spool
 * part is copied into the target as soon as it is closed. Nothing is visible to anyone until the
 * check has passed and the transaction commits; any error (in the messages, or a damaged archive)
 * rolls everything back, and so does a killed process. So nothing is visible before everything is
 * checked, as with the batch-by-batch import, while checking and writing share the two cores.
 */
export async function bulkImport(
  /** An archive (`file`: the checking thread opens it) or a legacy source the checker opened itself. */
  source: RecordSource & { readonly file?: string },
  /** How many messages the source holds (the manifest's count, or a legacy source's first pass's). */
  messages: number,
  directory: DirectoryPlan,
  target: TargetIndex,
  ports: ImportPorts,
  session: BulkSession,
  checker: ContentChecker,
  hooks: RunHooks = {},
): Promise<{ plan: ImportPlan; result: ImportResult | null }> {
  // An archive with files, or a source that may carry files, never comes here (importJob sends it batch by batch): the spool has no files.
  const tally = { created: 0, updated: 0, unchanged: 0, messagesAdded: 0, roomsRenumbered: 0, filesAdded: 0, fileContentsPut: 0 };
  const check = checker({
    ...(source.file !== undefined && { archive: source.file }),
    spoolFiles: session.spoolFiles,
    partRows: partSizes(messages, session.spoolFiles.length),
    context: directory.context,
  });
  let committed = false;
  try {
    let writeError: unknown = null;
    const added = new Map<number, { added: number; renumbered: boolean }>();
    try {
      await writeDirectory(source, directory, target, ports, tally, hooks);
      for await (const part of check.parts) await copyPart(part, directory, session, added, hooks);
    } catch (error) {
      writeError = error;
    }
    // The check's verdict comes first: a damaged archive or bad messages explain a failed copy.
    const outcome = await check.outcome;
    // The check counted every message as new; what the copies added is the real count.
    const rooms = outcome.rooms.map((room) => ({ ...room, new: added.get(directory.maps.room.get(room.room) ?? -1)?.added ?? 0 }));
    const plan = completePlan(directory, rooms, outcome.errors, outcome.notes ?? (await sourceNotes(source, {})), outcome.skips);
    if (errorsOf(plan).length > 0) return { plan, result: null };
    if (writeError) throw writeError;
    for (const [roomId, room] of added) {
      tally.messagesAdded += room.added;
      if (room.renumbered) tally.roomsRenumbered += 1;
      if (room.added > 0) await ports.imports.historyImported(ports.actor, roomId);
    }
    await session.finish(true);
    committed = true;
    await ports.imports.makeDurable(ports.actor);
    return { plan, result: tally };
  } finally {
    if (!committed) {
      await check.stop();
      await session.finish(false);
    }
  }
}

/**
 * How many rows each part takes. The writing thread waits for the first part to close, and goes on
 * copying the last one after the check has ended; measured, the two threads go about as fast as
 * each other (some 125,000 messages/s each, the copy slowing as the database grows), so the import
 * takes about as long as the slower of them plus the first part's check and the last part's copy.
 * Both are small (1/40 of the messages with ten parts), the ones between as large as they can be.
 */
export function partSizes(messages: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, (_, k) => Math.min(5, 1 + 3 * Math.min(k, parts - 1 - k)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.max(1, Math.ceil((messages * w) / sum)));
}

/** Copies one closed part, its slices grouped into statements of about ROWS_PER_COPY rows. */
async function copyPart(part: CheckedPart, directory: DirectoryPlan, session: BulkSession, added: Map<number, { added: number; renumbered: boolean }>, hooks: RunHooks): Promise<void> {
  let group: SpoolSlice[] = [];
  let rows = 0;
  const flush = async () => {
    if (group.length === 0) return;
    const results = await session.importSpooled(part.part, group, directory.maps.user);
    group.forEach((slice, i) => {
      const room = added.get(slice.roomId) ?? { added: 0, renumbered: false };
      room.added += results[i]!.inserted;
      room.renumbered ||= results[i]!.renumbered;
      added.set(slice.roomId, room);
    });
    hooks.onMessages?.(rows);
    group = [];
    rows = 0;
  };
  for (const slice of part.slices) {
    const roomId = directory.maps.room.get(slice.room);
    // The check spools no message of a room that is skipped or not in the source.
    if (roomId === undefined) continue;
    // A room the target did not have before this import cannot hold any of its messages yet.
    const allNew = !directory.context.targetRooms.has(slice.room);
    for (let from = slice.from; from <= slice.to; from += ROWS_PER_COPY) {
      const to = Math.min(slice.to, from + ROWS_PER_COPY - 1);
      group.push({ roomId, from, to, allNew });
      rows += to - from + 1;
      if (rows >= ROWS_PER_COPY) await flush();
    }
  }
  await flush();
}
