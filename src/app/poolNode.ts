import type { Clock, EventBus } from '../ports/events.js';
import type { NodeRecord } from '../ports/pool.js';
import type { NodeStore, SettingsStore } from '../ports/store.js';

export const DRAINING_MESSAGE = 'This pchat node is being drained for maintenance and takes no new connections; connect to another node.';

/**
 * This server as a member of the pool: registers in `nodes`, heartbeats with its connection
 * counts every few seconds, and knows whether it is active. An administrator's change reaches
 * it through the shared event log (pool.changed) at once, and the heartbeat at the latest.
 */
export class PoolNode {
  private active = true;
  /** The decommission message while the database is marked migrated away (see Decommission). */
  private closed: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly nodes: NodeStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    readonly identity: Pick<NodeRecord, 'name' | 'host' | 'pid'>,
    private readonly connections: () => NodeRecord['connections'],
    private readonly log?: { error(obj: unknown, msg: string): void },
    /** Where the decommission mark is read; without it the node is never decommissioned. */
    private readonly settings?: Pick<SettingsStore, 'decommissioned'>,
    /** Called once when the mark appears: the server then ends the connections it already has. */
    private readonly onDecommissioned?: (message: string) => void,
  ) {}

  async start(intervalMs = 5000): Promise<void> {
    const now = this.clock.now();
    const record = await this.nodes.register({ ...this.identity, startedAt: now, heartbeatAt: now, connections: this.connections() });
    this.active = record.active;
    await this.readDecommission();
    this.bus.subscribe((event) => {
      if (event.type === 'pool.changed') void this.beat();
    });
    this.timer = setInterval(() => void this.beat(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async readDecommission(): Promise<void> {
    if (!this.settings) return;
    const was = this.closed;
    this.closed = (await this.settings.decommissioned())?.message ?? null;
    if (this.closed !== null && was === null) this.onDecommissioned?.(this.closed);
  }

  /** Null when new connections are welcome, else why not. */
  admission(): string | null {
    return this.closed ?? (this.active ? null : DRAINING_MESSAGE);
  }

  /** Null unless the whole deployment was decommissioned: then even plain HTTP requests are refused. */
  decommissioned(): string | null {
    return this.closed;
  }

  isActive(): boolean {
    return this.active;
  }

  /** Records liveness and counts, and re-reads the active flag. */
  async beat(): Promise<void> {
    try {
      const active = await this.nodes.heartbeat(this.identity.name, this.clock.now(), this.connections());
      if (active === null) await this.start(); // the row was removed: register again
      else this.active = active;
      await this.readDecommission();
    } catch (error) {
      this.log?.error({ err: error }, 'pool heartbeat failed');
    }
  }
}
