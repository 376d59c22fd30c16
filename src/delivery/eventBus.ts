import type { DomainEvent, EventBus, EventListener, PostedEvent, PostsListener } from '../ports/events.js';
import type { EventLogStore } from '../ports/store.js';
import type { MessageRelay } from './messageRelay.js';

export interface BusLogger {
  error(obj: unknown, msg: string): void;
}

/** Delivers events to listeners in this process. A throwing listener cannot hurt the others. */
export class LocalEventBus implements EventBus {
  /** Each listener, with its listener of posts in batches where it has one. */
  private readonly listeners = new Map<EventListener, PostsListener | undefined>();

  constructor(private readonly log?: BusLogger) {}

  publish(event: DomainEvent): Promise<void> {
    this.dispatch(event);
    return Promise.resolve();
  }

  publishAll(events: readonly PostedEvent[]): Promise<void> {
    this.dispatchAll(events);
    return Promise.resolve();
  }

  dispatch(event: DomainEvent): void {
    for (const listener of this.listeners.keys()) this.call(listener, event);
  }

  /** Posts of one commit, in order: in one call to each listener that takes them so, else one by one. */
  dispatchAll(events: readonly PostedEvent[]): void {
    for (const [listener, posts] of this.listeners) {
      if (!posts) for (const event of events) this.call(listener, event);
      else {
        try {
          posts(events);
        } catch (error) {
          this.log?.error({ err: error, event: 'message.posted' }, 'event listener failed');
        }
      }
    }
  }

  subscribe(listener: EventListener, posts?: PostsListener): () => void {
    this.listeners.set(listener, posts);
    return () => this.listeners.delete(listener);
  }

  private call(listener: EventListener, event: DomainEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.log?.error({ err: error, event: event.type }, 'event listener failed');
    }
  }
}

/**
 * Carries events between processes that share one database (the CLI and the server, the
 * nodes of a pool) through the `events` table. Each process writes what it publishes and
 * tails what the others wrote. Posted messages do not go through the log: they are the hot
 * path. With SQLite one server posts and they stay local; in a pool they go through the
 * MessageRelay (announce + read by seq), except messages of rooms without history (seq 0),
 * which cannot be read back from the store and so travel through the log.
 */
export class SharedEventBus implements EventBus {
  private lastSeen = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private polls = 0;

  constructor(
    private readonly local: LocalEventBus,
    private readonly store: EventLogStore,
    readonly node: string,
    private readonly log?: BusLogger,
    /** Present in a pool: cross-node delivery of stored messages. */
    readonly relay: MessageRelay | null = null,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    if (event.type === 'message.posted' && this.relay) {
      if (event.message.seq !== 0) return this.relay.committed(event.message);
      await this.store.append(this.node, [JSON.stringify(event)]);
    } else if (event.type !== 'message.posted') {
      await this.store.append(this.node, [JSON.stringify(event)]);
    }
    this.local.dispatch(event);
  }

  /** Posts stay on this process, as in `publish`, unless a pool relays them. */
  async publishAll(events: readonly PostedEvent[]): Promise<void> {
    if (this.relay) {
      await Promise.all(events.map((event) => this.publish(event)));
      return;
    }
    this.local.dispatchAll(events);
  }

  subscribe(listener: EventListener, posts?: PostsListener): () => void {
    return this.local.subscribe(listener, posts);
  }

  /** Starts tailing the shared log from its current end. */
  async start(intervalMs = 200): Promise<void> {
    this.lastSeen = await this.store.lastId();
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.relay?.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads what other processes published since the last poll. Exposed for tests. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (;;) {
        const rows = await this.store.after(this.lastSeen, 500);
        for (const row of rows) {
          this.lastSeen = row.id;
          if (row.node !== this.node) this.local.dispatch(JSON.parse(row.payload) as DomainEvent);
        }
        if (rows.length < 500) break;
      }
      // The log is a mailbox, not an archive: keep an hour of it.
      if (++this.polls % 3000 === 0) await this.store.prune(Date.now() - 3_600_000);
    } catch (error) {
      this.log?.error({ err: error }, 'reading the shared event log failed');
    } finally {
      this.polling = false;
    }
  }
}
