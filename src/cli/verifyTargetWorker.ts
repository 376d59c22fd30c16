// The worker thread of `digestInWorker` (verifyTarget.ts): opens the target database and
// answers with its rooms' digests.
import { parentPort, workerData } from 'node:worker_threads';
import { targetRoomDigests } from '../interchange/verify/content.js';
import { openStore } from '../stores.js';
import type { TargetWorkerData } from './verifyTarget.js';

const { config, request } = workerData as TargetWorkerData;
// It reads each room's history once, in order: a small page cache does (the default is 16 MiB).
const store = await openStore(config, { cacheKiB: 2048 });
try {
  parentPort!.postMessage({ ok: true, digests: await targetRoomDigests(store, request) });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
} finally {
  await store.close();
}
