import type { Message } from '../core/model.js';
import type { DomainEvent } from '../ports/events.js';
import type { PoolSignal } from '../ports/pool.js';
import type { MessageStore, RoomStore } from '../ports/store.js';
import type { BusLogger } from './eventBus.js';

const PAGE = 500;

/**
 * Cross-node message delivery for a pool. Per-room sequence numbers are assigned under the
 * room's row lock inside the append transaction, so in one room they become visible in seq
 * order, and (room, seq) is a safe cursor. After each committed batch this node announces
 * {room: highest seq} (one signal per batch, outside the message transaction); every node,
 * for the announced rooms someone here is in, reads `history(afterSeq: last delivered)` and
 * delivers what it finds, in seq order, each message once. A safety poll of the rooms' seq
 * counters makes up for lost announcements.
 *
 * Local commits pass through here too, so that a local message never overtakes an earlier
 * one from another node: it is delivered directly only when it is the next seq; otherwise the
 * room catches up from the store. For rooms nobody here is in, the cursor just moves: a
 * session that joins later reads those messages as history.
 */
export class MessageRelay {
  /** room -> last seq delivered (or skipped) here */
  private readonly last = new Map<number, number>();
  /** Highest message id dispatched per room, so a renumbered tail is not delivered twice. */
  private readonly lastId = new Map<number, number>();
  /** room -> highest seq known to be committed */
  private readonly want = new Map<number, number>();
  private readonly busy = new Set<number>();
  private pending = new Map<number, number>();
  private watching: (roomId: number) => boolean = () => false;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly store: { readonly messages: Pick<MessageStore, 'history'>; readonly rooms: Pick<RoomStore, 'lastSeqs'> },
    private readonly signal: PoolSignal,
    private readonly node: string,
    private readonly dispatch: (event: DomainEvent) => void,
    private readonly log?: BusLogger,
  ) {}

  /** Starts listening to the pool; `watching` says whether a room has sessions on this node. */
  async start(watching: (roomId: number) => boolean, pollMs = 1000): Promise<void> {
    this.watching = watching;
    // Every room's cursor starts at its current end: what is older, a joining session reads as history.
    for (const [roomId, seq] of await this.store.rooms.lastSeqs()) this.advance(roomId, seq);
    await this.signal.listen(
      (node, rooms) => {
        if (node === this.node) return; // delivered already, as it was committed
        for (const [roomId, seq] of rooms) this.learn(roomId, seq);
      },
      () => void this.poll(),
    );
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A message this node committed (kept, so seq > 0). Called in commit order. */
  committed(message: Message): void {
    const { roomId, seq } = message;
    if (!this.busy.has(roomId) && seq === (this.last.get(roomId) ?? 0) + 1) {
      this.last.set(roomId, seq);
      this.lastId.set(roomId, message.id);
      this.dispatch({ type: 'message.posted', roomId, message, live: false });
    } else {
      this.learn(roomId, seq);
    }
    // One announcement per batch: onCommitted publishes a whole batch in one synchronous loop.
    if (this.pending.size === 0) queueMicrotask(() => this.announce());
    this.pending.set(roomId, Math.max(seq, this.pending.get(roomId) ?? 0));
  }

  /** Compares every room's counter with what was delivered. Exposed for tests. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [roomId, seq] of await this.store.rooms.lastSeqs()) this.learn(roomId, seq);
    } catch (error) {
      this.log?.error({ err: error }, 'reading room sequence counters failed');
    } finally {
      this.polling = false;
    }
  }

  private announce(): void {
    const rooms = this.pending;
    this.pending = new Map();
    this.signal.announce(this.node, rooms).catch((error: unknown) => this.log?.error({ err: error }, 'announcing new messages failed'));
  }

  private advance(roomId: number, seq: number): void {
    if (seq > (this.last.get(roomId) ?? 0)) this.last.set(roomId, seq);
  }

  /** Room `roomId` has committed messages up to `seq`. */
  private learn(roomId: number, seq: number): void {
    if (seq <= (this.last.get(roomId) ?? 0)) return;
    if (seq > (this.want.get(roomId) ?? 0)) this.want.set(roomId, seq);
    if (this.busy.has(roomId)) return; // the running catch-up will see the new target
    if (!this.watching(roomId)) this.advance(roomId, seq);
    else void this.catchUp(roomId);
  }

  private async catchUp(roomId: number): Promise<void> {
    this.busy.add(roomId);
    try {
      for (;;) {
        const from = this.last.get(roomId) ?? 0;
        const target = this.want.get(roomId) ?? 0;
        if (target <= from) return;
        if (!this.watching(roomId)) return this.advance(roomId, target);
        const rows = await this.store.messages.history({ roomId, afterSeq: from, limit: PAGE });
        for (const message of rows) {
          if (message.seq <= (this.last.get(roomId) ?? 0)) continue;
          this.last.set(roomId, message.seq);
          // Imported history is not news, and an import that merges older history renumbers the
          // room's tail above its last seq: messages delivered before (lower ids) are not new.
          if (message.origin !== null || message.id <= (this.lastId.get(roomId) ?? 0)) continue;
          this.lastId.set(roomId, message.id);
          this.dispatch({ type: 'message.posted', roomId, message, live: false });
        }
        // Fewer than a page: every committed seq up to target was read; the rest were deleted.
        if (rows.length < PAGE) this.advance(roomId, target);
      }
    } catch (error) {
      this.log?.error({ err: error, roomId }, 'catching up on a room failed; the next poll retries');
    } finally {
      this.busy.delete(roomId);
    }
  }
}
