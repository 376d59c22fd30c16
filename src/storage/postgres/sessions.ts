import type pg from 'pg';
import type { NewSession, SessionStore, StoredSession } from '../../ports/store.js';
import { SESSION_COLUMNS, type SessionRow, sessionOf } from '../rows.js';
import { first } from './database.js';

export function postgresSessions(pool: pg.Pool): SessionStore {
  const createMany = async (sessions: readonly NewSession[], idleBefore: number): Promise<StoredSession[]> => {
    if (sessions.length === 0) return [];
    // Expired and idle sessions go as new ones come (sessions_expiry and sessions_last_use keep this an index scan).
    await pool.query('DELETE FROM sessions WHERE expires_at < $1 OR last_used_at < $2', [sessions[0]!.createdAt, idleBefore]);
    // One statement for the batch; unnest keeps the rows in the order given (WITH ORDINALITY).
    const { rows } = await pool.query<SessionRow & { n: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
           WITH ORDINALITY AS t(token_hash, user_id, kind, created_at, expires_at, user_agent, address, n)
       ), inserted AS (
         INSERT INTO sessions (token_hash, user_id, kind, created_at, last_used_at, expires_at, user_agent, address)
         SELECT token_hash, user_id, kind, created_at, created_at, expires_at, user_agent, address FROM input ORDER BY n
         RETURNING ${SESSION_COLUMNS}, token_hash
       )
       SELECT ${SESSION_COLUMNS.replace(/(\w+)/g, 'inserted.$1')}, input.n FROM inserted JOIN input USING (token_hash) ORDER BY input.n`,
      [
        sessions.map((s) => s.tokenHash),
        sessions.map((s) => s.userId),
        sessions.map((s) => s.kind),
        sessions.map((s) => s.createdAt),
        sessions.map((s) => s.expiresAt),
        sessions.map((s) => s.userAgent),
        sessions.map((s) => s.address),
      ],
    );
    return rows.map(sessionOf);
  };
  return {
    create: async (s: NewSession, idleBefore) => (await createMany([s], idleBefore))[0]!,
    createMany,
    get: async (tokenHash) => {
      const row = first(
        await pool.query<SessionRow & { must_change_password: boolean }>(
          `SELECT ${SESSION_COLUMNS.replace(/(\w+)/g, 's.$1')}, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
          [tokenHash],
        ),
      );
      return row ? { ...sessionOf(row), mustChangePassword: row.must_change_password } : null;
    },
    listForUser: async (userId) => (await pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY id`, [userId])).rows.map(sessionOf),
    touch: async (ids, at) => {
      if (ids.length > 0) await pool.query('UPDATE sessions SET last_used_at = $1 WHERE id = ANY($2::bigint[]) AND last_used_at < $1', [at, [...ids]]);
    },
    remove: async (tokenHash) => {
      const row = first(await pool.query<SessionRow>(`DELETE FROM sessions WHERE token_hash = $1 RETURNING ${SESSION_COLUMNS}`, [tokenHash]));
      return row ? sessionOf(row) : null;
    },
    removeByIds: async (userId, ids) =>
      (await pool.query<{ id: number }>('DELETE FROM sessions WHERE user_id = $1 AND id = ANY($2::bigint[]) RETURNING id', [userId, [...ids]])).rows.map((r) => r.id),
    removeMany: async (ids) => {
      if (ids.length > 0) await pool.query('DELETE FROM sessions WHERE id = ANY($1::bigint[])', [[...ids]]);
    },
    removeForUser: async (userId, keepId) =>
      (await pool.query<{ id: number }>('DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id', [userId, keepId ?? 0])).rows.map((r) => r.id),
  };
}
