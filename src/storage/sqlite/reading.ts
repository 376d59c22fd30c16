import type { NotifyLevel } from '../../core/mentions.js';
import type { ReadingState, ReadingStore } from '../../ports/store.js';
import type { Db } from './database.js';

export function sqliteReading(db: Db): ReadingStore {
  const list = db.prepare('SELECT room_id, followed, last_read, notify FROM reading WHERE user_id = ? ORDER BY room_id');
  const follow = db.prepare(
    'INSERT INTO reading (user_id, room_id, followed) VALUES (?, ?, ?) ON CONFLICT (user_id, room_id) DO UPDATE SET followed = excluded.followed',
  );
  const read = db.prepare(
    `INSERT INTO reading (user_id, room_id, last_read) VALUES (?, ?, ?)
     ON CONFLICT (user_id, room_id) DO UPDATE SET last_read = max(last_read, excluded.last_read)`,
  );
  const notify = db.prepare('INSERT INTO reading (user_id, room_id, notify) VALUES (?, ?, ?) ON CONFLICT (user_id, room_id) DO UPDATE SET notify = excluded.notify');
  type Row = { room_id: number; followed: number; last_read: number; notify: NotifyLevel };
  return {
    list: async (userId): Promise<ReadingState[]> =>
      (list.all(userId) as Row[]).map((r) => ({ roomId: r.room_id, followed: r.followed === 1, lastRead: r.last_read, notify: r.notify })),
    setFollowed: async (userId, roomId, followed) => {
      follow.run(userId, roomId, followed ? 1 : 0);
    },
    markRead: async (userId, roomId, seq) => {
      read.run(userId, roomId, seq);
    },
    setNotify: async (userId, roomId, level) => {
      notify.run(userId, roomId, level);
    },
  };
}
