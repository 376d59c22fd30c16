import type pg from 'pg';
import type { Reaction } from '../../core/model.js';
import { reactionRecord, type ReactionRow, summarizeReactions, tooManyReactions } from '../../core/reactions.js';
import type { ReactionChange, ReactionOutcome, ReactionStore } from '../../ports/reactions.js';
import { first, type Queryable, transaction } from './database.js';

interface Row {
  message_id: number;
  emoji: string;
  user_id: number;
  created_at: number;
}
const toRow = (r: Row): ReactionRow => ({ messageId: Number(r.message_id), emoji: r.emoji, userId: Number(r.user_id), createdAt: Number(r.created_at) });

/** The reactions of these messages, in one query (files.ts calls it for the rows flagged has_reactions). */
export async function reactionsOf(db: Queryable, ids: readonly number[]): Promise<Map<number, Reaction[]>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<Row>('SELECT message_id, emoji, user_id, created_at FROM message_reactions WHERE message_id = ANY($1::bigint[])', [ids]);
  return summarizeReactions(rows.map(toRow));
}

/**
 * See ReactionStore; SQLite's semantics. The message row is locked (FOR UPDATE) first, so two
 * adds of new emoji at once cannot both pass the cap, and the flag is never cleared under an add.
 */
export function postgresReactions(pool: pg.Pool): ReactionStore {
  const record = (tx: Queryable, type: 'REACT' | 'UNREACT', target: { roomId: number; seq: number }, c: ReactionChange) =>
    tx.query('INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ($1, $2, $3, $4, $5::json)', [
      type,
      target.roomId,
      c.userId,
      c.at,
      JSON.stringify(reactionRecord({ id: c.messageId, seq: target.seq }, c.emoji)),
    ]);
  const lockMessage = async (tx: Queryable, id: number) => {
    const row = first(await tx.query<{ room_id: number; seq: number }>('SELECT room_id, seq FROM messages WHERE id = $1 FOR UPDATE', [id]));
    return row ? { roomId: Number(row.room_id), seq: Number(row.seq) } : null;
  };
  const outcome = async (tx: Queryable, changed: boolean, target: { roomId: number; seq: number }, id: number): Promise<ReactionOutcome> => ({
    changed,
    ...target,
    reactions: (await reactionsOf(tx, [id])).get(id) ?? [],
  });

  return {
    add: (c, maxEmoji) =>
      transaction(pool, async (tx) => {
        const target = await lockMessage(tx, c.messageId);
        if (!target) return null;
        const { rows } = await tx.query<{ known: boolean; distinct: number }>(
          'SELECT bool_or(emoji = $2) AS known, count(DISTINCT emoji)::int AS distinct FROM message_reactions WHERE message_id = $1',
          [c.messageId, c.emoji],
        );
        const counts = rows[0];
        if (counts && counts.known !== true && counts.distinct >= maxEmoji) throw tooManyReactions();
        const inserted = await tx.query(
          'INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [c.messageId, c.emoji, c.userId, c.at],
        );
        const changed = (inserted.rowCount ?? 0) > 0;
        if (changed) {
          await tx.query('UPDATE messages SET has_reactions = true WHERE id = $1 AND NOT has_reactions', [c.messageId]);
          await record(tx, 'REACT', target, c);
        }
        return outcome(tx, changed, target, c.messageId);
      }),
    remove: (c) =>
      transaction(pool, async (tx) => {
        const target = await lockMessage(tx, c.messageId);
        if (!target) return null;
        const removed = await tx.query('DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3', [c.messageId, c.emoji, c.userId]);
        const changed = (removed.rowCount ?? 0) > 0;
        if (changed) {
          await tx.query('UPDATE messages SET has_reactions = EXISTS (SELECT 1 FROM message_reactions WHERE message_id = $1) WHERE id = $1', [c.messageId]);
          await record(tx, 'UNREACT', target, c);
        }
        return outcome(tx, changed, target, c.messageId);
      }),
    summaries: (ids) => reactionsOf(pool, ids),
    importReactions: (rows) =>
      rows.length === 0
        ? Promise.resolve(0)
        : transaction(pool, async (tx) => {
            let inserted: { rows: { message_id: number }[] };
            try {
              inserted = await tx.query<{ message_id: number }>(
                `INSERT INTO message_reactions (message_id, emoji, user_id, created_at)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[])
                 ON CONFLICT DO NOTHING RETURNING message_id`,
                [rows.map((r) => r.messageId), rows.map((r) => r.emoji), rows.map((r) => r.userId), rows.map((r) => r.createdAt)],
              );
            } catch (error) {
              const detail = (error as { detail?: string }).detail ?? '';
              throw new Error(`cannot import reactions: a message or user they name does not exist (${detail})`, { cause: error });
            }
            const ids = [...new Set(inserted.rows.map((r) => Number(r.message_id)))];
            if (ids.length > 0) await tx.query('UPDATE messages SET has_reactions = true WHERE id = ANY($1::bigint[]) AND NOT has_reactions', [ids]);
            return inserted.rows.length;
          }),
  };
}
