import { createHash } from 'node:crypto';
import type { Store } from '../../ports/store.js';
import type { FileRecord } from '../archive/records.js';
import { roomHistoryPages } from '../pchat/source.js';
import type { RecordSource } from '../source.js';
import type { Conflict, Side } from './verify.js';

/** A file a source message carries, with the message's identity. */
interface SourceFile {
  readonly system: string;
  readonly id: string;
  /** The message's id in the source, as the report shows it. */
  readonly messageId: string;
  readonly file: FileRecord;
}

/**
 * The files of the source's messages, per source room, gathered while the content is read (one
 * small entry per file, not per message: a room's messages are never held).
 */
export class SourceFiles {
  readonly byRoom = new Map<string, SourceFile[]>();
  count = 0;

  add(room: string, system: string, id: string, messageId: string, file: FileRecord): void {
    const list = this.byRoom.get(room);
    const entry = { system, id, messageId, file };
    if (list) list.push(entry);
    else this.byRoom.set(room, [entry]);
    this.count += 1;
  }
}

const describe = (f: FileRecord) => `${f.name} (${f.size} bytes, SHA-256 ${f.sha256})`;

/** SHA-256 and size of a stream of bytes, read a piece at a time. */
async function digestOf(bytes: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of bytes) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Compares every file the source's messages carry with the file of the same message (by identity)
 * in the target: its name, size and SHA-256, and the bytes themselves, read from the target's
 * blob store and hashed (each content once), as the source's are from the source (an archive's
 * reader checks them against its manifest and throws on a damaged entry). Every difference, and
 * every file or message the target lacks, is a `file` conflict. Returns how many were compared.
 */
export async function compareFiles(source: RecordSource, s: Side, t: Side, store: Store, nativeSystem: string, files: SourceFiles, conflicts: Conflict[]): Promise<number> {
  const targetBytes = new Map<string, string>();
  const sourceBytes = new Map<string, string>();
  /** 'ok', or what is wrong with the target's copy of this content. */
  const checkTarget = async (f: FileRecord): Promise<string> => {
    let verdict = targetBytes.get(f.sha256);
    if (verdict === undefined) {
      const bytes = await store.blobs.get(f.sha256);
      if (!bytes) verdict = 'absent from the file store';
      else {
        const read = await digestOf(bytes);
        verdict = read.sha256 === f.sha256 && read.size === f.size ? 'ok' : `${read.size} bytes of SHA-256 ${read.sha256}`;
      }
      targetBytes.set(f.sha256, verdict);
    }
    return verdict;
  };
  const checkSource = async (f: FileRecord): Promise<string> => {
    let verdict = sourceBytes.get(f.sha256);
    if (verdict === undefined) {
      const bytes = source.openFile ? await source.openFile(f.sha256) : null;
      if (!bytes) verdict = 'absent from the source';
      else {
        const read = await digestOf(bytes);
        verdict = read.sha256 === f.sha256 && read.size === f.size ? 'ok' : `${read.size} bytes of SHA-256 ${read.sha256}`;
      }
      sourceBytes.set(f.sha256, verdict);
    }
    return verdict;
  };

  for (const [room, list] of files.byRoom) {
    const roomKey = s.keyOf.room.get(room);
    const roomName = (roomKey === undefined ? undefined : s.rooms.get(roomKey))?.name ?? room;
    const targetRoom = roomKey === undefined ? undefined : t.rooms.get(roomKey);
    const conflict = (sf: SourceFile, field: string, sourceValue: unknown, targetValue: unknown) =>
      conflicts.push({ type: 'file', id: sf.messageId, name: `"${sf.file.name}" in room "${roomName}"`, field, source: sourceValue, target: targetValue });
    const wanted = new Map(list.map((f) => [`${f.system}\u0000${f.id}`, f]));
    if (targetRoom) {
      for await (const page of roomHistoryPages(store, Number(targetRoom.id))) {
        for (const m of page) {
          const key = `${m.origin?.system ?? nativeSystem}\u0000${m.origin?.id ?? String(m.id)}`;
          const sf = wanted.get(key);
          if (!sf) continue;
          wanted.delete(key);
          const theirs = m.file;
          if (!theirs) {
            conflict(sf, 'file', describe(sf.file), 'the message has no file');
            continue;
          }
          if (theirs.name !== sf.file.name) conflict(sf, 'file name', sf.file.name, theirs.name);
          if (theirs.contentType !== sf.file.contentType) conflict(sf, 'file media type', sf.file.contentType, theirs.contentType);
          if (theirs.size !== sf.file.size || theirs.sha256 !== sf.file.sha256) {
            conflict(sf, 'file SHA-256', `${sf.file.size} bytes, ${sf.file.sha256}`, `${theirs.size} bytes, ${theirs.sha256}`);
            continue;
          }
          const mine = await checkSource(sf.file);
          if (mine !== 'ok') conflict(sf, 'file bytes (source)', describe(sf.file), mine);
          const verdict = await checkTarget(sf.file);
          if (verdict !== 'ok') conflict(sf, 'file bytes', describe(sf.file), verdict);
        }
      }
    }
    for (const sf of wanted.values()) conflict(sf, 'file', describe(sf.file), targetRoom ? 'the target has no such message' : 'the target has no such room');
  }
  return files.count;
}
