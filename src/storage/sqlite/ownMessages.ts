import type { Message } from '../../core/model.js';
import { deleteRecord, editRecord } from '../../core/ownMessages.js';
import type { MessageStore } from '../../ports/store.js';
import { MESSAGE_COLUMNS } from '../rows.js';
import type { Db } from './database.js';
import { sqliteMentionRows } from './mentions.js';
import type { FlaggedRow, sqliteMessageFiles } from './files.js';

/**
 * Authors' edits and deletions of their own messages (MessageStore.editOwn and removeOwn): the
 * change and its compliance record in one IMMEDIATE transaction. The full-text index follows
 * through the update and delete triggers (migrations 0001 and 0007).
 */
export function sqliteOwnMessages(db: Db, files: ReturnType<typeof sqliteMessageFiles>): Pick<MessageStore, 'editOwn' | 'removeOwn'> {
  const byAuthor = db.prepare(`SELECT ${MESSAGE_COLUMNS}, has_file, has_reactions FROM messages WHERE id = ? AND author_id = ?`);
  const setText = db.prepare('UPDATE messages SET text = ?, edited_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM messages WHERE id = ?');
  const record = db.prepare('INSERT INTO compliance (type, room_id, user_id, at, data) VALUES (?, ?, ?, ?, ?)');
  const read = (id: number, authorId: number): Message | null => {
    const row = byAuthor.get(id, authorId) as FlaggedRow | undefined;
    return row ? files.rows([row])[0]! : null;
  };

  const mentionRows = sqliteMentionRows(db);
  const edit = db.transaction((id: number, authorId: number, text: string, at: number, mentions: readonly number[]) => {
    const before = read(id, authorId);
    if (!before) return null;
    setText.run(text, at, id);
    // The new text decides whom the message mentions (migration 0020).
    mentionRows.replace(before, mentions);
    record.run('EDIT', before.roomId, authorId, at, JSON.stringify(editRecord(before, text)));
    return { before, after: { ...before, text, editedAt: at } };
  });
  const removeOne = db.transaction((id: number, authorId: number, at: number, reason: string | null) => {
    const removed = read(id, authorId);
    if (!removed) return null;
    remove.run(id);
    record.run('DELETE', removed.roomId, authorId, at, JSON.stringify(deleteRecord(removed, reason)));
    return removed;
  });

  return {
    editOwn: async ({ id, authorId, text, at, mentions }) => edit.immediate(id, authorId, text, at, mentions ?? []),
    removeOwn: async ({ id, authorId, at, reason }) => removeOne.immediate(id, authorId, at, reason),
  };
}
