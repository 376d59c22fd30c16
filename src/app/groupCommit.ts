interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit. Items that arrive in the same turn of the event loop (or while a commit is
 * under way) are written by one call of `commit`, so each is durable before its promise
 * resolves without paying one fsync per item. Results reach `onCommitted` in order, before
 * any of the batch's promises resolve. Used for posts and for compliance records.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly commitBatch: (items: readonly I[]) => Promise<O[]>,
    private readonly onCommitted: (results: readonly O[]) => void = () => undefined,
    private readonly maxBatch = 2000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // setImmediate lets every item already read from sockets join this batch.
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
        // One turn of the event loop before the next batch: what the sockets hold by now (often
        // the next lines of those just acknowledged) joins it, so a busy server commits fewer,
        // larger batches (docs/benchmarks.md, irc-throughput). An idle one never waits here.
        if (this.queue.length > 0) await new Promise<void>((done) => setImmediate(done));
      }
    } finally {
      this.running = null;
    }
  }

  private async commit(batch: readonly Pending<I, O>[]): Promise<void> {
    let results: O[];
    try {
      results = await this.commitBatch(batch.map((p) => p.item));
    } catch (error) {
      // A store that committed but could not flush to disk (afterCommit) must not be written again:
      // the batch would be stored twice.
      if (batch.length === 1 || (error as { afterCommit?: boolean }).afterCommit === true) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // One bad item must not fail its neighbours: retry one by one.
      for (const pending of batch) await this.commit([pending]);
      return;
    }
    this.onCommitted(results);
    batch.forEach((pending, i) => pending.resolve(results[i] as O));
  }
}
