import type pg from 'pg';
import { deleteRecord, editRecord } from '../../core/ownMessages.js';
import type { MessageStore } from '../../ports/store.js';
import { first, type Queryable, transaction } from './database.js';
import { type FlaggedRow, READ_COLUMNS, withTheirFiles } from './files.js';
import { replaceMentionRows } from './mentions.js';

/**
 * Authors' edits and deletions of their own messages (MessageStore.editOwn and removeOwn), as
 * SQLite's: the change and its compliance record in one transaction. The row is read FOR UPDATE,
 * so of two edits at once each records the text it replaced. The search vector is a generated
 * column: it follows the text by itself.
 */
export function postgresOwnMessages(pool: pg.Pool): Pick<MessageStore, 'editOwn' | 'removeOwn'> {
  const read = async (tx: Queryable, id: number, authorId: number) => {
    const row = first(await tx.query<FlaggedRow>(`SELECT ${READ_COLUMNS} FROM messages WHERE id = $1 AND author_id = $2 FOR UPDATE`, [id, authorId]));
    return row ? ((await withTheirFiles(tx, [row]))[0] ?? null) : null;
  };
  const record = (tx: Queryable, type: 'EDIT' | 'DELETE', roomId: number, userId: number, at: number, data: Record<string, unknown>) =>
    tx.query('INSERT INTO compliance (type, room_id, user_id, at, data) VALUES ($1, $2, $3, $4, $5::json)', [type, roomId, userId, at, JSON.stringify(data)]);

  return {
    editOwn: ({ id, authorId, text, at, mentions }) =>
      transaction(pool, async (tx) => {
        const before = await read(tx, id, authorId);
        if (!before) return null;
        await tx.query('UPDATE messages SET text = $1, edited_at = $2 WHERE id = $3', [text, at, id]);
        // The new text decides whom the message mentions (migration 0020).
        await replaceMentionRows(tx, before, mentions ?? []);
        await record(tx, 'EDIT', before.roomId, authorId, at, editRecord(before, text));
        return { before, after: { ...before, text, editedAt: at } };
      }),
    removeOwn: ({ id, authorId, at, reason }) =>
      transaction(pool, async (tx) => {
        const removed = await read(tx, id, authorId);
        if (!removed) return null;
        await tx.query('DELETE FROM messages WHERE id = $1', [id]);
        await record(tx, 'DELETE', removed.roomId, authorId, at, deleteRecord(removed, reason));
        return removed;
      }),
  };
}
