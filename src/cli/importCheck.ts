import { Worker } from 'node:worker_threads';
import { type ErrorCode, PchatError } from '../core/errors.js';
import type { ContentCheck, ContentChecker } from '../interchange/import/bulk.js';
import type { CheckedPart, ContentCheckOutcome, ContentCheckRequest } from '../interchange/import/checkContent.js';
import type { DirectImportSpec, SourceDirectory } from './importSource.js';

/**
 * What the checking thread is given: the request of an archive's check, or a legacy source to
 * open at once, the request following as a message once the importing thread has planned.
 */
export type CheckWorkerData = { readonly request: ContentCheckRequest } | { readonly direct: DirectImportSpec };

/** What the checking thread says, in order: a legacy source's directory, each part as it closes, then its outcome or its failure. */
export type CheckReply =
  | { type: 'directory'; directory: SourceDirectory }
  | { type: 'part'; part: CheckedPart }
  | { type: 'done'; outcome: ContentCheckOutcome }
  | { type: 'failed'; error: { message: string; code?: string; field?: string; details?: unknown } };

/**
 * A bulk import's message check in a worker thread: it reads the archive, checks every message and
 * fills the spool parts while this thread writes. It does not open the target.
 */
export const checkContentInWorker: ContentChecker = (request) => watch(startWorker({ request }));

/** A direct import's check, started before it is asked for (see startDirectCheck). */
export interface DirectCheck {
  /** The source's directory once the thread has opened it; rejects with the source's error (the one `export --from` reports). */
  readonly directory: Promise<SourceDirectory>;
  readonly checker: ContentChecker;
  /** Ends the thread if the import did not take the bulk path (or failed before it asked). */
  cancel(): Promise<void>;
}

/**
 * The check of a legacy source imported directly: the worker thread opens the source (its first
 * pass reads every day file or log) and sends this thread the directory records to plan with,
 * then waits for the plan's context to check the messages. So the source is parsed once for its
 * directory and once for its messages, both on the checking thread; this thread, which copies,
 * holds no source and parses nothing. The checker sends the request when the bulk import begins.
 */
export function startDirectCheck(spec: DirectImportSpec): DirectCheck {
  const worker = startWorker({ direct: spec });
  let directory!: { resolve: (d: SourceDirectory) => void; reject: (e: Error) => void };
  const directoryRead = new Promise<SourceDirectory>((resolve, reject) => (directory = { resolve, reject }));
  directoryRead.catch(() => {}); // awaited by the importer; a failure also ends the check
  const check = watch(worker, directory);
  let asked = false;
  return {
    directory: directoryRead,
    checker: (request) => {
      if (asked) throw new Error('a direct check serves one import');
      asked = true;
      worker.postMessage(request);
      return check;
    },
    cancel: async () => {
      if (!asked) await check.stop();
    },
  };
}

/**
 * The checking thread's young generation is kept small. It parses day files and logs one after
 * another, and garbage is all it makes between them; at V8's default size its peak memory (and so
 * the import's) depended on when collections happened: a direct Slack import of 1M messages
 * peaked at 204–248 MiB, 3 runs in 10 over 240 MiB; capped at 12 MiB, 193–209 MiB in 13 runs, at
 * the same speed (2026-12-07, `node bin/pchat.js import slack:<dir> --yes --create-users`, the
 * slack-import bench's export, peak RSS by /usr/bin/time).
 */
const CHECK_WORKER_HEAP = { maxYoungGenerationSizeMb: 12 };

const startWorker = (data: CheckWorkerData) => new Worker(new URL('./importCheckWorker.js', import.meta.url), { workerData: data, resourceLimits: CHECK_WORKER_HEAP });

/** The check's parts and outcome as the worker reports them; listening from the start, so an early failure is kept. */
function watch(worker: Worker, directory?: { resolve: (d: SourceDirectory) => void; reject: (e: Error) => void }): ContentCheck {
  const parts: CheckedPart[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  let settle!: { resolve: (o: ContentCheckOutcome) => void; reject: (e: Error) => void };
  const outcome = new Promise<ContentCheckOutcome>((resolve, reject) => (settle = { resolve, reject }));
  outcome.catch(() => {}); // read by the importer; a failure also ends `parts`
  const end = (error: Error | null) => {
    if (error) directory?.reject(error);
    if (ended) return;
    ended = true;
    failure = error;
    wake?.();
  };
  // A legacy source that fails before its directory is read fails as `export --from` reports it, whatever the error.
  let opening = directory !== undefined;
  worker.on('message', (reply: CheckReply) => {
    if (reply.type === 'directory') {
      opening = false;
      directory?.resolve(reply.directory);
    } else if (reply.type === 'part') parts.push(reply.part);
    else if (reply.type === 'done') {
      settle.resolve(reply.outcome);
      end(null);
    } else {
      // A damaged archive or source is reported as the two-pass import reports it (same code, file and line).
      const { code, message, field, details } = reply.error;
      const error =
        code === 'invalid_archive' || code === 'invalid_input' || code === 'invalid_dump' || (opening && code !== undefined)
          ? new PchatError(code as ErrorCode, message, { ...(field !== undefined && { field }), ...(details !== undefined && { details }) })
          : new Error(opening ? message : `checking the messages: ${message}`);
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
}
