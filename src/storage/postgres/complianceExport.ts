import type pg from 'pg';
import type { ComplianceExportStore } from '../../ports/complianceExport.js';
import { type ComplianceExportRow, complianceExportStateOf, complianceEventOf, type ComplianceRow } from '../rows.js';
import { first, transaction } from './database.js';

/**
 * The key of the advisory lock that orders compliance ids (migration 0012): every INSERT into
 * compliance holds it shared until commit; settled() takes it exclusively for one statement.
 */
export const COMPLIANCE_ORDER_LOCK = 0x70636f6d; // 'pcom'

/**
 * How long settled() waits for the inserts under way. While it waits, new inserts queue behind
 * it (PostgreSQL grants locks in order), so the wait is kept short; on timeout the export
 * tries again at its next turn.
 */
const SETTLE_TIMEOUT = '2s';

/** Now, in ms since 1970, by the database's clock: every node of a pool compares leases against the same clock. */
const NOW = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;




/** The compliance export on PostgreSQL: same semantics as SQLite's, for a pool of nodes. */
export function postgresComplianceExport(pool: pg.Pool): ComplianceExportStore {
  return {
    settled: () =>
      transaction(pool, async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '${SETTLE_TIMEOUT}'`);
        await tx.query('SELECT pg_advisory_xact_lock($1)', [COMPLIANCE_ORDER_LOCK]);
        // A new statement, so a new snapshot: every insert that held the lock has committed.
        return first(await tx.query<{ id: number }>('SELECT coalesce(max(id), 0)::bigint AS id FROM compliance'))?.id ?? 0;
      }),
    span: async ({ afterId, upToId, limit }) => {
      const { rows } = await pool.query<{ room_id: number; first_id: number; last_id: number; n: number }>(
        `WITH batch AS (SELECT id, room_id FROM compliance WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3)
         SELECT room_id, min(id) AS first_id, max(id) AS last_id, count(*) AS n FROM batch GROUP BY room_id ORDER BY first_id`,
        [afterId, upToId, limit],
      );
      if (rows.length === 0) return null;
      return {
        firstId: Math.min(...rows.map((r) => r.first_id)),
        lastId: Math.max(...rows.map((r) => r.last_id)),
        count: rows.reduce((sum, r) => sum + r.n, 0),
        roomIds: rows.map((r) => r.room_id),
      };
    },
    records: async ({ afterId, upToId, roomId, limit }) => {
      const { rows } =
        roomId === undefined
          ? await pool.query<ComplianceRow>('SELECT id, type, room_id, user_id, at, data FROM compliance WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3', [afterId, upToId, limit])
          : await pool.query<ComplianceRow>(
              'SELECT id, type, room_id, user_id, at, data FROM compliance WHERE room_id = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT $4',
              [roomId, afterId, upToId, limit],
            );
      return rows.map(complianceEventOf);
    },
    state: async (name) => {
      const row = first(await pool.query<ComplianceExportRow>('SELECT * FROM compliance_export WHERE name = $1', [name]));
      return row ? complianceExportStateOf(row) : null;
    },
    lease: async (name, owner, ttlMs) => {
      await pool.query('INSERT INTO compliance_export (name, updated_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
      const row = first(
        await pool.query<ComplianceExportRow>(
          `UPDATE compliance_export SET owner = $2, lease_until = ${NOW} + $3, updated_at = ${NOW}
           WHERE name = $1 AND (owner IS NULL OR owner = $2 OR lease_until < ${NOW}) RETURNING *`,
          [name, owner, ttlMs],
        ),
      );
      return row ? complianceExportStateOf(row) : null;
    },
    renew: async (name, owner, ttlMs) =>
      (
        await pool.query(
          `UPDATE compliance_export SET lease_until = ${NOW} + $3, updated_at = ${NOW} WHERE name = $1 AND owner = $2`,
          [name, owner, ttlMs],
        )
      ).rowCount === 1,
    claim: async (name, owner, cursor, batch, ttlMs) =>
      (
        await pool.query(
          `UPDATE compliance_export
           SET pending_first = $4, pending_last = $5, pending_count = $6, pending_format = $7, lease_until = ${NOW} + $8, updated_at = ${NOW}
           WHERE name = $1 AND owner = $2 AND cursor = $3 AND pending_first IS NULL`,
          [name, owner, cursor, batch.firstId, batch.lastId, batch.count, batch.format, ttlMs],
        )
      ).rowCount === 1,
    advance: async (name, cursor, batch) =>
      (
        await pool.query(
          `UPDATE compliance_export
           SET cursor = pending_last, pending_first = NULL, pending_last = NULL, pending_count = NULL, pending_format = NULL, updated_at = ${NOW}
           WHERE name = $1 AND cursor = $2 AND pending_first = $3 AND pending_last = $4`,
          [name, cursor, batch.firstId, batch.lastId],
        )
      ).rowCount === 1,
    release: async (name, owner, caughtUp) => {
      await pool.query(
        `UPDATE compliance_export SET owner = NULL, lease_until = 0, last_run_at = CASE WHEN $3 THEN ${NOW} ELSE last_run_at END, updated_at = ${NOW}
         WHERE name = $1 AND owner = $2`,
        [name, owner, caughtUp],
      );
    },
  };
}
