import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { BlobStore } from '../../ports/store.js';
import { isDigest, STALE_UPLOAD_MS, tooLarge } from '../files/common.js';
import { first, transaction } from './database.js';

/** Bytes per row of file_chunks. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * The pool's BlobStore, in the database every node shares (migration 0011): `file_blobs` rows,
 * their bytes in 1 MiB `file_chunks`.
 *
 * `put` registers an upload, then commits each full chunk under the upload's id as it arrives
 * (one short statement each: no connection is held while the client sends, however slow), hashing
 * and counting on the way, and deletes the upload the moment `maxBytes` is passed. When the bytes
 * are complete, one transaction either inserts the `file_blobs` row and moves the chunks to the
 * digest, or, when the content is already stored, refreshes its time and drops the copy. Readers
 * only ever see a blob whose row and chunks were committed together. An upload whose process died
 * is deleted with its chunks once an hour old (at open, and when a sweep starts listing).
 */
export function postgresBlobs(pool: pg.Pool): BlobStore {
  const dropStaleUploads = () => pool.query('DELETE FROM file_uploads WHERE started_at < $1', [Date.now() - STALE_UPLOAD_MS]);
  // At open: best effort (a failure here must not stop the store from opening).
  void dropStaleUploads().catch(() => undefined);

  return {
    async put(source, maxBytes) {
      const upload = first(await pool.query<{ id: number }>('INSERT INTO file_uploads (started_at) VALUES ($1) RETURNING id', [Date.now()]))!.id;
      try {
        const hash = createHash('sha256');
        let size = 0;
        let n = 0;
        // One chunk being filled; its bytes are copied in (a source may reuse what it yields).
        const chunkBuffer = Buffer.allocUnsafe(CHUNK_BYTES);
        let filled = 0;
        const flush = async () => {
          await pool.query('INSERT INTO file_chunks (upload, n, data) VALUES ($1, $2, $3)', [upload, n++, chunkBuffer.subarray(0, filled)]);
          filled = 0;
        };
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size > maxBytes) throw tooLarge(maxBytes);
          hash.update(chunk);
          for (let offset = 0; offset < chunk.byteLength; ) {
            const take = Math.min(CHUNK_BYTES - filled, chunk.byteLength - offset);
            chunkBuffer.set(chunk.subarray(offset, offset + take), filled);
            filled += take;
            offset += take;
            if (filled === CHUNK_BYTES) await flush();
          }
        }
        if (filled > 0) await flush();
        const sha256 = hash.digest('hex');
        await transaction(pool, async (tx) => {
          for (let attempt = 1; ; attempt++) {
            if (attempt > 5) throw new Error(`could not store blob ${sha256}: it kept being deleted meanwhile`);
            // A concurrent put of the same content: this waits for its commit, then finds its row.
            const inserted = await tx.query('INSERT INTO file_blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [
              sha256,
              size,
              Date.now(),
            ]);
            if (inserted.rowCount === 1) {
              await tx.query('UPDATE file_chunks SET sha256 = $1, upload = NULL WHERE upload = $2', [sha256, upload]);
              break;
            }
            // Stored already: refresh its time, so that the sweep's conditional delete keeps it.
            // (A sweep that deleted it in between leaves no row to refresh: insert after all.)
            const refreshed = await tx.query('UPDATE file_blobs SET created_at = greatest(created_at, $2) WHERE sha256 = $1', [sha256, Date.now()]);
            if (refreshed.rowCount === 1) break;
          }
          await tx.query('DELETE FROM file_uploads WHERE id = $1', [upload]);
        });
        return { sha256, size };
      } catch (error) {
        // Nothing kept: the upload's committed chunks go with it (ON DELETE CASCADE).
        await pool.query('DELETE FROM file_uploads WHERE id = $1', [upload]).catch(() => undefined);
        throw error;
      }
    },

    async get(sha256, range) {
      if (!isDigest(sha256)) return null;
      const row = first(await pool.query<{ size: number }>('SELECT size FROM file_blobs WHERE sha256 = $1', [sha256]));
      if (!row) return null;
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? row.size - 1, row.size - 1);
      return readChunks(pool, sha256, start, end);
    },

    has: async (sha256) => isDigest(sha256) && (await pool.query('SELECT 1 FROM file_blobs WHERE sha256 = $1', [sha256])).rowCount === 1,

    async delete(sha256, options) {
      if (!isDigest(sha256)) return;
      // One statement, so the age check and the delete are one step against a put's refresh (the
      // row lock orders them). The chunks go with the row (ON DELETE CASCADE).
      await pool.query('DELETE FROM file_blobs WHERE sha256 = $1 AND ($2::bigint IS NULL OR created_at < $2::bigint)', [sha256, options?.olderThan ?? null]);
    },

    async list(after, limit) {
      if (after === null) await dropStaleUploads(); // a sweep starts: abandoned uploads go too
      const { rows } = await pool.query<{ sha256: string }>('SELECT sha256 FROM file_blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT $2', [after ?? '', limit]);
      return rows.map((r) => r.sha256);
    },
  };
}

/**
 * The bytes `start`…`end` chunk by chunk, one query each, reading only the chunks in the range
 * (and of the first and last only the slice needed: the column is stored uncompressed, so
 * substring() fetches only those TOAST pieces).
 */
async function* readChunks(pool: pg.Pool, sha256: string, start: number, end: number): AsyncIterable<Uint8Array> {
  if (start > end) return;
  for (let n = Math.floor(start / CHUNK_BYTES); n <= Math.floor(end / CHUNK_BYTES); n++) {
    const from = Math.max(start - n * CHUNK_BYTES, 0);
    const to = Math.min(end - n * CHUNK_BYTES, CHUNK_BYTES - 1);
    const row = first(
      await pool.query<{ data: Buffer }>('SELECT substring(data FROM $3 FOR $4) AS data FROM file_chunks WHERE sha256 = $1 AND n = $2', [sha256, n, from + 1, to - from + 1]),
    );
    if (!row) throw new Error(`blob ${sha256} lost its chunk ${n} while being read (deleted meanwhile?)`);
    yield row.data;
  }
}
