import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type ChatConfig, DEFAULT_CHAT_CONFIG, type PolicyRule } from '../../core/model.js';
import type { Decommission, Maintenance } from '../../ports/pool.js';
import type { AddInStore, PolicyStore, SettingsStore } from '../../ports/store.js';
import { first, folded, unique } from './database.js';

export function postgresAddIns(pool: pg.Pool): AddInStore {
  type Row = { id: number; name: string; url: string };
  const select = 'SELECT id, name, url FROM addins';
  return {
    get: async (id) => first(await pool.query<Row>(`${select} WHERE id = $1`, [id])),
    getByName: async (name) => first(await pool.query<Row>(`${select} WHERE ${folded('name')} = ${folded('$1::text')}`, [name])),
    list: async () => (await pool.query<Row>(`${select} ORDER BY id`)).rows,
    create: async (addin) => {
      const { rows } = await unique('add-in', 'name', () =>
        pool.query<{ id: number }>('INSERT INTO addins (name, url) VALUES ($1, $2) RETURNING id', [addin.name, addin.url]),
      );
      return { ...addin, id: rows[0]!.id };
    },
    update: async (addin) => {
      await unique('add-in', 'name', () => pool.query('UPDATE addins SET name = $1, url = $2 WHERE id = $3', [addin.name, addin.url, addin.id]));
    },
    remove: async (id) => {
      await pool.query('DELETE FROM addins WHERE id = $1', [id]); // rooms.addin_id is ON DELETE SET NULL
    },
  };
}

/** The chat policy's rules (`policies`), or the direct-message policy's (`direct_policies`, migration 0015): same shape, same semantics. */
export function postgresPolicies(pool: pg.Pool, table: 'policies' | 'direct_policies' = 'policies'): PolicyStore {
  type Row = { scope: PolicyRule['scope']; target_id: number; enabled: boolean };
  return {
    list: async () =>
      (await pool.query<Row>(`SELECT scope, target_id, enabled FROM ${table} ORDER BY scope, target_id`)).rows.map((r) => ({
        scope: r.scope,
        targetId: r.scope === 'global' ? null : r.target_id,
        enabled: r.enabled,
      })),
    set: async (rule) => {
      await pool.query(
        `INSERT INTO ${table} (scope, target_id, enabled) VALUES ($1, $2, $3) ON CONFLICT (scope, target_id) DO UPDATE SET enabled = excluded.enabled`,
        [rule.scope, rule.targetId ?? 0, rule.enabled],
      );
    },
    remove: async (scope, targetId) =>
      ((await pool.query(`DELETE FROM ${table} WHERE scope = $1 AND target_id = $2`, [scope, targetId ?? 0])).rowCount ?? 0) > 0,
  };
}

export function postgresSettings(pool: pg.Pool): SettingsStore {
  return {
    chatConfig: async () => {
      const row = first(await pool.query<{ value: string }>("SELECT value FROM settings WHERE key = 'chat'"));
      return { ...DEFAULT_CHAT_CONFIG, ...(row ? (JSON.parse(row.value) as Partial<ChatConfig>) : {}) };
    },
    setChatConfig: async (config) => {
      await pool.query("INSERT INTO settings (key, value) VALUES ('chat', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
        JSON.stringify(config),
      ]);
    },
    instanceId: async () => {
      await pool.query("INSERT INTO settings (key, value) VALUES ('instance', $1) ON CONFLICT (key) DO NOTHING", [randomUUID()]);
      return first(await pool.query<{ value: string }>("SELECT value FROM settings WHERE key = 'instance'"))!.value;
    },
    identityMark: async () => first(await pool.query<{ value: string }>("SELECT value FROM settings WHERE key = 'identity_mark'"))?.value ?? null,
    setIdentityMark: async (mark) => {
      await pool.query("INSERT INTO settings (key, value) VALUES ('identity_mark', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [mark]);
    },
    maintenance: async () => {
      const row = first(await pool.query<{ value: string }>("SELECT value FROM settings WHERE key = 'maintenance'"));
      return row ? (JSON.parse(row.value) as Maintenance) : null;
    },
    setMaintenance: async (state) => {
      if (!state) await pool.query("DELETE FROM settings WHERE key = 'maintenance'");
      else {
        await pool.query("INSERT INTO settings (key, value) VALUES ('maintenance', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
          JSON.stringify(state),
        ]);
      }
    },
    decommissioned: async () => {
      const row = first(await pool.query<{ value: string }>("SELECT value FROM settings WHERE key = 'decommissioned'"));
      return row ? (JSON.parse(row.value) as Decommission) : null;
    },
    setDecommissioned: async (state) => {
      if (!state) await pool.query("DELETE FROM settings WHERE key = 'decommissioned'");
      else {
        await pool.query("INSERT INTO settings (key, value) VALUES ('decommissioned', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
          JSON.stringify(state),
        ]);
      }
    },
  };
}
