import type { ComplianceExportStore } from '../../ports/complianceExport.js';
import { type ComplianceExportRow, complianceExportStateOf, complianceEventOf, type ComplianceRow } from '../rows.js';
import type { Db } from './database.js';




/**
 * The compliance export on SQLite. One writer at a time, and ids are max+1 under the write lock,
 * so ids become visible in order: the largest visible id is settled. Each method is one
 * statement (or one transaction), so each compare-and-set is atomic.
 */
export function sqliteComplianceExport(db: Db): ComplianceExportStore {
  const settled = db.prepare('SELECT coalesce(max(id), 0) AS id FROM compliance');
  const span = db.prepare(
    `WITH batch AS (SELECT id, room_id FROM compliance WHERE id > ? AND id <= ? ORDER BY id LIMIT ?)
     SELECT room_id, min(id) AS first_id, max(id) AS last_id, count(*) AS n FROM batch GROUP BY room_id ORDER BY first_id`,
  );
  const records = db.prepare('SELECT id, type, room_id, user_id, at, data FROM compliance WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  const roomRecords = db.prepare('SELECT id, type, room_id, user_id, at, data FROM compliance WHERE room_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?');
  const state = db.prepare('SELECT * FROM compliance_export WHERE name = ?');
  const create = db.prepare('INSERT INTO compliance_export (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const take = db.prepare(
    `UPDATE compliance_export SET owner = ?, lease_until = ?, updated_at = ?
     WHERE name = ? AND (owner IS NULL OR owner = ? OR lease_until < ?) RETURNING *`,
  );
  const renew = db.prepare('UPDATE compliance_export SET lease_until = ?, updated_at = ? WHERE name = ? AND owner = ?');
  const claim = db.prepare(
    `UPDATE compliance_export SET pending_first = ?, pending_last = ?, pending_count = ?, pending_format = ?, lease_until = ?, updated_at = ?
     WHERE name = ? AND owner = ? AND cursor = ? AND pending_first IS NULL`,
  );
  const advance = db.prepare(
    `UPDATE compliance_export SET cursor = pending_last, pending_first = NULL, pending_last = NULL, pending_count = NULL, pending_format = NULL, updated_at = ?
     WHERE name = ? AND cursor = ? AND pending_first = ? AND pending_last = ?`,
  );
  const release = db.prepare(
    `UPDATE compliance_export SET owner = NULL, lease_until = 0, last_run_at = CASE WHEN ? THEN ? ELSE last_run_at END, updated_at = ?
     WHERE name = ? AND owner = ?`,
  );
  const lease = db.transaction((name: string, owner: string, ttlMs: number): ComplianceExportRow | undefined => {
    const now = Date.now();
    create.run(name, now);
    return take.get(owner, now + ttlMs, now, name, owner, now) as ComplianceExportRow | undefined;
  });

  return {
    settled: async () => (settled.get() as { id: number }).id,
    span: async ({ afterId, upToId, limit }) => {
      const rows = span.all(afterId, upToId, limit) as { room_id: number; first_id: number; last_id: number; n: number }[];
      if (rows.length === 0) return null;
      return {
        firstId: Math.min(...rows.map((r) => r.first_id)),
        lastId: Math.max(...rows.map((r) => r.last_id)),
        count: rows.reduce((sum, r) => sum + r.n, 0),
        roomIds: rows.map((r) => r.room_id),
      };
    },
    records: async ({ afterId, upToId, roomId, limit }) =>
      (roomId === undefined ? (records.all(afterId, upToId, limit) as ComplianceRow[]) : (roomRecords.all(roomId, afterId, upToId, limit) as ComplianceRow[])).map(complianceEventOf),
    state: async (name) => {
      const row = state.get(name) as ComplianceExportRow | undefined;
      return row ? complianceExportStateOf(row) : null;
    },
    lease: async (name, owner, ttlMs) => {
      const row = lease.immediate(name, owner, ttlMs);
      return row ? complianceExportStateOf(row) : null;
    },
    renew: async (name, owner, ttlMs) => {
      const now = Date.now();
      return renew.run(now + ttlMs, now, name, owner).changes === 1;
    },
    claim: async (name, owner, cursor, batch, ttlMs) => {
      const now = Date.now();
      return claim.run(batch.firstId, batch.lastId, batch.count, batch.format, now + ttlMs, now, name, owner, cursor).changes === 1;
    },
    advance: async (name, cursor, batch) => advance.run(Date.now(), name, cursor, batch.firstId, batch.lastId).changes === 1,
    release: async (name, owner, caughtUp) => {
      const now = Date.now();
      release.run(caughtUp ? 1 : 0, now, now, name, owner);
    },
  };
}
