import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { FileRecord, MessageRecord } from '../interchange/archive/records.js';
import type { ConversationFields, MessagePages } from '../interchange/pchat/source.js';
import { WORKER_HEAP } from './verifyTarget.js';

export interface HistoryWorkerData {
  readonly config: Config;
  readonly roomIds: readonly number[];
}

/** A page from the reading thread: its records as one flat array of FIELDS values each (cheap to pass between threads). */
export type HistoryReply = { type: 'page'; room: string; flat: unknown[] } | { type: 'done' } | { type: 'failed'; message: string };
/** This thread has taken a page: the reader may read one more. */
export type HistoryAck = { type: 'ack' };

export const FIELDS = 11;
/** Pages the reading thread may be ahead of this one. */
export const AHEAD = 4;

/**
 * The messages of a pchat database read by a worker thread with its own connection, so that
 * reading SQLite (a third of an export's time) runs beside the serialising and compressing here.
 */
export const historyPagesInWorker =
  (config: Config): MessagePages =>
  async function* (roomIds) {
    const data: HistoryWorkerData = { config, roomIds };
    const worker = new Worker(new URL('./historyPagesWorker.js', import.meta.url), { workerData: data, resourceLimits: WORKER_HEAP });
    const queue: HistoryReply[] = [];
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    worker.on('message', (reply: HistoryReply) => {
      queue.push(reply);
      wake?.();
    });
    worker.on('error', (error) => {
      failure = error;
      wake?.();
    });
    worker.on('exit', (code) => {
      failure ??= new Error(`the history reader stopped (exit code ${code})`);
      wake?.();
    });
    try {
      for (;;) {
        const reply = queue.shift();
        if (!reply) {
          if (failure) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        if (reply.type === 'done') return;
        if (reply.type === 'failed') throw new Error(`reading the history: ${reply.message}`);
        worker.postMessage({ type: 'ack' } satisfies HistoryAck);
        yield toRecords(reply.room, reply.flat);
      }
    } finally {
      await worker.terminate();
    }
  };

function toRecords(room: string, flat: unknown[]): MessageRecord[] {
  const records: MessageRecord[] = new Array(flat.length / FIELDS);
  for (let i = 0, k = 0; i < flat.length; i += FIELDS, k++) {
    const system = flat[i + 7] as string | null;
    const file = flat[i + 9] as FileRecord | null;
    const record: MessageRecord = {
      id: flat[i] as string,
      room,
      seq: flat[i + 1] as number,
      author: flat[i + 2] as string,
      at: flat[i + 3] as string,
      kind: flat[i + 4] as MessageRecord['kind'],
      title: flat[i + 5] as string | null,
      text: flat[i + 6] as string,
      origin: system === null ? null : { system, id: flat[i + 8] as string },
    };
    if (file !== null) record.file = file;
    const conversation = flat[i + 10] as ConversationFields | null;
    records[k] = conversation ? Object.assign(record, conversation) : record;
  }
  return records;
}
