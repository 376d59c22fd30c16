import { type FileHandle, open } from 'node:fs/promises';
import { type Db, withoutFsync } from './database.js';

/**
 * Durable commits that do not stop the event loop. With `synchronous = FULL`, SQLite fsyncs the
 * WAL inside COMMIT, on the JavaScript thread, and nothing else (reading sockets, fanning out the
 * previous batch) can run while the disk answers: 4.5 ms at the median and 20 ms at p99 on this
 * project's loaded test machine. `commitDurably` commits with `synchronous = NORMAL` (the frames
 * are written to the WAL, not yet flushed) and then flushes the WAL with `fdatasync` on libuv's
 * thread pool; its promise resolves only once that flush is done, so a caller that acknowledges
 * or publishes after it acknowledges only what is on disk, as before.
 *
 * Why flushing the WAL file suffices: the commit's frames are in it, and if a checkpoint has since
 * copied them into the database and restarted the WAL, that checkpoint synced the database file
 * before the WAL could be reused (SQLite does so at NORMAL too). Calls that arrive while a flush is
 * under way share the next one: a flush covers every frame written before it began.
 */
export interface DurableCommits {
  /** Runs the transaction `write`, then resolves once its commit is on disk. */
  commitDurably<T>(write: () => T): Promise<T>;
  /** Waits for the flush under way, if any, and closes the WAL file. */
  close(): Promise<void>;
}

export function durableCommits(db: Db, path: string): DurableCommits {
  // An in-memory database has nothing to flush; a connection opened with NORMAL (a bulk import)
  // has chosen to make its work durable once at the end (store.sync) instead of per commit.
  const full = (db.pragma('synchronous', { simple: true }) as number) >= 2;
  if (path === ':memory:' || !full) return { commitDurably: async (write) => write(), close: async () => undefined };
  const flushes = walFlushes(`${path}-wal`, path);
  return {
    close: () => flushes.close(),
    async commitDurably<T>(write: () => T): Promise<T> {
      const result = withoutFsync(db, write);
      try {
        await flushes.flush();
      } catch (cause) {
        // Committed, but not known to be on disk: the caller must not write the batch again.
        throw Object.assign(new Error(`flushing the write-ahead log failed: ${(cause as Error).message}`, { cause }), { afterCommit: true });
      }
      return result;
    },
  };
}

/**
 * Coalesced `fdatasync`s of the WAL: `flush()` resolves after a sync that began after the call.
 * The file stays open between flushes: while this connection is open in WAL mode the WAL is the
 * same file (SQLite deletes it only when the last connection closes or the journal mode changes,
 * and a connection committing at FULL never changes it: bulk imports switch on their own
 * connections, opened at NORMAL).
 */
function walFlushes(wal: string, database: string): { flush(): Promise<void>; close(): Promise<void> } {
  let handle: FileHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const syncOnce = async (): Promise<void> => {
    if (!handle) {
      try {
        handle = await open(wal, 'r+');
      } catch (error) {
        // No WAL: the database is not in WAL mode, so the commit went to the database file;
        // flush that.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const file = await open(database, 'r+');
        await file.datasync().finally(() => file.close());
        return;
      }
    }
    await handle.datasync();
  };
  const start = (): Promise<void> => {
    const sync = syncOnce().finally(() => {
      if (running === sync) running = null;
    });
    running = sync;
    return sync;
  };
  return {
    flush() {
      if (!running) return start();
      // A sync is under way, but it may have begun before this commit: wait for the next one,
      // which every caller arriving meanwhile shares.
      queued ??= running
        .catch(() => undefined)
        .then(() => {
          queued = null;
          return start();
        });
      return queued;
    },
    async close() {
      await (queued ?? running)?.catch(() => undefined);
      await handle?.close();
      handle = null;
    },
  };
}
