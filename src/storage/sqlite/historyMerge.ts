import type { Db } from './database.js';

/**
 * How imported history takes its place in a room (MessageStore.importHistory), shared by the
 * batch-by-batch import (messages.ts) and the bulk import (bulkImport.ts). Call it after rows
 * `before + 1 … last` were appended to the room: when some of them are older than messages from
 * elsewhere, the room's tail from the first such message is renumbered above `last` in (time, seq)
 * order. Sets the room's last seq; answers whether anything moved.
 */
export function historyMerge(db: Db): (roomId: number, before: number, last: number, oldest: number, system: string) => boolean {
  // Only messages from elsewhere (native posts, other imports) force a renumbering: this
  // import's own earlier batches are already in the source's order.
  // `+seq` keeps SQLite off the (room_id, seq) index: with it, every batch scanned the room's
  // whole history (quadratic in the room's size); through (room_id, created_at) it reads only
  // the rows newer than the batch's oldest message, which for an in-order import is the batch.
  const cut = db.prepare('SELECT min(seq) FROM messages WHERE room_id = ? AND +seq <= ? AND created_at > ? AND origin_system IS NOT ?').pluck();
  const renumber = db.prepare(
    `WITH ordered AS (SELECT id, row_number() OVER (ORDER BY created_at, seq) AS rn FROM messages WHERE room_id = ? AND seq >= ?)
     UPDATE messages SET seq = ? + ordered.rn FROM ordered WHERE messages.id = ordered.id`,
  );
  // Mention rows repeat their message's seq (migration 0020): those of the moved messages (now above `last`) follow.
  const moveMentions = db.prepare(
    'UPDATE mentions SET seq = (SELECT seq FROM messages WHERE id = message_id) WHERE message_id IN (SELECT id FROM messages WHERE room_id = ? AND seq > ?)',
  );
  const setLastSeq = db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?');
  return (roomId, before, last, oldest, system) => {
    const from = before > 0 ? (cut.get(roomId, before, oldest, system) as number | null) : null;
    if (from !== null) {
      const moved = renumber.run(roomId, from, last).changes;
      moveMentions.run(roomId, last);
      last += moved;
    }
    setLastSeq.run(last, roomId);
    return from !== null;
  };
}
