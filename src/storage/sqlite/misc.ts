import { randomUUID } from 'node:crypto';
import { type ChatConfig, type ComplianceEvent, DEFAULT_CHAT_CONFIG, type PolicyRule } from '../../core/model.js';
import type { Decommission, Maintenance } from '../../ports/pool.js';
import type { AddInStore, AuditStore, ComplianceStore, EventLogStore, PolicyStore, SettingsStore } from '../../ports/store.js';
import { type Db, rethrowUnique } from './database.js';
import { complianceEventOf, type ComplianceRow, flag } from '../rows.js';
import { Where } from './where.js';

export function sqliteAddIns(db: Db): AddInStore {
  const byId = db.prepare('SELECT id, name, url FROM addins WHERE id = ?');
  const byName = db.prepare('SELECT id, name, url FROM addins WHERE name = ?');
  const all = db.prepare('SELECT id, name, url FROM addins ORDER BY id');
  const insert = db.prepare('INSERT INTO addins (name, url) VALUES (?, ?)');
  const update = db.prepare('UPDATE addins SET name = ?, url = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM addins WHERE id = ?');
  type Row = { id: number; name: string; url: string };
  return {
    get: async (id) => (byId.get(id) as Row | undefined) ?? null,
    getByName: async (name) => (byName.get(name) as Row | undefined) ?? null,
    list: async () => all.all() as Row[],
    create: async (addin) => {
      try {
        return { ...addin, id: Number(insert.run(addin.name, addin.url).lastInsertRowid) };
      } catch (error) {
        rethrowUnique(error, 'add-in');
      }
    },
    update: async (addin) => {
      try {
        update.run(addin.name, addin.url, addin.id);
      } catch (error) {
        rethrowUnique(error, 'add-in');
      }
    },
    remove: async (id) => {
      remove.run(id); // rooms.addin_id is ON DELETE SET NULL
    },
  };
}

/** The chat policy's rules (`policies`), or the direct-message policy's (`direct_policies`, migration 0015): same shape, same semantics. */
export function sqlitePolicies(db: Db, table: 'policies' | 'direct_policies' = 'policies'): PolicyStore {
  const all = db.prepare(`SELECT scope, target_id, enabled FROM ${table} ORDER BY scope, target_id`);
  const upsert = db.prepare(
    `INSERT INTO ${table} (scope, target_id, enabled) VALUES (?, ?, ?) ON CONFLICT (scope, target_id) DO UPDATE SET enabled = excluded.enabled`,
  );
  const remove = db.prepare(`DELETE FROM ${table} WHERE scope = ? AND target_id = ?`);
  return {
    list: async () =>
      (all.all() as { scope: PolicyRule['scope']; target_id: number; enabled: number }[]).map((r) => ({
        scope: r.scope,
        targetId: r.scope === 'global' ? null : r.target_id,
        enabled: flag(r.enabled),
      })),
    set: async (rule) => {
      upsert.run(rule.scope, rule.targetId ?? 0, rule.enabled ? 1 : 0);
    },
    remove: async (scope, targetId) => remove.run(scope, targetId ?? 0).changes > 0,
  };
}

export function sqliteSettings(db: Db): SettingsStore {
  const get = db.prepare("SELECT value FROM settings WHERE key = 'chat'");
  const set = db.prepare("INSERT INTO settings (key, value) VALUES ('chat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const getMaintenance = db.prepare("SELECT value FROM settings WHERE key = 'maintenance'");
  const setMaintenance = db.prepare("INSERT INTO settings (key, value) VALUES ('maintenance', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const clearMaintenance = db.prepare("DELETE FROM settings WHERE key = 'maintenance'");
  const getDecommission = db.prepare("SELECT value FROM settings WHERE key = 'decommissioned'").pluck();
  const setDecommission = db.prepare("INSERT INTO settings (key, value) VALUES ('decommissioned', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const clearDecommission = db.prepare("DELETE FROM settings WHERE key = 'decommissioned'");
  const makeInstance = db.prepare("INSERT INTO settings (key, value) VALUES ('instance', ?) ON CONFLICT (key) DO NOTHING");
  const getInstance = db.prepare("SELECT value FROM settings WHERE key = 'instance'").pluck();
  const getMark = db.prepare("SELECT value FROM settings WHERE key = 'identity_mark'").pluck();
  const setMark = db.prepare("INSERT INTO settings (key, value) VALUES ('identity_mark', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  return {
    identityMark: async () => (getMark.get() as string | undefined) ?? null,
    setIdentityMark: async (mark) => {
      setMark.run(mark);
    },
    instanceId: async () => {
      makeInstance.run(randomUUID());
      return getInstance.get() as string;
    },
    chatConfig: async () => {
      const row = get.get() as { value: string } | undefined;
      return { ...DEFAULT_CHAT_CONFIG, ...(row ? (JSON.parse(row.value) as Partial<ChatConfig>) : {}) };
    },
    setChatConfig: async (config) => {
      set.run(JSON.stringify(config));
    },
    maintenance: async () => {
      const row = getMaintenance.get() as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as Maintenance) : null;
    },
    setMaintenance: async (state) => {
      if (state) setMaintenance.run(JSON.stringify(state));
      else clearMaintenance.run();
    },
    decommissioned: async () => {
      const value = getDecommission.get() as string | undefined;
      return value === undefined ? null : (JSON.parse(value) as Decommission);
    },
    setDecommissioned: async (state) => {
      if (state) setDecommission.run(JSON.stringify(state));
      else clearDecommission.run();
    },
  };
}

export function sqliteCompliance(db: Db): ComplianceStore {
  const insert = db.prepare('INSERT INTO compliance (type, room_id, user_id, at, data) VALUES (?, ?, ?, ?, ?)');
  const appendAll = db.transaction((events: readonly Omit<ComplianceEvent, 'id'>[]) => {
    for (const e of events) insert.run(e.type, e.roomId, e.userId, e.at, e.data ? JSON.stringify(e.data) : null);
  });
  return {
    append: async (events) => appendAll(events),
    list: async ({ afterId, type, roomId, limit }) => {
      const where = new Where().add('id > ?', afterId ?? 0).optional('type = ?', type).optional('room_id = ?', roomId);
      const rows = db.prepare(`SELECT * FROM compliance WHERE ${where} ORDER BY id LIMIT ?`).all(...where.params, limit) as ComplianceRow[];
      return rows.map(complianceEventOf);
    },
  };
}

export function sqliteEventLog(db: Db): EventLogStore {
  const insert = db.prepare('INSERT INTO events (node, at, payload) VALUES (?, ?, ?)');
  const after = db.prepare('SELECT id, node, payload FROM events WHERE id > ? ORDER BY id LIMIT ?');
  const last = db.prepare('SELECT coalesce(max(id), 0) AS id FROM events');
  const prune = db.prepare('DELETE FROM events WHERE at < ?');
  const appendAll = db.transaction((node: string, payloads: readonly string[]) => {
    const at = Date.now();
    for (const p of payloads) insert.run(node, at, p);
  });
  return {
    append: async (node, payloads) => appendAll(node, payloads),
    after: async (id, limit) => after.all(id, limit) as { id: number; node: string; payload: string }[],
    lastId: async () => (last.get() as { id: number }).id,
    prune: async (olderThan) => {
      prune.run(olderThan);
    },
  };
}

export function sqliteAudit(db: Db): AuditStore {
  const insert = db.prepare('INSERT INTO audit (at, actor_id, is_admin, action, target, input, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)');
  type Row = { id: number; at: number; actor_id: number; is_admin: number; action: string; target: string | null; input: string | null; outcome: string };
  return {
    append: async (e) => {
      insert.run(e.at, e.actorId, e.isAdmin ? 1 : 0, e.action, e.target, e.input === undefined ? null : JSON.stringify(e.input), e.outcome);
    },
    list: async ({ afterId, actorId, limit }) => {
      const where = new Where().add('id > ?', afterId ?? 0).optional('actor_id = ?', actorId);
      const rows = db.prepare(`SELECT * FROM audit WHERE ${where} ORDER BY id LIMIT ?`).all(...where.params, limit) as Row[];
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        isAdmin: flag(r.is_admin),
        action: r.action,
        target: r.target,
        input: r.input === null ? null : (JSON.parse(r.input) as unknown),
        outcome: r.outcome,
      }));
    },
  };
}
