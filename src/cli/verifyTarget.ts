import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { TargetDigester, TargetDigestRequest, TargetRoomDigests } from '../interchange/verify/content.js';

export interface TargetWorkerData {
  readonly config: Config;
  readonly request: TargetDigestRequest;
}

/**
 * The worker's old generation is capped: what it keeps is one digest per room, but V8 otherwise
 * let its garbage pile up between full collections (verify's peak memory at 10M messages varied
 * from 230 to 346 MiB; capped, 222–236 MiB, at the same speed). Far above what it keeps alive.
 */
export const WORKER_HEAP = { maxOldGenerationSizeMb: 128 };

type Reply = { ok: true; digests: Map<number, TargetRoomDigests> } | { ok: false; error: string };

/**
 * Verify's target side in a worker thread with its own connection to the target database: the
 * target's history is read and hashed on the second core while this thread reads the source,
 * instead of after it.
 */
export const digestInWorker =
  (config: Config): TargetDigester =>
  (request, signal) =>
    new Promise((resolve, reject) => {
      const data: TargetWorkerData = { config, request };
      const worker = new Worker(new URL('./verifyTargetWorker.js', import.meta.url), { workerData: data, resourceLimits: WORKER_HEAP });
      signal.addEventListener('abort', () => void worker.terminate(), { once: true });
      let replied = false;
      worker.once('message', (reply: Reply) => {
        replied = true;
        if (reply.ok) resolve(reply.digests);
        else reject(new Error(`reading the target database: ${reply.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (!replied) reject(new Error(`the target reader stopped (exit code ${code}) before it answered`));
      });
    });
