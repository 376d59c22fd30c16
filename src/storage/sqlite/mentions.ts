import type { Message } from '../../core/model.js';
import type { MentionStore } from '../../ports/mentions.js';
import { MESSAGE_COLUMNS } from '../rows.js';
import type { Db } from './database.js';
import { type FlaggedRow, sqliteMessageFiles } from './files.js';

const M_COLUMNS = `${MESSAGE_COLUMNS}, has_file`
  .split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

/**
 * Writing mention rows, inside the caller's transaction (append, editOwn): a message without
 * mentions costs nothing here, the caller does not even call it.
 */
export function sqliteMentionRows(db: Db) {
  const insert = db.prepare('INSERT OR IGNORE INTO mentions (user_id, message_id, room_id, seq) VALUES (?, ?, ?, ?)');
  const removeOf = db.prepare('DELETE FROM mentions WHERE message_id = ?');
  return {
    write(message: { readonly id: number; readonly roomId: number; readonly seq: number }, userIds: readonly number[]): void {
      for (const userId of userIds) insert.run(userId, message.id, message.roomId, message.seq);
    },
    /** Moderation replaced the text: it mentions nobody. */
    removeOf(messageId: number): void {
      removeOf.run(messageId);
    },
    /** An edit re-derives them: the old rows go, the new text's are written. */
    replace(message: { readonly id: number; readonly roomId: number; readonly seq: number }, userIds: readonly number[]): void {
      removeOf.run(message.id);
      for (const userId of userIds) insert.run(userId, message.id, message.roomId, message.seq);
    },
  };
}

export function sqliteMentions(db: Db): MentionStore {
  const files = sqliteMessageFiles(db);
  const newest = db.prepare(
    `SELECT ${M_COLUMNS} FROM mentions n JOIN messages m ON m.id = n.message_id WHERE n.user_id = ? ORDER BY n.message_id DESC LIMIT ?`,
  );
  const before = db.prepare(
    `SELECT ${M_COLUMNS} FROM mentions n JOIN messages m ON m.id = n.message_id
     WHERE n.user_id = ? AND n.message_id < ? ORDER BY n.message_id DESC LIMIT ?`,
  );
  // Rooms with a reading row: a range of mentions_unread above last_read each; rooms without one: all their mentions.
  const unread = db.prepare(
    `SELECT n.room_id AS room_id, count(*) AS n FROM mentions n LEFT JOIN reading r ON r.user_id = n.user_id AND r.room_id = n.room_id
     WHERE n.user_id = ? AND n.seq > coalesce(r.last_read, 0) GROUP BY n.room_id`,
  );
  return {
    list: async (userId, query): Promise<Message[]> =>
      files.rows((query.beforeId === undefined ? newest.all(userId, query.limit) : before.all(userId, query.beforeId, query.limit)) as FlaggedRow[]),
    unreadCounts: async (userId) => new Map((unread.all(userId) as { room_id: number; n: number }[]).map((r) => [r.room_id, r.n])),
  };
}
