// The worker thread of `historyPagesInWorker` (historyPages.ts): reads the rooms' history pages on
// its own connection and posts them as flat arrays, a few pages ahead of the exporting thread.
import { parentPort, workerData } from 'node:worker_threads';
import { IsoFormatter } from '../interchange/pchat/isoTime.js';
import { conversationFields, fileRecord, roomHistoryPages } from '../interchange/pchat/source.js';
import { openStore } from '../stores.js';
import { AHEAD, type HistoryReply, type HistoryWorkerData } from './historyPages.js';

const { config, roomIds } = workerData as HistoryWorkerData;
const port = parentPort!;
const reply = (message: HistoryReply) => port.postMessage(message);
let unread = 0;
let resume: (() => void) | null = null;
port.on('message', () => {
  unread -= 1;
  resume?.();
});
// It reads each room's history once, in order: a small page cache does (the default 16 MiB was peak memory, not speed).
const store = await openStore(config, { cacheKiB: 2048 });
try {
  const times = new IsoFormatter();
  for (const roomId of roomIds) {
    // Straight from the history page to the flat array, the fields in the order of messageRecords
    // (pchat/source.ts): a record object per message here was only garbage.
    for await (const page of roomHistoryPages(store, roomId)) {
      const flat: unknown[] = [];
      for (const m of page) {
        flat.push(String(m.id), m.seq, String(m.authorId), times.format(m.createdAt), m.kind, m.title, m.text, m.origin?.system ?? null, m.origin?.id ?? null, m.file ? fileRecord(m.file) : null, conversationFields(m, times));
      }
      reply({ type: 'page', room: String(roomId), flat });
      unread += 1;
      // Memory stays flat: at most AHEAD pages wait for the exporting thread.
      while (unread >= AHEAD) {
        await new Promise<void>((resolve) => (resume = resolve));
        resume = null;
      }
    }
  }
  reply({ type: 'done' });
} catch (error) {
  reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await store.close();
}
