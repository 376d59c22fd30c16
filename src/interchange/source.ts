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
  close(): Promise<void>;
}

/** The identity of an imported item: its origin if the source had one, else the source's own id. */
export const identityOf = (source: SourceDescription, record: { id: string; origin: { system: string; id: string } | null }) =>
  record.origin ?? { system: systemKey(source), id: record.id };

/** The origin system name pchat stores for items of this source (instance-qualified for pchat). */
export const systemKey = (source: SourceDescription): string => (source.instance ? `${source.system}:${source.instance}` : source.system);
