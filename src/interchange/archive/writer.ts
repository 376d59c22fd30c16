import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import type { RecordSource } from '../source.js';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ExportOptions, type Manifest, RECORD_TYPE_NAMES, type RecordType } from './records.js';

export interface WriteHooks {
  /** Called after each record is written (for progress). */
  onRecord?(type: RecordType): void;
  /** Record types to write; the others are left out of the archive (export levels). */
  types?: readonly RecordType[];
}

/** Lines are gathered into chunks of about this size before they are handed to the zip stream. */
const CHUNK = 256 * 1024;

export const MANIFEST_NAME = 'manifest.json';
export const fileOf = (type: RecordType): string => `${type}.ndjson`;

/**
 * Writes the source's records to a new archive at `file`, streaming: one NDJSON entry per record
 * type, then the manifest with counts and SHA-256s. It writes to `<file>.partial` and renames
 * at the end, so `file` is either the complete archive or absent, never half-written.
 */
export async function writeArchive(file: string, source: RecordSource, options: ExportOptions, hooks: WriteHooks = {}): Promise<Manifest> {
  const partial = `${file}.partial`;
  const zip = new yazl.ZipFile();
  const out = createWriteStream(partial);
  zip.outputStream.pipe(out);
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
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), MANIFEST_NAME);
    zip.end();
    await finished(out);
    await rename(partial, file);
    return manifest;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

async function writeEntry(zip: yazl.ZipFile, type: RecordType, source: RecordSource, hooks: WriteHooks): Promise<Manifest['files'][string]> {
  const entry = new PassThrough();
  // Level 1: archives of millions of messages are written at disk speed; deflate's higher levels
  // would cost several times the CPU for a few percent of size.
  zip.addReadStream(entry, fileOf(type), { compress: true, compressionLevel: 1, forceZip64Format: true });
  const hash = createHash('sha256');
  let records = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async (): Promise<void> => {
    const buffer = Buffer.from(chunk);
    chunk = '';
    hash.update(buffer);
    bytes += buffer.length;
    if (!entry.write(buffer)) await new Promise((resolve) => entry.once('drain', resolve));
  };
  for await (const record of source.records(type)) {
    chunk += `${JSON.stringify(record)}\n`;
    records += 1;
    hooks.onRecord?.(type);
    if (chunk.length >= CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
  entry.end();
  await finished(entry);
  return { records, sha256: hash.digest('hex'), bytes };
}
