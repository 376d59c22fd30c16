import type { BlobStore, FileStore } from '../ports/store.js';

/** How long a blob no row references is kept: the longest expected time from a put to its file row's commit. */
export const FILE_SWEEP_GRACE_MS = 60 * 60 * 1000;

export interface FileSweepOptions {
  /** The current time (epoch ms, the real clock: blob times are the adapters' wall-clock times). */
  readonly now: number;
  /** Blobs put (or put again) less than this long ago are kept even when no row references them. */
  readonly graceMs?: number;
  /** Digests per `blobs.list` page and per `files.unreferenced` question. */
  readonly pageSize?: number;
}

export interface FileSweepResult {
  /** Blobs looked at. */
  readonly scanned: number;
  /** Of those, the ones no file row referenced, handed to the conditional delete (younger ones stay). */
  readonly unreferenced: number;
}

/**
 * The orphan sweep: deletes the blobs that no file row references and that were last put before
 * `now - graceMs`. Blobs become orphans when their messages are removed, cleared or replaced by
 * moderation, or when an upload's message was never written (a failed post, a crash between the
 * put and the append).
 *
 * Safe against concurrent uploads: a put, even of content already stored, refreshes the blob's
 * time, and `blobs.delete(…, { olderThan })` decides on that time atomically in the adapter. So a
 * blob whose file row is not committed yet survives as long as the row follows its put within the
 * grace period (uploads append right after their put; an import must put a file's bytes just
 * before the batch that writes its row, not hours ahead). Idempotent and resumable: run it from
 * any node, at any interval (hourly is plenty); two sweeps at once do no harm.
 */
export async function sweepOrphanFiles(store: { readonly files: FileStore; readonly blobs: BlobStore }, options: FileSweepOptions): Promise<FileSweepResult> {
  const pageSize = options.pageSize ?? 500;
  const olderThan = options.now - (options.graceMs ?? FILE_SWEEP_GRACE_MS);
  let after: string | null = null;
  let scanned = 0;
  let unreferenced = 0;
  for (;;) {
    const page: string[] = await store.blobs.list(after, pageSize);
    if (page.length === 0) break;
    scanned += page.length;
    for (const sha256 of await store.files.unreferenced(page)) {
      await store.blobs.delete(sha256, { olderThan });
      unreferenced += 1;
    }
    after = page[page.length - 1] ?? null;
    if (page.length < pageSize) break;
  }
  return { scanned, unreferenced };
}
