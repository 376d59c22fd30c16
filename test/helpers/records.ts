import { RECORD_TYPES, type NoteRecord, type RecordOf, type RecordType } from '../../src/interchange/archive/records.js';
import type { RecordSource } from '../../src/interchange/source.js';

/** Every record of `type` a source yields, each checked to be one the archive accepts. */
export async function all<T extends RecordType>(source: RecordSource, type: T): Promise<RecordOf[T][]> {
  const out: RecordOf[T][] = [];
  for await (const r of source.records(type)) {
    RECORD_TYPES[type].parse(r);
    out.push(r);
  }
  return out;
}

/** The messages of the notes with a code, in order: `notesByCode(notes)('slack_edited')`. */
export const notesByCode =
  (notes: readonly NoteRecord[]) =>
  (code: string): string[] =>
    notes.filter((n) => n.code === code).map((n) => n.message);
