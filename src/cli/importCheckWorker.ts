// The worker thread of `checkContentInWorker` and `startDirectCheck` (importCheck.ts): checks and
// spools a bulk import's messages, reporting each spool part as it closes.
import { parentPort, workerData } from 'node:worker_threads';
import { PchatError } from '../core/errors.js';
import { openArchive } from '../interchange/archive/reader.js';
import { checkAndSpool, type ContentCheckRequest } from '../interchange/import/checkContent.js';
import { sourceNotes } from '../interchange/import/plan.js';
import type { RecordSource } from '../interchange/source.js';
import { openSpoolWriter } from '../stores.js';
import type { CheckReply, CheckWorkerData } from './importCheck.js';
import { directoryOf, openDirectSource } from './importSource.js';

const data = workerData as CheckWorkerData;
const reply = (message: CheckReply) => parentPort!.postMessage(message);
try {
  let source: RecordSource;
  let request: ContentCheckRequest;
  if ('direct' in data) {
    // The importing thread plans with the directory read here; its request comes once it has.
    const opened = await openDirectSource(data.direct);
    source = opened.source;
    const asked = new Promise<ContentCheckRequest>((resolve) => parentPort!.once('message', resolve));
    reply({ type: 'directory', directory: await directoryOf(opened) });
    request = await asked;
  } else {
    request = data.request;
    source = await openArchive(request.archive!);
  }
  try {
    const outcome = await checkAndSpool(
      source,
      request,
      (part) => openSpoolWriter(request.spoolFiles[part]!),
      (part) => reply({ type: 'part', part }),
    );
    // A legacy source's notes may count what its message pass met (irc-logs: the actions): this
    // thread made that pass, so its notes are the ones an export would have written.
    reply({ type: 'done', outcome: 'direct' in data ? { ...outcome, notes: await sourceNotes(source, {}) } : outcome });
  } finally {
    await source.close();
  }
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  const details = e instanceof PchatError && e.details !== undefined ? (JSON.parse(JSON.stringify(e.details)) as unknown) : undefined;
  reply({ type: 'failed', error: { message: e.message, ...(e instanceof PchatError ? { code: e.code, ...(e.field === undefined ? {} : { field: e.field }), ...(details === undefined ? {} : { details }) } : {}) } });
}
