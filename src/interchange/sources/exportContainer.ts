import { closeSync, createReadStream, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { PchatError } from '../../core/errors.js';

/**
 * A vendor's export as it was handed over: a zip file, or the directory it was unpacked into
 * (Slack's workspace export, Mattermost's bulk export). Files are named by their path inside it
 * with `/` separators. Nothing is extracted: a zip's entries are inflated as they are read
 * (yauzl, as the archive reader uses it), so a name inside it can never reach the file system.
 */
export interface ExportContainer {
  /** The location as given, for messages. */
  readonly label: string;
  /** Every file, by its path inside the export, sorted. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The file's bytes, whole; with `atMost`, an export problem instead when it holds more. */
  read(name: string, atMost?: number): Promise<Buffer>;
  /** The file's bytes as a stream. */
  stream(name: string): Promise<Readable>;
  /** Its size in bytes (uncompressed). */
  size(name: string): number;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 512 * 2 ** 20;
const problem = (source: string, message: string): PchatError => new PchatError('invalid_dump', `${source}: ${message}`, { field: '--from' });
const tooLarge = (source: string, name: string, label: string, size: number, atMost: number): PchatError =>
  problem(source, `${name} in ${label} holds ${size} bytes; a file of the export is read whole, up to ${atMost}`);

/** Opens a zip file or a directory; `source` names the source kind in errors (`slack`, `mattermost`). */
export async function openExportContainer(location: string, source: string): Promise<ExportContainer> {
  let info;
  try {
    info = await stat(location);
  } catch (error) {
    throw problem(source, `cannot read ${location}: ${(error as Error).message}`);
  }
  return info.isDirectory() ? directoryContainer(location, source) : zipContainer(location, source);
}

async function directoryContainer(dir: string, source: string): Promise<ExportContainer> {
  // Sizes are looked up when a file is opened or its size asked: a stat per file up front, one
  // after another, held up the start of a Slack import by a tenth of a second per 5,000 day files.
  const sizes = new Map<string, number | null>();
  const walk = async (at: string): Promise<void> => {
    for (const e of await readdir(at, { withFileTypes: true })) {
      const path = join(at, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) sizes.set(relative(dir, path).split(sep).join('/'), null);
    }
  };
  const size = (name: string): number => {
    const known = sizes.get(name);
    if (known === undefined) return 0;
    if (known !== null) return known;
    const measured = statSync(join(dir, name)).size;
    sizes.set(name, measured);
    return measured;
  };
  try {
    await walk(dir);
  } catch (error) {
    throw problem(source, `cannot read the directory ${dir}: ${(error as Error).message}`);
  }
  const names = [...sizes.keys()].sort();
  return {
    label: dir,
    names,
    has: (name) => sizes.has(name),
    // Read at once: day files are small and many, and an asynchronous read of each cost more than its JSON.
    read: async (name, atMost) => {
      const fd = openSync(join(dir, name), 'r');
      try {
        const bytes = fstatSync(fd).size;
        sizes.set(name, bytes);
        if (atMost !== undefined && bytes > atMost) throw tooLarge(source, name, dir, bytes, atMost);
        return readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    stream: async (name) => createReadStream(join(dir, name), { highWaterMark: 256 * 1024 }),
    size,
    close: async () => {},
  };
}

async function zipContainer(file: string, source: string): Promise<ExportContainer> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, z) =>
      error || !z ? reject(problem(source, `${file} is neither a directory nor a readable zip file (${error?.message ?? 'unknown error'})`)) : resolve(z),
    ),
  );
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        // Directory entries end with a slash; every other entry is a file, looked up by its name only.
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName.replace(/\\/g, '/'), entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (error: Error) => reject(problem(source, `${file}: corrupt zip file (${error.message})`)));
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  const open = (name: string): Promise<Readable> =>
    new Promise((resolve, reject) => {
      const entry = entries.get(name);
      if (!entry) return reject(problem(source, `${file} holds no ${name}`));
      zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(problem(source, `${file}: cannot read ${name} (${error?.message ?? 'unknown error'})`)) : resolve(stream)));
    });
  return {
    label: file,
    names: [...entries.keys()].sort(),
    has: (name) => entries.has(name),
    read: async (name, atMost) => {
      const bytes = entries.get(name)?.uncompressedSize ?? 0;
      if (atMost !== undefined && bytes > atMost) throw tooLarge(source, name, file, bytes, atMost);
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of await open(name)) chunks.push(chunk as Buffer);
      } catch (error) {
        if (error instanceof PchatError) throw error;
        throw problem(source, `${file}: ${name} is corrupt (${(error as Error).message})`);
      }
      return Buffer.concat(chunks);
    },
    stream: open,
    size: (name) => entries.get(name)?.uncompressedSize ?? 0,
    close: async () => zip.close(),
  };
}

/** The JSON of one file of an export, or an error naming the file and what is wrong with it. */
export async function readJsonFile(container: ExportContainer, name: string, source: string): Promise<unknown> {
  // One JSON file is held whole while it is parsed: a larger one is no vendor's (or a zip bomb).
  const bytes = await container.read(name, MAX_JSON_BYTES);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw problem(source, `${name} in ${container.label} is not valid JSON (${(error as Error).message})`);
  }
}

/** An error about the content of one file of an export (what it holds is not what the vendor documents). */
export const exportProblem = problem;
