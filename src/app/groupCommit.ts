interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
  /** Written in a batch of its own: the batch it came in failed. */
  readonly alone?: boolean;
}

export interface GroupCommitOptions {
  /** Items per call of `commit` at most. */
  readonly maxBatch?: number;
  /**
   * Batches written but not yet delivered at once (default 1). Above 1, the next batch is written
   * while the previous one's promise is still pending: only for a `commit` that writes
   * synchronously when called and then waits for the disk (MessageStore.overlappingAppends), so
   * that call order is write order and a failed call has written nothing.
   */
  readonly depth?: number;
  /**
   * With a depth above 1: the fewest items worth a batch of their own while another is still
   * pending (default 32). Every commit writes the pages it touched again (rows, indexes, the
   * full-text segment), so a stream of tiny overlapping batches costs more per item than waiting.
   */
  readonly overlapAt?: number;
}

/**
 * Group commit. Items that arrive in the same turn of the event loop (or while a commit is
 * under way) are written by one call of `commit`, so each is durable before its promise
 * resolves without paying one fsync per item. Results reach `onCommitted` in order, before
 * any of the batch's promises resolve. Used for posts and for compliance records.
 *
 * A batch that fails is written again item by item, so that one bad item does not fail its
 * neighbours; with a depth above 1 those items go back to the head of the queue, to be written
 * after the batches already written and delivered in that order (results stay in write order).
 * An error marked `afterCommit` (the store committed but could not flush) fails its whole batch:
 * writing it again could store it twice.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private running: Promise<void> | null = null;
  private arrived: (() => void) | null = null;
  private readonly maxBatch: number;
  private readonly depth: number;
  private readonly overlapAt: number;

  constructor(
    private readonly commitBatch: (items: readonly I[]) => Promise<O[]>,
    private readonly onCommitted: (results: readonly O[]) => void = () => undefined,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.depth = Math.max(1, options.depth ?? 1);
    this.overlapAt = Math.max(1, options.overlapAt ?? 32);
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.enqueue({ item, resolve, reject });
    });
  }

  /** Resolves once everything submitted so far is committed (for shutdown). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private enqueue(pending: Pending<I, O>, atHead = false): void {
    if (atHead) this.queue.unshift(pending);
    else this.queue.push(pending);
    this.arrived?.();
    // setImmediate lets every item already read from sockets join this batch.
    this.running ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    // Deliveries in write order: each waits for the one before it.
    const undelivered: Promise<void>[] = [];
    let previous: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const worthIt = undelivered.length === 0 || this.queue.length >= this.overlapAt || this.queue[0]?.alone === true;
        if (this.queue.length > 0 && undelivered.length < this.depth && worthIt) {
          const batch = this.takeBatch();
          const written = this.commitBatch(batch.map((p) => p.item));
          written.catch(() => undefined); // handled in order by deliver
          const delivery: Promise<void> = previous.then(() => this.deliver(batch, written)).finally(() => {
            undelivered.splice(undelivered.indexOf(delivery), 1);
          });
          previous = delivery;
          undelivered.push(delivery);
          // With depth 1, nothing is written before the previous batch is delivered. Otherwise,
          // one turn of the event loop lets the sockets add to the next batch meanwhile.
          if (this.depth === 1) await delivery;
          else await new Promise<void>((done) => setImmediate(done));
          continue;
        }
        if (this.queue.length === 0 && undelivered.length === 0) return;
        // Wait for room in the pipeline (or the previous batch), or for more items to write.
        const room = undelivered[0]!;
        await Promise.race([room, new Promise<void>((done) => (this.arrived = done))]);
        this.arrived = null;
      }
    } finally {
      this.running = null;
    }
  }

  /** The next batch: up to maxBatch items, or one item whose batch failed before. */
  private takeBatch(): Pending<I, O>[] {
    if (this.queue[0]?.alone) return this.queue.splice(0, 1);
    const end = this.queue.findIndex((p) => p.alone);
    return this.queue.splice(0, Math.min(this.maxBatch, end === -1 ? this.queue.length : end));
  }

  private async deliver(batch: readonly Pending<I, O>[], written: Promise<O[]>): Promise<void> {
    let results: O[];
    try {
      results = await written;
    } catch (error) {
      if (batch.length === 1 || (error as { afterCommit?: boolean }).afterCommit === true) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // One bad item must not fail its neighbours: write them again one by one.
      if (this.depth === 1) {
        for (const pending of batch) await this.deliver([pending], this.commitBatch([pending.item]));
        return;
      }
      for (const pending of [...batch].reverse()) this.enqueue({ ...pending, alone: true }, true);
      return;
    }
    this.onCommitted(results);
    batch.forEach((pending, i) => pending.resolve(results[i] as O));
  }
}
