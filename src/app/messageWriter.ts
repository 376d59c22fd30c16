import type { AppendResult, MessageStore, NewMessage } from '../ports/store.js';

interface Pending {
  readonly post: NewMessage;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit. Posts that arrive in the same turn of the event loop (or while a commit is
 * under way) are written in one transaction, so every post is durable before it is
 * acknowledged without paying one fsync per message. Committed messages are handed to
 * `onCommitted` in sequence order, before any of the batch's promises resolve.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: MessageStore,
    private readonly onCommitted: (results: readonly AppendResult[]) => void,
    private readonly maxBatch = 2000,
  ) {}

  submit(post: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ post, resolve, reject });
      // setImmediate lets every post already read from sockets join this batch.
      this.running ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  /** Resolves once everything submitted so far is committed (for shutdown). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    let results: AppendResult[];
    try {
      results = await this.store.append(batch.map((p) => p.post));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad post must not fail its neighbours: retry one by one.
      for (const pending of batch) await this.commit([pending]);
      return;
    }
    this.onCommitted(results);
    batch.forEach((pending, i) => pending.resolve(results[i] as AppendResult));
  }
}
