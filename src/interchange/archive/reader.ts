import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { PchatError } from '../../core/errors.js';
import type { RecordSource, SourceDescription } from '../source.js';
import { LineError, lineBatches } from './lines.js';
import { checkedMessage } from './messageCheck.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSIONS,
  FILE_ENTRY,
  fileEntryName,
  type Manifest,
  manifestSchema,
  RECORD_TYPE_NAMES,
  RECORD_TYPES,
  type RecordOf,
  type RecordType,
} from './records.js';
import { fileOf, MANIFEST_NAME } from './writer.js';

export interface ArchiveLimits {
  /** Most uncompressed bytes the whole archive may declare (default 256 GiB). */
  readonly maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio of an entry over 1 MiB; above it the entry is a decompression bomb. */
  readonly maxRatio: number;
}
export const DEFAULT_LIMITS: ArchiveLimits = { maxTotalBytes: 256 * 2 ** 30, maxRatio: 200 };
const MAX_MANIFEST_BYTES = 1 << 20;

const fail = (file: string, message: string, field?: string): PchatError =>
  new PchatError('invalid_archive', `${file}: ${message}`, field === undefined ? {} : { field });

/** An archive opened for reading: its manifest, and its records (and files) as a RecordSource. */
export interface ArchiveSource extends RecordSource {
  readonly manifest: Manifest;
  readonly file: string;
  /**
   * The bytes of the file with this SHA-256 (the entry `files/<sha256>`), or null when the archive
   * holds none. They are checked as they stream: more bytes than the manifest says, or a different
   * size or SHA-256 at the end, throw `invalid_archive` naming the entry, before the last piece is
   * handed out, so a consumer never completes with damaged bytes.
   */
  openFile(sha256: string): Promise<AsyncIterable<Uint8Array> | null>;
}

/**
 * Opens an archive and checks everything that can be checked without reading the records:
 * the zip's central directory, that every entry is a known file (no paths, so nothing can
 * escape a directory), the manifest's format, version and schema, that the entries are exactly
 * the manifest's files, and the size limits. Each `records()` pass then streams one entry,
 * validating every line and, at its end, the entry's record count, size and SHA-256 against the
 * manifest. A pass that finds a problem throws `invalid_archive` naming the file and line.
 */
export async function openArchive(file: string, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<ArchiveSource> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true }, (error, z) =>
      error || !z ? reject(fail(file, `not a readable zip archive (${error?.message ?? 'unknown error'})`)) : resolve(z),
    ),
  );
  try {
    const entries = await readEntries(zip, file);
    const manifest = await readManifest(zip, entries, file);
    checkEntries(entries, manifest, file, limits);
    return archiveSource(zip, entries, manifest, file);
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function readEntries(zip: yauzl.ZipFile, file: string): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      // The one path allowed: `files/<sha256>` (64 hex digits), which cannot escape a directory.
      if (!FILE_ENTRY.test(name) && (name.includes('/') || name.includes('\\') || name.includes('..') || name.includes(':'))) {
        reject(fail(file, `entry "${name}" has a path; archive entries are plain file names, so it is refused (it could escape the target directory)`));
        return;
      }
      if (entries.has(name)) {
        reject(fail(file, `entry "${name}" appears twice`));
        return;
      }
      entries.set(name, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) => reject(fail(file, `corrupt zip archive (${error.message})`)));
    zip.readEntry();
  });
  return entries;
}

async function readManifest(zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>, file: string): Promise<Manifest> {
  const entry = entries.get(MANIFEST_NAME);
  if (!entry) throw fail(file, `has no ${MANIFEST_NAME}; is it a pchat archive?`);
  if (entry.uncompressedSize > MAX_MANIFEST_BYTES) throw fail(file, `${MANIFEST_NAME} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const chunks: Buffer[] = [];
  for await (const chunk of await openEntry(zip, entry, file)) chunks.push(chunk as Buffer);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw fail(file, `${MANIFEST_NAME} is not JSON (${(error as Error).message})`);
  }
  const header = json as { format?: unknown; version?: unknown };
  if (header?.format !== ARCHIVE_FORMAT) throw fail(file, `${MANIFEST_NAME} does not name the format "${ARCHIVE_FORMAT}"`);
  if (typeof header.version !== 'number' || !ARCHIVE_VERSIONS.includes(header.version)) {
    throw fail(file, `archive format version ${String(header.version)} is not supported; this pchat reads versions ${ARCHIVE_VERSIONS.join(', ')}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(file, `${MANIFEST_NAME}: ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const manifest = parsed.data;
  if (manifest.version < 2 && manifest.attachments !== undefined) throw fail(file, `${MANIFEST_NAME}: a version ${manifest.version} archive carries no files, yet it lists attachments`, 'attachments');
  for (const [name, listed] of Object.entries(manifest.attachments ?? {})) {
    if (name !== fileEntryName(listed.sha256)) throw fail(file, `${MANIFEST_NAME}: attachment "${name}" is listed with SHA-256 ${listed.sha256}; a file's entry is named by its SHA-256`, `attachments.${name}`);
  }
  return manifest;
}

function checkEntries(entries: Map<string, yauzl.Entry>, manifest: Manifest, file: string, limits: ArchiveLimits): void {
  const known = new Set(RECORD_TYPE_NAMES.map(fileOf));
  let total = 0;
  const attachments = manifest.attachments ?? {};
  for (const [name, entry] of entries) {
    if (name === MANIFEST_NAME) continue;
    const isFile = FILE_ENTRY.test(name);
    if (!isFile && !known.has(name)) throw fail(file, `unexpected entry "${name}"`);
    const listed = isFile ? attachments[name] : manifest.files[name];
    if (!listed) throw fail(file, `entry "${name}" is not listed in the manifest`);
    if (entry.uncompressedSize !== listed.bytes) {
      throw fail(file, `entry "${name}" holds ${entry.uncompressedSize} bytes but the manifest says ${listed.bytes}`);
    }
    if (entry.uncompressedSize > 1 << 20 && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
      throw fail(file, `entry "${name}" expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}-fold; refused as a decompression bomb (limit ${limits.maxRatio})`);
    }
    total += entry.uncompressedSize;
  }
  if (total > limits.maxTotalBytes) throw fail(file, `expands to ${total} bytes, over the limit of ${limits.maxTotalBytes}`);
  for (const name of Object.keys(manifest.files)) {
    if (!known.has(name)) throw fail(file, `the manifest lists an unknown file "${name}"`);
    if (!entries.has(name)) throw fail(file, `the manifest lists "${name}" but the archive does not hold it (truncated?)`);
  }
  for (const name of Object.keys(attachments)) {
    if (!entries.has(name)) throw fail(file, `the manifest lists the file "${name}" but the archive does not hold it (truncated?)`);
  }
}

const openEntry = (zip: yauzl.ZipFile, entry: yauzl.Entry, file: string): Promise<Readable> =>
  new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) =>
      error || !stream ? reject(fail(file, `cannot read entry "${entry.fileName}" (${error?.message ?? 'unknown error'})`)) : resolve(stream),
    ),
  );

function archiveSource(zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>, manifest: Manifest, file: string): ArchiveSource {
  const description: SourceDescription = manifest.source;
  const batches = <T extends RecordType>(type: T) => readBatches(zip, entries, manifest, file, type) as AsyncIterable<RecordOf[T][]>;
  return {
    manifest,
    file,
    description,
    batches,
    records: async function* <T extends RecordType>(type: T) {
      for await (const batch of batches(type)) yield* batch;
    } as RecordSource['records'],
    openFile: async (sha256: string) => {
      const name = fileEntryName(sha256);
      const entry = entries.get(name);
      const listed = manifest.attachments?.[name];
      if (!entry || !listed) return null;
      return fileBytes(zip, entry, listed.bytes, sha256, file);
    },
    close: async () => zip.close(),
  };
}

/** A file entry's bytes, checked against the manifest as they stream (see ArchiveSource.openFile). */
async function* fileBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, size: number, sha256: string, file: string): AsyncGenerator<Uint8Array> {
  const name = entry.fileName;
  const stream = await openData(zip, entry, file);
  const hash = createHash('sha256');
  let bytes = 0;
  // One piece is held back, so the last one is handed out only once the whole entry checked out.
  let held: Buffer | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > size) throw fail(file, `entry "${name}" holds more than the ${size} bytes the manifest says`, name);
      hash.update(chunk);
      if (held) yield held;
      held = chunk;
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof PchatError) throw error;
    throw fail(file, `entry "${name}": corrupt or truncated data (${(error as Error).message})`, name);
  }
  if (bytes !== size) throw fail(file, `entry "${name}" holds ${bytes} bytes but the manifest says ${size} (truncated?)`, name);
  if (hash.digest('hex') !== sha256) throw fail(file, `entry "${name}" does not match its SHA-256: the file's bytes were changed or damaged`, name);
  if (held) yield held;
}

/** Uncompressed bytes per piece read from an entry: four times yauzl's, a quarter of the callbacks. */
const PIECE_BYTES = 64 * 1024;
/**
 * Records per batch handed out. Small: a batch stays alive while its consumer works through it,
 * and records that outlive two young-generation collections are moved to the old generation,
 * where they wait for a full collection (with a batch per 256 KiB piece, verify's peak memory at
 * 10M messages reached 275–346 MiB; 128 records from 64 KiB pieces, 235–243 MiB).
 */
const BATCH_RECORDS = 128;

/**
 * An entry's uncompressed bytes. Inflated here rather than by yauzl, in larger pieces (yauzl's
 * 16 KiB pieces cost a callback each); sizes and checksums are checked by the reader itself.
 */
async function openData(zip: yauzl.ZipFile, entry: yauzl.Entry, file: string): Promise<Readable> {
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw fail(file, `entry "${entry.fileName}" uses compression method ${entry.compressionMethod}; only deflate (8) and stored (0) are read`);
  }
  // yauzl takes `decompress: false` for compressed entries only; a stored entry is read as it is.
  const raw = await new Promise<Readable>((resolve, reject) => {
    const done = (error: Error | null, stream?: Readable) =>
      error || !stream ? reject(fail(file, `cannot read entry "${entry.fileName}" (${error?.message ?? 'unknown error'})`)) : resolve(stream);
    if (entry.compressionMethod === 0) zip.openReadStream(entry, done);
    else zip.openReadStream(entry, { decompress: false }, done);
  });
  if (entry.compressionMethod === 0) return raw;
  const inflate = createInflateRaw({ chunkSize: PIECE_BYTES });
  pipeline(raw, inflate, () => {}); // an error of either ends the iteration of `inflate`
  return inflate;
}

async function* readBatches<T extends RecordType>(
  zip: yauzl.ZipFile,
  entries: Map<string, yauzl.Entry>,
  manifest: Manifest,
  file: string,
  type: T,
): AsyncGenerator<RecordOf[T][]> {
  const name = fileOf(type);
  const entry = entries.get(name);
  const listed = manifest.files[name];
  if (!entry || !listed) return; // this export level left the type out
  const schema = RECORD_TYPES[type];
  const hash = createHash('sha256');
  let bytes = 0;
  let count = 0;
  let stream: Readable;
  try {
    stream = await openData(zip, entry, file);
  } catch (error) {
    throw error instanceof PchatError ? error : fail(file, String(error));
  }
  try {
    for await (const { lines, first } of lineBatches(stream, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      // The entry's header may lie about its size: stop at the manifest's, not at the end of a bomb.
      if (bytes > listed.bytes) throw fail(file, `${name} holds more than the ${listed.bytes} bytes the manifest says`);
    })) {
      let batch: RecordOf[T][] = [];
      for (let i = 0; i < lines.length; i++) {
        if (batch.length === BATCH_RECORDS) {
          count += batch.length;
          yield batch;
          batch = [];
        }
        const text = lines[i]!;
        if (text.length === 0) continue;
        const number = first + i;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw fail(file, `${name} line ${number}: not valid JSON (${(error as Error).message})`, `${name}:${number}`);
        }
        const quick = type === 'messages' ? checkedMessage(json) : null;
        if (quick) {
          batch.push(quick as RecordOf[T]);
          continue;
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const at = issue.path.length > 0 ? `field "${issue.path.join('.')}": ` : '';
          throw fail(file, `${name} line ${number}: ${at}${issue.message}`, `${name}:${number}`);
        }
        batch.push(parsed.data as RecordOf[T]);
      }
      count += batch.length;
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof PchatError) throw error;
    if (error instanceof LineError) throw fail(file, `${name} ${error.message}`, `${name}:${error.line}`);
    throw fail(file, `${name}: corrupt or truncated data (${(error as Error).message})`);
  }
  if (bytes !== listed.bytes) throw fail(file, `${name} holds ${bytes} bytes but the manifest says ${listed.bytes} (truncated?)`);
  if (hash.digest('hex') !== listed.sha256) throw fail(file, `${name} does not match its SHA-256 in the manifest: the archive was changed or damaged`);
  if (count !== listed.records) throw fail(file, `${name} holds ${count} records but the manifest says ${listed.records}`);
}
