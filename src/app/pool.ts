import { z } from 'zod';
import { notFound } from '../core/errors.js';
import type { Actor } from '../core/permissions.js';
import type { Decommission, Maintenance, NodeRecord } from '../ports/pool.js';
import { type AppContext, requireAdmin } from './context.js';
import { parse } from './validate.js';

/** A node whose last heartbeat is older than this is reported down (it beats every 5 s). */
export const NODE_DOWN_AFTER_MS = 15_000;

export const DEFAULT_MAINTENANCE_MESSAGE = 'pchat is in read-only maintenance: you can read, but posting is paused. Try again later.';

export const maintenanceInput = z.strictObject({
  enabled: z.boolean(),
  message: z.string().trim().min(1).max(500).optional(),
});
export const decommissionInput = z.strictObject({
  newAddress: z.string().trim().min(1).max(500),
  message: z.string().trim().min(1).max(500).optional(),
});
/** What users of a decommissioned deployment are told when they try to connect. */
export const decommissionMessage = (newAddress: string): string => `This pchat deployment has been migrated and is closed. Connect to the new address: ${newAddress}`;
export const nodeActiveInput = z.strictObject({ name: z.string().min(1).max(300), active: z.boolean() });

export interface NodeStatus extends NodeRecord {
  readonly health: 'up' | 'down';
  readonly heartbeatAgeMs: number;
}

export interface PoolStatus {
  readonly nodes: NodeStatus[];
  readonly maintenance: Maintenance | null;
  readonly decommissioned: Decommission | null;
}

/** Operating the pool: the node list with health, draining nodes, read-only maintenance. */
export function poolUseCases(ctx: AppContext) {
  const changed = () => ctx.bus.publish({ type: 'pool.changed' });
  return {
    async status(actor: Actor): Promise<PoolStatus> {
      requireAdmin(actor);
      const now = ctx.clock.now();
      const [nodes, maintenance, decommissioned] = await Promise.all([ctx.store.nodes.list(), ctx.store.settings.maintenance(), ctx.store.settings.decommissioned()]);
      return {
        nodes: nodes.map((n) => {
          const heartbeatAgeMs = Math.max(0, now - n.heartbeatAt);
          return { ...n, heartbeatAgeMs, health: heartbeatAgeMs <= NODE_DOWN_AFTER_MS ? 'up' : 'down' };
        }),
        maintenance,
        decommissioned,
      };
    },
    /** Drains (active = false) or re-activates a node; it learns within a second. */
    async setActive(actor: Actor, input: unknown): Promise<{ name: string; active: boolean }> {
      requireAdmin(actor);
      const { name, active } = parse(nodeActiveInput, input);
      if (!(await ctx.store.nodes.setActive(name, active))) throw notFound('node');
      await changed();
      return { name, active };
    },
    /** Pool-wide read-only state: every node refuses posts within a second; reading goes on. */
    async setMaintenance(actor: Actor, input: unknown): Promise<Maintenance | null> {
      requireAdmin(actor);
      const { enabled, message } = parse(maintenanceInput, input);
      const state = enabled ? { message: message ?? DEFAULT_MAINTENANCE_MESSAGE, since: ctx.clock.now() } : null;
      await ctx.store.settings.setMaintenance(state);
      await changed();
      return state;
    },
    /**
     * Marks the deployment as migrated away (or, with null, reopens it): every server on this
     * database refuses new HTTP, WebSocket and IRC connections with a message pointing to
     * `newAddress`, within a second (the same path as draining a node).
     */
    async setDecommissioned(actor: Actor, input: unknown | null): Promise<Decommission | null> {
      requireAdmin(actor);
      let state: Decommission | null = null;
      if (input !== null) {
        const { newAddress, message } = parse(decommissionInput, input);
        state = { newAddress, message: message ?? decommissionMessage(newAddress), since: ctx.clock.now() };
      }
      await ctx.store.settings.setDecommissioned(state);
      await changed();
      return state;
    },
  };
}
