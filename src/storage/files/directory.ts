import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../../ports/store.js';
import { isDigest, STALE_UPLOAD_MS, tooLarge } from './common.js';

const HEX2 = /^[0-9a-f]{2}$/;
/** A blob moved aside by a conditional delete, while it decides (see `delete`). */
const ASIDE = /^([0-9a-f]{64})\.[0-9a-f-]+\.aside$/;

/**
 * The embedded BlobStore: `<root>/<aa>/<bb>/<sha256>`, one file per content.
 *
 * `put` streams into `<root>/tmp/<uuid>.part`, hashing and counting as it writes (never holding
 * the whole file), and gives up the moment `maxBytes` is passed. Then it either refreshes the time
 * of the copy already stored (dedup: the temp file is deleted), or fsyncs the temp file, renames it
 * into place and fsyncs the directory. A blob is thus either absent or complete and
 * durable; a killed put leaves only its temp file, removed at a later open once an hour old.
 *
 * The time of a blob is its mtime, refreshed by every put of its content; the orphan sweep's
 * conditional delete (`olderThan`) first renames the blob aside, so a concurrent put either
 * refreshed it before (the aside copy is young: it goes back) or finds it absent and stores its
 * own copy.
 */
export function directoryBlobStore(root: string): BlobStore {
  const tmp = join(root, 'tmp');
  cleanTemp(root, tmp);
  let tmpReady: Promise<unknown> | null = null;
  const pathOf = (sha256: string) => join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  return {
    async put(source, maxBytes) {
      await (tmpReady ??= mkdir(tmp, { recursive: true }).catch((error: unknown) => {
        tmpReady = null;
        throw error;
      }));
      const temp = join(tmp, `${randomUUID()}.part`);
      const handle = await open(temp, 'wx', 0o600);
      let closed = false;
      let moved = false;
      try {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > maxBytes) throw tooLarge(maxBytes);
          hash.update(chunk);
          await writeAll(handle, chunk);
        }
        const sha256 = hash.digest('hex');
        const target = pathOf(sha256);
        // The blob's time is when its put ended, on the same clock as the sweep's cut-off.
        const now = new Date();
        try {
          // Already stored (and durable): refresh its time, so the sweep sees a fresh put; the
          // temp file goes (finally).
          await utimes(target, now, now);
          return { sha256, size };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        await handle.utimes(now, now);
        await handle.sync();
        await handle.close();
        closed = true;
        const dir = join(root, sha256.slice(0, 2), sha256.slice(2, 4));
        const created = await mkdir(dir, { recursive: true });
        await rename(temp, target);
        moved = true;
        // The new name, and any directory made for it, must survive a power cut too.
        await syncDir(dir);
        if (created !== undefined) {
          await syncDir(join(root, sha256.slice(0, 2)));
          await syncDir(root);
        }
        return { sha256, size };
      } finally {
        if (!closed) await handle.close().catch(() => undefined);
        if (!moved) await unlink(temp).catch(() => undefined);
      }
    },

    async get(sha256, range) {
      if (!isDigest(sha256)) return null;
      let handle: FileHandle;
      try {
        handle = await open(pathOf(sha256), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      try {
        // The open handle keeps the bytes readable even if the blob is deleted meanwhile.
        const { size } = await handle.stat();
        const start = range?.start ?? 0;
        const end = Math.min(range?.end ?? size - 1, size - 1);
        if (start > end) {
          await handle.close();
          return empty();
        }
        return handle.createReadStream({ start, end, autoClose: true });
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
    },

    async has(sha256) {
      if (!isDigest(sha256)) return false;
      try {
        await stat(pathOf(sha256));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },

    async delete(sha256, options) {
      if (!isDigest(sha256)) return;
      const target = pathOf(sha256);
      const dir = join(root, sha256.slice(0, 2), sha256.slice(2, 4));
      if (options?.olderThan === undefined) {
        await unlink(target).catch(ignoreMissing);
        await syncDir(dir).catch(ignoreMissing);
        return;
      }
      // Aside first: from here no put can refresh this copy, so its mtime is final.
      await mkdir(tmp, { recursive: true });
      const aside = join(tmp, `${sha256}.${randomUUID()}.aside`);
      try {
        await rename(target, aside);
      } catch (error) {
        ignoreMissing(error);
        return;
      }
      try {
        const { mtimeMs } = await stat(aside);
        if (mtimeMs >= options.olderThan) {
          // Put (again) since the cut-off: it stays. (A put that found it absent meanwhile stored
          // an identical copy, which this one replaces.)
          await rename(aside, target);
          return;
        }
        await unlink(aside);
        await syncDir(dir);
      } catch (error) {
        ignoreMissing(error); // another process opening the store put it back meanwhile: it stays
      }
    },

    async list(after, limit) {
      const found: string[] = [];
      if (limit <= 0) return found;
      const from = after ?? '';
      for (const a of await sortedNames(root, HEX2)) {
        if (a < from.slice(0, 2)) continue;
        for (const b of await sortedNames(join(root, a), HEX2)) {
          if (a + b < from.slice(0, 4)) continue;
          for (const name of await sortedNames(join(root, a, b), null)) {
            if (!isDigest(name) || name <= from || !name.startsWith(a + b)) continue;
            found.push(name);
            if (found.length >= limit) return found;
          }
        }
      }
      return found;
    },
  };
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

async function sortedNames(dir: string, pattern: RegExp | null): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return (pattern ? names.filter((n) => pattern.test(n)) : names).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

async function* empty(): AsyncIterable<Uint8Array> {
  // nothing in the range
}

/**
 * At open: temp files of uploads that never finished are removed once an hour old (a younger one
 * may belong to a put still running in another process), and a blob that a conditional delete had
 * moved aside when its process died goes back into place (the next sweep decides again).
 */
function cleanTemp(root: string, tmp: string): void {
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const cutoff = Date.now() - STALE_UPLOAD_MS;
  for (const name of names) {
    const path = join(tmp, name);
    try {
      const aside = ASIDE.exec(name);
      if (aside?.[1]) {
        const sha256 = aside[1];
        const dir = join(root, sha256.slice(0, 2), sha256.slice(2, 4));
        try {
          statSync(join(dir, sha256));
          unlinkSync(path); // stored again since
        } catch {
          renameSync(path, join(dir, sha256));
        }
        continue;
      }
      if (statSync(path).mtimeMs < cutoff) unlinkSync(path);
    } catch {
      // another process got there first, or the entry is not ours: leave it
    }
  }
  try {
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
