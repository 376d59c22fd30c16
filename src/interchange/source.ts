import type { RecordOf, RecordType } from './archive/records.js';

/** Who the records come from: written into the manifest and used as the origin of imported items. */
export interface SourceDescription {
  readonly system: string;
  readonly version: string;
  readonly instance: string;
}

/**
 * Anything that yields archive records: an archive being read, a pchat database being exported,
 * a legacy system's dump. Export writes a source to an archive; import loads a source into pchat;
 * verify compares two sources. Each call of `records` starts a fresh pass and streams, so memory
 * does not grow with the number of messages. Messages come grouped by room, in ascending seq.
 * `notes` may be complete only after the other types have been read.
 */
export interface RecordSource {
  readonly description: SourceDescription;
  records<T extends RecordType>(type: T): AsyncIterable<RecordOf[T]>;
  /**
   * Optional: the same pass as `records`, a page of records at a time. Export and verify read
   * millions of messages, where one promise per record (an async generator step per layer)
   * costs more than the record itself; `recordBatches` falls back to `records`.
   */
  batches?<T extends RecordType>(type: T): AsyncIterable<readonly RecordOf[T][]>;
  /**
   * Optional: a Lync/OCS Group Chat source's SIP domains (the organisation's, given or inferred),
   * which its clients sign in with; `pchat migrate` gives them to pchat's SIP endpoint.
   */
  readonly sipDomains?: readonly string[];
  /**
   * Optional: how many messages the message pass yields, as a legacy source's first pass counted
   * them when it was opened. A direct import into SQLite sizes its spool parts by it; a source
   * without it is imported batch by batch.
   */
  readonly messageCount?: number;
  /**
   * Optional: the bytes of a file this source's messages carry (`message.file.sha256`), streamed,
   * or null when the source has no such file. A source whose messages carry files has it. The
   * reader of the bytes checks their size and digest: an archive's reader does so itself and
   * throws at the end of a damaged entry, before its last piece is taken.
   */
  openFile?(sha256: string): Promise<AsyncIterable<Uint8Array> | null>;
  close(): Promise<void>;
}

/** `openFile` of `source`, for a source that wraps it (filters, samples, deltas): empty when it has none. */
export const filesOf = (source: RecordSource): Pick<RecordSource, 'openFile'> => (source.openFile ? { openFile: (sha256: string) => source.openFile!(sha256) } : {});

/** How many records `recordBatches` gathers from a source without `batches`. */
const FALLBACK_BATCH = 1000;

/** The source's records of one type in arrays: its own `batches` when it has them. */
export async function* recordBatches<T extends RecordType>(source: RecordSource, type: T): AsyncGenerator<readonly RecordOf[T][]> {
  if (source.batches) {
    yield* source.batches(type);
    return;
  }
  let batch: RecordOf[T][] = [];
  for await (const record of source.records(type)) {
    batch.push(record);
    if (batch.length >= FALLBACK_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The identity of an imported item: its origin if the source had one, else the source's own id. */
export const identityOf = (source: SourceDescription, record: { id: string; origin: { system: string; id: string } | null }) =>
  record.origin ?? { system: systemKey(source), id: record.id };

/** The origin system name pchat stores for items of this source (instance-qualified for pchat). */
export const systemKey = (source: SourceDescription): string => (source.instance ? `${source.system}:${source.instance}` : source.system);
