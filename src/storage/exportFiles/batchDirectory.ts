import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchDirectory, TextSink } from '../../ports/complianceExport.js';

/** Temporary files: `.<final name>.<12 hex>.tmp`, hidden from collectors that skip dot files. */
const TEMPORARY = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Bytes collected before each write(2). */
const CHUNK = 256 * 1024;

/**
 * A directory of batch files on the local file system (or a mounted share every node sees).
 * Each file is written to a temporary name in the same directory, fsynced, renamed over its
 * final name, and the directory fsynced: a file is there whole or not at all, and once
 * `publish` resolves it survives a power cut.
 */
export async function openBatchDirectory(path: string): Promise<BatchDirectory> {
  await mkdir(path, { recursive: true });
  const syncDirectory = async (): Promise<void> => {
    const dir = await open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  };
  return {
    has: async (name) => {
      try {
        return (await stat(join(path, checked(name)))).isFile();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
    publish: async (name, write, commit) => {
      const temporary = join(path, `.${checked(name)}.${randomBytes(6).toString('hex')}.tmp`);
      const file = await open(temporary, 'wx', 0o640);
      let open_ = true;
      try {
        let buffered: string[] = [];
        let size = 0;
        const flush = async (): Promise<void> => {
          if (buffered.length === 0) return;
          const text = buffered.join('');
          buffered = [];
          size = 0;
          await file.write(text, null, 'utf8');
        };
        const sink: TextSink = {
          write: async (chunk) => {
            buffered.push(chunk);
            size += chunk.length;
            if (size >= CHUNK) await flush();
          },
        };
        await write(sink);
        await flush();
        await file.sync();
        await file.close();
        open_ = false;
        if (!(await commit())) {
          await rm(temporary, { force: true });
          return false;
        }
        await rename(temporary, join(path, name));
        await syncDirectory();
        return true;
      } catch (error) {
        if (open_) await file.close().catch(() => undefined);
        await rm(temporary, { force: true }).catch(() => undefined);
        throw error;
      }
    },
    removeTemporary: async () => {
      let removed = 0;
      for (const entry of await readdir(path)) {
        if (!TEMPORARY.test(entry)) continue;
        await rm(join(path, entry), { force: true });
        removed += 1;
      }
      return removed;
    },
  };
}

/** A plain file name: no directory part, not hidden. */
function checked(name: string): string {
  if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) throw new Error(`not a batch file name: ${JSON.stringify(name)}`);
  return name;
}
