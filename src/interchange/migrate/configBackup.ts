import { createHash } from 'node:crypto';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The target's configuration file as it was before the cut-over first wrote to it, so rollback
 * puts back exactly those bytes (and mode), or removes the file when there was none. The bytes
 * are copied next to the migration's record (mode 0600: a config file may hold secrets) rather
 * than into the state file.
 */
export interface ConfigBefore {
  readonly file: string;
  /** False: there was no file; rollback removes the one the cut-over created. */
  readonly existed: boolean;
  readonly sha256: string | null;
  readonly bytes: number | null;
  readonly mode: number | null;
  /** The copy of its bytes (null when it did not exist). */
  readonly copy: string | null;
  /** SHA-256 of the file as the cut-over left it (null: not finished, or it left no file), to tell whether someone changed it since. */
  cutOverSha256: string | null;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readIfAny(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes `data` to `file` whole or not at all: a temporary file in the same directory, fsync, rename. */
async function writeAtomically(file: string, data: Buffer, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.restore`);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, mode); // the umask may have taken bits away
  await rename(temp, file);
}

/** The SHA-256 of the file now, or null when it does not exist. */
export async function fileSha256(file: string): Promise<string | null> {
  const data = await readIfAny(file);
  return data === null ? null : sha256(data);
}

/** Records the file (a copy of its bytes at `copy`) before anything changes it. */
export async function recordConfig(file: string, copy: string): Promise<ConfigBefore> {
  const data = await readIfAny(file);
  if (data === null) return { file, existed: false, sha256: null, bytes: null, mode: null, copy: null, cutOverSha256: null };
  const mode = (await stat(file)).mode & 0o7777;
  await writeAtomically(copy, data, 0o600);
  return { file, existed: true, sha256: sha256(data), bytes: data.length, mode, copy, cutOverSha256: null };
}

/**
 * Puts the file back as it was: the recorded bytes and mode, or no file. If it is not as the
 * cut-over left it (someone edited it since), that version is kept at `<file>.at-rollback` first
 * and named.
 * Returns what it did, in words.
 */
export async function restoreConfig(before: ConfigBefore): Promise<string[]> {
  const said: string[] = [];
  const now = await readIfAny(before.file);
  const nowSha = now === null ? null : sha256(now);
  if (now !== null && nowSha !== before.sha256 && nowSha !== before.cutOverSha256) {
    // Someone else's edit (or a cut-over that did not finish): not lost, only set aside.
    const kept = `${before.file}.at-rollback`;
    await writeAtomically(kept, now, 0o600);
    said.push(`${before.file} is not as the cut-over left it${before.cutOverSha256 === null ? ' (the cut-over did not finish)' : ''}: that version is kept as ${kept}`);
  }
  if (!before.existed) {
    if (now === null) said.push(`${before.file} did not exist before the cut-over and does not now: nothing to remove`);
    else {
      await rm(before.file);
      said.push(`removed ${before.file}: it did not exist before the cut-over`);
    }
    return said;
  }
  const data = await readFile(before.copy!);
  if (sha256(data) !== before.sha256) throw new Error(`the copy ${before.copy} of ${before.file} no longer has the recorded SHA-256 ${before.sha256}: restore the file by hand`);
  if (nowSha === before.sha256 && now !== null && ((await stat(before.file)).mode & 0o7777) === before.mode) {
    said.push(`${before.file} is already as it was before the cut-over (SHA-256 ${before.sha256})`);
    return said;
  }
  await writeAtomically(before.file, data, before.mode ?? 0o600);
  said.push(`restored ${before.file} byte for byte as it was before the cut-over (${before.bytes} bytes, SHA-256 ${before.sha256})`);
  return said;
}
