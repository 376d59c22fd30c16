import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import type { FileRecord } from '../../archive/records.js';
import { type ExportContainer, exportProblem, openExportContainer } from '../exportContainer.js';
import { contentTypeOf, fileName } from '../groupchat/fileStore.js';
import { makeTempDir, removeTempDir } from '../groupchat/tempDirs.js';

/**
 * Where a Mattermost bulk export is: its JSONL file on disk (taken out of a zip into a temporary
 * directory, since its posts are read again by offset, room by room) and the attachments the
 * posts name. `mmctl export create --attachments` writes a zip of the JSONL and `data/<path>`
 * entries; an attachment's `path` in a post is that path below `data/`.
 */
export interface MattermostFiles {
  /** The JSONL file to read. */
  readonly jsonl: string;
  /** Its name, for messages. */
  readonly label: string;
  /** The attachment a post names, hashed once (null: not in the export). */
  attachment(path: string): Promise<FileRecord | null>;
  open(sha256: string): Promise<AsyncIterable<Uint8Array> | null>;
  close(): Promise<void>;
}

export async function openMattermostFiles(location: string): Promise<MattermostFiles> {
  if (/\.jsonl?$/i.test(location)) {
    const dir = dirname(location);
    return filesOf(location, location, null, async (path) => {
      for (const p of [join(dir, 'data', path), join(dir, path)]) {
        try {
          if ((await stat(p)).isFile()) return { size: (await stat(p)).size, read: async () => createReadStream(p) };
        } catch {
          // not there: the next place
        }
      }
      return null;
    });
  }
  const container = await openExportContainer(location, 'mattermost');
  try {
    const jsonls = container.names.filter((n) => /\.jsonl$/i.test(n));
    if (jsonls.length !== 1) {
      throw exportProblem('mattermost', jsonls.length === 0 ? `${location} holds no .jsonl file: it is not a Mattermost bulk export` : `${location} holds several .jsonl files (${jsonls.join(', ')}): give the one to read`);
    }
    const name = jsonls[0]!;
    const base = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
    let jsonl = join(location, name);
    let temp: string | null = null;
    if (!(await stat(location)).isDirectory()) {
      temp = await makeTempDir(tmpdir(), 'pchat-mattermost-');
      jsonl = join(temp, 'export.jsonl');
      await pipeline(await container.stream(name), createWriteStream(jsonl));
    }
    const files = filesOf(jsonl, `${location}: ${name}`, container, async (path) => {
      const found = [`${base}data/${path}`, `${base}${path}`].find((n) => container.has(n));
      return found === undefined ? null : { size: container.size(found), read: () => container.stream(found) };
    });
    return {
      ...files,
      close: async () => {
        await container.close();
        if (temp !== null) await removeTempDir(temp);
      },
    };
  } catch (error) {
    await container.close();
    throw error;
  }
}

type Locate = (path: string) => Promise<{ size: number; read: () => Promise<AsyncIterable<Uint8Array>> } | null>;

function filesOf(jsonl: string, label: string, container: ExportContainer | null, locate: Locate): MattermostFiles {
  const byPath = new Map<string, FileRecord | null>();
  const byDigest = new Map<string, () => Promise<AsyncIterable<Uint8Array>>>();
  return {
    jsonl,
    label,
    async attachment(path) {
      const known = byPath.get(path);
      if (known !== undefined) return known;
      const found = path.includes('..') ? null : await locate(path.replace(/^\/+/, ''));
      let record: FileRecord | null = null;
      if (found) {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of await found.read()) {
          hash.update(chunk);
          size += chunk.length;
        }
        const name = fileName(basename(path));
        record = { name, contentType: contentTypeOf(name), size, sha256: hash.digest('hex') };
        byDigest.set(record.sha256, found.read);
      }
      byPath.set(path, record);
      return record;
    },
    open: async (sha256) => {
      const read = byDigest.get(sha256);
      return read ? read() : null;
    },
    close: async () => {
      await container?.close();
    },
  };
}
