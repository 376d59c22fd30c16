// The worker thread of `checkContentInWorker` (importCheck.ts): checks and spools a bulk import's
// messages, reporting each spool part as it closes.
import { parentPort, workerData } from 'node:worker_threads';
import { PchatError } from '../core/errors.js';
import { openArchive } from '../interchange/archive/reader.js';
import { checkAndSpool } from '../interchange/import/checkContent.js';
import { openSpoolWriter } from '../stores.js';
import type { CheckReply, CheckWorkerData } from './importCheck.js';

const { request } = workerData as CheckWorkerData;
const reply = (message: CheckReply) => parentPort!.postMessage(message);
try {
  const source = await openArchive(request.archive);
  try {
    const outcome = await checkAndSpool(
      source,
      request,
      (part) => openSpoolWriter(request.spoolFiles[part]!),
      (part) => reply({ type: 'part', part }),
    );
    reply({ type: 'done', outcome });
  } finally {
    await source.close();
  }
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  reply({ type: 'failed', error: { message: e.message, ...(e instanceof PchatError ? { code: e.code, ...(e.field === undefined ? {} : { field: e.field }) } : {}) } });
}
