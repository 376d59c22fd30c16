import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type RecordSource, recordBatches } from '../source.js';
import { ZipWriter } from './zipWriter.js';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ExportOptions, type Manifest, RECORD_TYPE_NAMES, type RecordType } from './records.js';

export interface WriteHooks {
  /** Called after each record is written (for progress). */
  onRecord?(type: RecordType): void;
  /** Called after each batch of `count` records is written (cheaper progress). */
  onRecords?(type: RecordType, count: number): void;
  /** Record types to write; the others are left out of the archive (export levels). */
  types?: readonly RecordType[];
}

/** Lines are encoded into buffers of this size, each handed to the zip stream when full. */
const CHUNK = 1024 * 1024;

export const MANIFEST_NAME = 'manifest.json';
export const fileOf = (type: RecordType): string => `${type}.ndjson`;

/**
 * Writes the source's records to a new archive at `file`, streaming: one NDJSON entry per record
 * type, then the manifest with counts and SHA-256s. It writes to `<file>.partial` and renames
 * at the end, so `file` is either the complete archive or absent, never half-written.
 */
export async function writeArchive(file: string, source: RecordSource, options: ExportOptions, hooks: WriteHooks = {}): Promise<Manifest> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const zip = new ZipWriter(out);
  try {
    const files: Manifest['files'] = {};
    for (const type of hooks.types ?? RECORD_TYPE_NAMES) {
      files[fileOf(type)] = await writeEntry(zip, type, source, hooks);
    }
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      source: { ...source.description },
      createdAt: new Date().toISOString(),
      options,
      files,
    };
    await zip.add(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await zip.finish();
    await rename(partial, file);
    return manifest;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

async function writeEntry(zip: ZipWriter, type: RecordType, source: RecordSource, hooks: WriteHooks): Promise<Manifest['files'][string]> {
  const entry = await zip.entry(fileOf(type));
  const hash = createHash('sha256');
  let records = 0;
  let bytes = 0;
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  const flush = async (data: Buffer): Promise<void> => {
    hash.update(data);
    bytes += data.length;
    await entry.write(data);
    // Let the event loop run: the deflate stream continues (hands the threadpool its next piece)
    // only in an I/O callback, and reading the source is all microtasks, so without this turn
    // deflate waited for the main thread and the two ran one after the other, not side by side.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for await (const batch of recordBatches(source, type)) {
    for (const record of batch) {
      const line = JSON.stringify(record);
      // UTF-8 takes at most 3 bytes per UTF-16 unit; the newline one more.
      if (used + 3 * line.length + 1 > CHUNK) {
        if (used > 0) await flush(chunk.subarray(0, used));
        // The buffer now belongs to the deflate stream until it is compressed: take a new one.
        chunk = Buffer.allocUnsafe(CHUNK);
        used = 0;
        if (3 * line.length + 1 > CHUNK) {
          await flush(Buffer.from(`${line}\n`));
          continue;
        }
      }
      // Each line goes straight into the chunk as UTF-8: gathering lines in a string first
      // cost a second copy and kept thousands of string pieces alive across collections.
      used += chunk.write(line, used);
      chunk[used++] = 0x0a;
    }
    records += batch.length;
    for (let i = 0; hooks.onRecord && i < batch.length; i++) hooks.onRecord(type);
    hooks.onRecords?.(type, batch.length);
  }
  if (used > 0) await flush(chunk.subarray(0, used));
  await entry.end();
  return { records, sha256: hash.digest('hex'), bytes };
}
