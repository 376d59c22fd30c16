// The worker thread of `checkContentInWorker` (importCheck.ts): checks and spools a bulk import's
// messages, reporting each spool part as it closes.
import { parentPort, workerData } from 'node:worker_threads';
import { PchatError } from '../core/errors.js';
import { openArchive } from '../interchange/archive/reader.js';
import { checkAndSpool } from '../interchange/import/checkContent.js';
import { openSpoolWriter, openStore } from '../main.js';
import type { CheckReply, CheckWorkerData } from './importCheck.js';

const { config, request } = workerData as CheckWorkerData;
const reply = (message: CheckReply) => parentPort!.postMessage(message);
try {
  const source = await openArchive(request.archive);
  const store = await openStore(config);
  try {
    const outcome = await checkAndSpool(
      source,
      request,
      {
        storedOrigins: (system, ids) => store.messages.storedOrigins(system, ids),
        roomHoldsOrigins: (roomId, system) => store.messages.roomHoldsOrigins(roomId, system),
      },
      (part) => openSpoolWriter(request.spoolFiles[part]!),
      request.spoolFiles.length,
      { part: (part) => reply({ type: 'part', part }), checked: (messages) => reply({ type: 'checked', messages }) },
    );
    reply({ type: 'done', outcome });
  } finally {
    await store.close();
    await source.close();
  }
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  reply({ type: 'failed', error: { message: e.message, ...(e instanceof PchatError ? { code: e.code, ...(e.field === undefined ? {} : { field: e.field }) } : {}) } });
}
