import type { MessageRecord, RecordOf, RecordType } from '../archive/records.js';
import type { RecordSource, SourceDescription } from '../source.js';

/** Every record type but the messages, as lists a source has built in memory. */
export type RecordLists = { readonly [T in Exclude<RecordType, 'messages'>]: readonly RecordOf[T][] };

/**
 * The reading part of a source whose directory (users … notes) fits in memory and whose messages
 * come in pages: records one by one or in batches (the messages a page at a time, each list whole).
 */
export function listedRecords(
  description: SourceDescription,
  lists: RecordLists,
  messages: () => AsyncIterable<MessageRecord[]>,
): Pick<RecordSource, 'description' | 'records' | 'batches'> {
  const listOf = <T extends RecordType>(type: T) => lists[type as Exclude<RecordType, 'messages'>] as readonly RecordOf[T][];
  return {
    description,
    records<T extends RecordType>(type: T): AsyncIterable<RecordOf[T]> {
      if (type === 'messages') {
        return (async function* () {
          for await (const page of messages()) yield* page;
        })() as AsyncIterable<RecordOf[T]>;
      }
      const list = listOf(type);
      return (async function* () {
        yield* list;
      })();
    },
    batches<T extends RecordType>(type: T): AsyncIterable<readonly RecordOf[T][]> {
      if (type === 'messages') return messages() as AsyncIterable<readonly RecordOf[T][]>;
      const list = listOf(type);
      return (async function* () {
        if (list.length > 0) yield list as RecordOf[T][];
      })();
    },
  };
}
