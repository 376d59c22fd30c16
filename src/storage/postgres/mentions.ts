import type pg from 'pg';
import type { Message } from '../../core/model.js';
import type { MentionStore } from '../../ports/mentions.js';
import { MESSAGE_COLUMNS } from '../rows.js';
import { type FlaggedRow, readMessages } from './files.js';

const M_COLUMNS = `${MESSAGE_COLUMNS}, has_file`
  .split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

type Message3 = { readonly id: number; readonly roomId: number; readonly seq: number };

/** Writes the mention rows of these messages in the caller's transaction, in one statement (append, editOwn). */
export async function insertMentionRows(tx: pg.PoolClient, rows: readonly { readonly message: Message3; readonly userIds: readonly number[] }[]): Promise<void> {
  const users: number[] = [];
  const messages: number[] = [];
  const rooms: number[] = [];
  const seqs: number[] = [];
  for (const { message, userIds } of rows) {
    for (const userId of userIds) {
      users.push(userId);
      messages.push(message.id);
      rooms.push(message.roomId);
      seqs.push(message.seq);
    }
  }
  if (users.length === 0) return;
  await tx.query(
    `INSERT INTO mentions (user_id, message_id, room_id, seq)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) ON CONFLICT DO NOTHING`,
    [users, messages, rooms, seqs],
  );
}

/** An edit re-derives a message's mentions: the old rows go, the new text's are written. */
export async function replaceMentionRows(tx: pg.PoolClient, message: Message3, userIds: readonly number[]): Promise<void> {
  await tx.query('DELETE FROM mentions WHERE message_id = $1', [message.id]);
  await insertMentionRows(tx, [{ message, userIds }]);
}

export function postgresMentions(pool: pg.Pool): MentionStore {
  return {
    list: async (userId, query): Promise<Message[]> =>
      readMessages(
        pool,
        query.beforeId === undefined
          ? pool.query<FlaggedRow>(`SELECT ${M_COLUMNS} FROM mentions n JOIN messages m ON m.id = n.message_id WHERE n.user_id = $1 ORDER BY n.message_id DESC LIMIT $2`, [
              userId,
              query.limit,
            ])
          : pool.query<FlaggedRow>(
              `SELECT ${M_COLUMNS} FROM mentions n JOIN messages m ON m.id = n.message_id
               WHERE n.user_id = $1 AND n.message_id < $2 ORDER BY n.message_id DESC LIMIT $3`,
              [userId, query.beforeId, query.limit],
            ),
      ),
    unreadCounts: async (userId) => {
      const { rows } = await pool.query<{ room_id: number; n: number }>(
        `SELECT n.room_id, count(*)::int AS n FROM mentions n LEFT JOIN reading r ON r.user_id = n.user_id AND r.room_id = n.room_id
         WHERE n.user_id = $1 AND n.seq > coalesce(r.last_read, 0) GROUP BY n.room_id`,
        [userId],
      );
      return new Map(rows.map((r) => [Number(r.room_id), r.n]));
    },
  };
}
