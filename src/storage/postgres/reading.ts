import type { NotifyLevel } from '../../core/mentions.js';
import type pg from 'pg';
import type { ReadingState, ReadingStore } from '../../ports/store.js';

export function postgresReading(pool: pg.Pool): ReadingStore {
  type Row = { room_id: number; followed: boolean; last_read: number; notify: NotifyLevel };
  return {
    list: async (userId): Promise<ReadingState[]> =>
      (await pool.query<Row>('SELECT room_id, followed, last_read, notify FROM reading WHERE user_id = $1 ORDER BY room_id', [userId])).rows.map((r) => ({
        roomId: r.room_id,
        followed: r.followed,
        lastRead: r.last_read,
        notify: r.notify,
      })),
    setFollowed: async (userId, roomId, followed) => {
      await pool.query(
        'INSERT INTO reading (user_id, room_id, followed) VALUES ($1, $2, $3) ON CONFLICT (user_id, room_id) DO UPDATE SET followed = excluded.followed',
        [userId, roomId, followed],
      );
    },
    markRead: async (userId, roomId, seq) => {
      await pool.query(
        `INSERT INTO reading (user_id, room_id, last_read) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, room_id) DO UPDATE SET last_read = greatest(reading.last_read, excluded.last_read)`,
        [userId, roomId, seq],
      );
    },
    setNotify: async (userId, roomId, level) => {
      await pool.query(
        'INSERT INTO reading (user_id, room_id, notify) VALUES ($1, $2, $3) ON CONFLICT (user_id, room_id) DO UPDATE SET notify = excluded.notify',
        [userId, roomId, level],
      );
    },
  };
}
