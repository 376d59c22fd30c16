import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type RecordSource, recordBatches } from '../source.js';
import { ZipWriter } from './zipWriter.js';
import { PchatError } from '../../core/errors.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ARCHIVE_VERSION_WITHOUT_FILES,
  ARCHIVE_VERSION_WITH_CONVERSATIONS,
  needsVersion3,
  type ExportOptions,
  fileEntryName,
  type Manifest,
  type MessageRecord,
  RECORD_TYPE_NAMES,
  type RecordType,
} from './records.js';

export interface WriteHooks {
  /** Called after each record is written (for progress). */
  onRecord?(type: RecordType): void;
  /** Called after each batch of `count` records is written (cheaper progress). */
  onRecords?(type: RecordType, count: number): void;
  /** Record types to write; the others are left out of the archive (export levels). */
  types?: readonly RecordType[];
  /** Called once before the files' bytes are written, with how many contents there are (for progress). */
  onFiles?(count: number): void;
  /** Called after each file's bytes are written (for progress). */
  onFile?(bytes: number): void;
}

/** Lines are encoded into buffers of this size, each handed to the zip stream when full. */
const CHUNK = 1024 * 1024;

export const MANIFEST_NAME = 'manifest.json';
export const fileOf = (type: RecordType): string => `${type}.ndjson`;

/**
 * Writes the source's records to a new archive at `file`, streaming: one NDJSON entry per record
 * type, then the bytes of every file the messages carry (`files/<sha256>`, once per content,
 * stored as they are), then the manifest with counts, sizes and SHA-256s. It writes to
 * `<file>.partial` and renames at the end, so `file` is either the complete archive or absent,
 * never half-written. An archive without files is version 1 (earlier pchat reads it), one with
 * files version 2, one with replies, edited marks or reactions version 3.
 */
export async function writeArchive(file: string, source: RecordSource, options: ExportOptions, hooks: WriteHooks = {}): Promise<Manifest> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const zip = new ZipWriter(out);
  try {
    const files: Manifest['files'] = {};
    // The files the messages carry: digest → size (distinct contents only, not one per message).
    const carried = new Map<string, number>();
    let conversations = false;
    const onMessage = (m: MessageRecord) => {
      carry(carried, m);
      conversations ||= needsVersion3(m);
    };
    for (const type of hooks.types ?? RECORD_TYPE_NAMES) {
      files[fileOf(type)] = await writeEntry(zip, type, source, hooks, type === 'messages' ? onMessage : null);
    }
    const attachments: NonNullable<Manifest['attachments']> = {};
    if (carried.size > 0) hooks.onFiles?.(carried.size);
    for (const [digest, size] of [...carried].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      attachments[fileEntryName(digest)] = await writeFile(zip, source, digest, size, hooks);
    }
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      version: conversations ? ARCHIVE_VERSION_WITH_CONVERSATIONS : carried.size > 0 ? ARCHIVE_VERSION : ARCHIVE_VERSION_WITHOUT_FILES,
      source: { ...source.description },
      createdAt: new Date().toISOString(),
      options,
      files,
      ...(carried.size > 0 && { attachments }),
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

function carry(carried: Map<string, number>, m: MessageRecord): void {
  if (!m.file) return;
  const size = carried.get(m.file.sha256);
  if (size !== undefined && size !== m.file.size) {
    throw new PchatError('internal', `message ${m.id} carries file ${m.file.sha256} of ${m.file.size} bytes, another message the same content of ${size} bytes`);
  }
  carried.set(m.file.sha256, m.file.size);
}

/**
 * Copies one file's bytes from the source into the archive, stored (files are mostly compressed
 * already), checking that they are still what the messages said: the digest and size their
 * records carry. A file that changed or vanished since fails the export (run it again).
 */
async function writeFile(zip: ZipWriter, source: RecordSource, digest: string, size: number, hooks: WriteHooks): Promise<{ sha256: string; bytes: number }> {
  const bytes = source.openFile ? await source.openFile(digest) : null;
  if (!bytes) throw new PchatError('invalid_input', `the source no longer has the file with SHA-256 ${digest} (${size} bytes) that a message carries; run the export again`);
  const entry = await zip.entry(fileEntryName(digest), { stored: true });
  const hash = createHash('sha256');
  let written = 0;
  for await (const piece of bytes) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    written += chunk.length;
    if (written > size) break;
    hash.update(chunk);
    await entry.write(chunk);
  }
  if (written !== size || hash.digest('hex') !== digest) {
    throw new PchatError('invalid_input', `the file with SHA-256 ${digest} changed while it was exported (expected ${size} bytes of that digest, read ${written > size ? 'more' : `${written} bytes`} of another); run the export again`);
  }
  await entry.end();
  hooks.onFile?.(size);
  return { sha256: digest, bytes: size };
}

async function writeEntry(
  zip: ZipWriter,
  type: RecordType,
  source: RecordSource,
  hooks: WriteHooks,
  onMessage: ((m: MessageRecord) => void) | null,
): Promise<Manifest['files'][string]> {
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
      if (onMessage) onMessage(record as MessageRecord);
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
