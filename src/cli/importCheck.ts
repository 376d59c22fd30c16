import { Worker } from 'node:worker_threads';
import { PchatError } from '../core/errors.js';
import type { ContentChecker } from '../interchange/import/bulk.js';
import type { CheckedPart, ContentCheckOutcome, ContentCheckRequest } from '../interchange/import/checkContent.js';

export interface CheckWorkerData {
  readonly request: ContentCheckRequest;
}

/** What the checking thread says, in order: each part as it closes, then its outcome or its failure. */
export type CheckReply =
  | { type: 'part'; part: CheckedPart }
  | { type: 'done'; outcome: ContentCheckOutcome }
  | { type: 'failed'; error: { message: string; code?: string; field?: string } };

/**
 * A bulk import's message check in a worker thread: it reads the archive, checks every message and
 * fills the spool parts while this thread writes. It does not open the target.
 */
export const checkContentInWorker: ContentChecker = (request) => {
  const data: CheckWorkerData = { request };
  const worker = new Worker(new URL('./importCheckWorker.js', import.meta.url), { workerData: data });
  const parts: CheckedPart[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  let settle!: { resolve: (o: ContentCheckOutcome) => void; reject: (e: Error) => void };
  const outcome = new Promise<ContentCheckOutcome>((resolve, reject) => (settle = { resolve, reject }));
  outcome.catch(() => {}); // read by the importer; a failure also ends `parts`
  const end = (error: Error | null) => {
    if (ended) return;
    ended = true;
    failure = error;
    wake?.();
  };
  worker.on('message', (reply: CheckReply) => {
    if (reply.type === 'part') parts.push(reply.part);
    else if (reply.type === 'done') {
      settle.resolve(reply.outcome);
      end(null);
    } else {
      // A damaged archive is reported as the two-pass import reports it (same code, file and line).
      const { code, message, field } = reply.error;
      const error =
        code === 'invalid_archive' || code === 'invalid_input'
          ? new PchatError(code, message, field === undefined ? {} : { field })
          : new Error(`checking the messages: ${message}`);
      settle.reject(error);
      end(error);
    }
    wake?.();
  });
  worker.on('error', (error) => {
    settle.reject(error);
    end(error);
  });
  worker.on('exit', (code) => {
    const error = new Error(`the message check stopped (exit code ${code}) before it finished`);
    settle.reject(error);
    end(error);
  });
  return {
    outcome,
    parts: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = parts.shift();
          if (next) {
            yield next;
            continue;
          }
          if (ended) {
            if (failure) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      },
    },
    stop: async () => {
      await worker.terminate();
    },
  };
};
