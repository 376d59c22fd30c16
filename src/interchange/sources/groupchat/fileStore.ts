import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { normalizeContentType, validateFileName } from '../../../app/files.js';
import type { FileRecord } from '../../archive/records.js';

/**
 * The legacy Group Chat file store, copied beside the dump (docs/groupchat-dump.md): where the
 * files that `ma-filelink:` references in tblChat.content point to.
 *
 * A reference `ma-filelink://<host>/<segment>/…/<name>` names the file at `<segment>/…/<name>`
 * below the store's root (each segment percent-decoded; the host, the legacy deployment's domain or
 * server, is not part of the path). A name the scanner took with trailing punctuation
 * (`…/report.docx.` at the end of a sentence) is also tried without it; a path not found as written
 * is looked up ignoring case, as the Windows share it came from did. Paths that would leave the
 * store (`..`, `\`, empty segments) resolve to nothing.
 *
 * Each file found is read once, a piece at a time, for its SHA-256 and size (never held whole);
 * what was learnt is kept per path (a few hundred bytes per file), so later passes over the
 * messages do not read it again, and per digest, for `open`.
 */
export class LegacyFileStore {
  private readonly byPath = new Map<string, Found | null>();
  private readonly byDigest = new Map<string, string>();

  constructor(readonly root: string) {}

  /** What a reference points to: the file (with its record) or, when it is not in the store, where it was looked for. */
  async resolve(reference: string): Promise<Resolved> {
    const path = referencePath(reference);
    if (path === null) return { found: null, name: nameOf(reference), lookedFor: null };
    const name = path[path.length - 1]!;
    const tries = [path];
    const trimmed = name.replace(/[.,;:!?)\]}'"]+$/, '');
    if (trimmed !== name && trimmed !== '') tries.push([...path.slice(0, -1), trimmed]);
    for (const segments of tries) {
      const found = await this.lookUp(segments);
      if (found) return { found: found.record, name: found.record.name, lookedFor: segments.join('/') };
    }
    return { found: null, name, lookedFor: path.join('/') };
  }

  /** The bytes of a file found earlier, by its digest. */
  open(sha256: string): AsyncIterable<Uint8Array> | null {
    const path = this.byDigest.get(sha256);
    return path === undefined ? null : createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  private async lookUp(segments: readonly string[]): Promise<Found | null> {
    const key = segments.join('/');
    const cached = this.byPath.get(key);
    if (cached !== undefined) return cached;
    let absolute: string | null = join(this.root, ...segments);
    if (!(await isFile(absolute))) absolute = await this.ignoringCase(segments);
    let found: Found | null = null;
    if (absolute !== null) {
      const { sha256, size } = await digestOf(absolute);
      // The name as the store has it (a reference may spell it in another case).
      const name = fileName(basename(absolute));
      found = { absolute, record: { name, contentType: contentTypeOf(name), size, sha256 } };
      this.byDigest.set(sha256, absolute);
    }
    this.byPath.set(key, found);
    return found;
  }

  /** The path whose segments equal these ignoring case (the first match, in directory order sorted), or null. */
  private async ignoringCase(segments: readonly string[]): Promise<string | null> {
    let dir = this.root;
    for (let i = 0; i < segments.length; i++) {
      let names: string[];
      try {
        names = (await readdir(dir)).sort();
      } catch {
        return null;
      }
      const wanted = segments[i]!.toLowerCase();
      const match = names.find((n) => n.toLowerCase() === wanted);
      if (match === undefined) return null;
      dir = join(dir, match);
    }
    return (await isFile(dir)) ? dir : null;
  }
}

export interface Resolved {
  /** The file's record, or null when the store does not have it. */
  readonly found: FileRecord | null;
  /** The file's name (the reference's last segment). */
  readonly name: string;
  /** The path below the store's root that was looked up; null when the reference names no path. */
  readonly lookedFor: string | null;
}

interface Found {
  readonly absolute: string;
  readonly record: FileRecord;
}

/** The store's path a reference names: its segments after the host, decoded; null when it names none or would leave the store. */
export function referencePath(reference: string): string[] | null {
  const rest = reference.replace(/^ma-filelink:/i, '').replace(/^\/\//, '');
  const parts = rest.split('/');
  if (parts.length < 2) return null;
  const segments = parts.slice(1).map(decode);
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\u0000') || s.includes('/')) return null;
  }
  return segments;
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const nameOf = (reference: string): string => decode(reference.split('/').pop() ?? reference) || reference;

/** A name pchat keeps: control characters dropped, clipped to 255 characters keeping the extension. */
export function fileName(raw: string): string {
  try {
    return validateFileName(raw);
  } catch {
    // eslint-disable-next-line no-control-regex
    let name = raw.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '').trim();
    const chars = [...name];
    if (chars.length > 255) {
      const ext = [...extname(name)].slice(0, 16);
      name = [...chars.slice(0, 255 - ext.length), ...ext].join('');
    }
    return name === '' || name === '.' || name === '..' ? 'file' : name;
  }
}

/** Media types of the files legacy chat rooms held most, by extension; others are application/octet-stream. */
const TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.htm': 'text/html',
  '.html': 'text/html',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.rtf': 'application/rtf',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.doc': 'application/msword',
  '.dot': 'application/msword',
  '.xls': 'application/vnd.ms-excel',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.vsd': 'application/vnd.visio',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.msg': 'application/vnd.ms-outlook',
};

export const contentTypeOf = (name: string): string => normalizeContentType(TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream');

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function digestOf(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
