import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PchatError } from '../../../core/errors.js';

/** Every regular file under `dir` (hidden ones left out), as paths relative to it, in a stable order. */
export async function logFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if (at === dir) throw new PchatError('invalid_input', `irc-logs: cannot read the directory ${dir}: ${(error as Error).message}`, { field: '--from' });
      throw error;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(at, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) found.push(relative(dir, path));
    }
  };
  await walk(dir);
  return found.sort();
}
