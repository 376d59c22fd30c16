import type pg from 'pg';
import { complianceEventOf, type ComplianceRow } from '../rows.js';
import type { AuditStore, ComplianceStore, EventLogStore } from '../../ports/store.js';
import { first, transaction } from './database.js';
import { Where } from './where.js';

// The three append-only logs. compliance and audit also refuse UPDATE, DELETE and TRUNCATE in
// the schema itself (triggers), whoever connects.

export function postgresCompliance(pool: pg.Pool): ComplianceStore {
  return {
    append: async (events) => {
      if (events.length === 0) return;
      await pool.query(
        `INSERT INTO compliance (type, room_id, user_id, at, data)
         SELECT type, room_id, user_id, at, data::json
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) WITH ORDINALITY AS e(type, room_id, user_id, at, data, ord)
         ORDER BY ord`,
        [
          events.map((e) => e.type),
          events.map((e) => e.roomId),
          events.map((e) => e.userId),
          events.map((e) => e.at),
          events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
        ],
      );
    },
    list: async ({ afterId, type, roomId, limit }) => {
      const where = new Where().add('id > ?', afterId ?? 0).optional('type = ?', type).optional('room_id = ?', roomId);
      const { rows } = await pool.query<ComplianceRow>(
        `SELECT id, type, room_id, user_id, at, data FROM compliance WHERE ${where} ORDER BY id LIMIT ${where.next(limit)}`,
        where.params,
      );
      return rows.map(complianceEventOf);
    },
  };
}

/** Any fixed number, the same in every pchat process: the key of the event log's append lock. */
const EVENTS_LOCK = 0x70657674; // 'pevt'

/**
 * The shared event log. Ids come from a sequence, and PostgreSQL hands out sequence values
 * before commit: with two writers unsynchronised, id 8 can become visible before id 7, and a
 * reader that has seen "everything up to 8" would never see 7. So appends take a
 * transaction-scoped advisory lock before drawing ids: the next writer draws its ids only
 * after the previous one committed (locks are released after the commit is visible), and ids
 * become visible in order. Events are rare administrative changes, so this costs nothing that
 * matters; messages never go through here.
 */
export function postgresEventLog(pool: pg.Pool): EventLogStore {
  return {
    append: async (node, payloads) => {
      if (payloads.length === 0) return;
      await transaction(pool, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
        await tx.query(
          `INSERT INTO events (node, at, payload)
           SELECT $1, $2, payload FROM unnest($3::text[]) WITH ORDINALITY AS p(payload, ord) ORDER BY ord`,
          [node, Date.now(), payloads],
        );
      });
    },
    after: async (id, limit) =>
      (await pool.query<{ id: number; node: string; payload: string }>('SELECT id, node, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2', [id, limit]))
        .rows,
    lastId: async () => first(await pool.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM events'))?.id ?? 0,
    prune: async (olderThan) => {
      await pool.query('DELETE FROM events WHERE at < $1', [olderThan]);
    },
  };
}

export function postgresAudit(pool: pg.Pool): AuditStore {
  type Row = { id: number; at: number; actor_id: number; is_admin: boolean; action: string; target: string | null; input: unknown; outcome: string };
  return {
    append: async (e) => {
      await pool.query('INSERT INTO audit (at, actor_id, is_admin, action, target, input, outcome) VALUES ($1, $2, $3, $4, $5, $6::json, $7)', [
        e.at,
        e.actorId,
        e.isAdmin,
        e.action,
        e.target,
        e.input === undefined ? null : JSON.stringify(e.input),
        e.outcome,
      ]);
    },
    list: async ({ afterId, actorId, limit }) => {
      const where = new Where().add('id > ?', afterId ?? 0).optional('actor_id = ?', actorId);
      const { rows } = await pool.query<Row>(
        `SELECT id, at, actor_id, is_admin, action, target, input, outcome FROM audit WHERE ${where} ORDER BY id LIMIT ${where.next(limit)}`,
        where.params,
      );
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        isAdmin: r.is_admin,
        action: r.action,
        target: r.target,
        input: r.input ?? null,
        outcome: r.outcome,
      }));
    },
  };
}
