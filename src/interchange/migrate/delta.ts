import type { Store } from '../../ports/store.js';
import { filesOf, type RecordSource } from '../source.js';

/**
 * The store with each room's history starting above a high-water mark (room id → seq): a
 * delta export of a pchat source reads only what was posted since the bulk export, and a
 * delta verify compares only what the delta import added to the target.
 */
export function historyAbove(store: Store, marks: Readonly<Record<string, number>>): Store {
  return {
    ...store,
    messages: {
      ...store.messages,
      history: (query) => {
        const mark = marks[String(query.roomId)];
        return store.messages.history(mark === undefined ? query : { ...query, afterSeq: Math.max(query.afterSeq ?? Number.MIN_SAFE_INTEGER, mark) });
      },
    },
  };
}

/** The source without the messages at or below each room's mark: every directory record stays. */
export function messagesAbove(source: RecordSource, marks: Readonly<Record<string, number>>): RecordSource {
  return {
    description: source.description,
    close: () => source.close(),
    records: ((type) =>
      type === 'messages'
        ? (async function* () {
            for await (const m of source.records('messages')) if (m.seq > (marks[m.room] ?? Number.MIN_SAFE_INTEGER)) yield m;
          })()
        : source.records(type)) as RecordSource['records'],
    ...filesOf(source),
  };
}

/** Each room's highest seq among the source's messages. */
export async function sourceMarks(source: RecordSource): Promise<Record<string, number>> {
  const marks: Record<string, number> = {};
  for await (const m of source.records('messages')) marks[m.room] = Math.max(marks[m.room] ?? Number.MIN_SAFE_INTEGER, m.seq);
  return marks;
}

/** Each target room's highest seq now (its newest message). */
export async function targetMarks(store: Store): Promise<Record<string, number>> {
  const marks: Record<string, number> = {};
  for (const room of await store.rooms.list()) {
    const [last] = await store.messages.history({ roomId: room.id, beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1 });
    if (last) marks[String(room.id)] = last.seq;
  }
  return marks;
}
