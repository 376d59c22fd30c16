import type { FileInfo, Message } from '../../core/model.js';
import type { FileStore, NewFile } from '../../ports/store.js';
import { FILE_COLUMNS, type FileRow, newFileInfo, toFile, withFiles } from '../files/rows.js';
import { type MessageRow, originColumns, toMessage } from '../rows.js';
import { PARENT_COLUMNS, type ParentRow, parentIdsOf, withParents } from '../replies.js';
import type { Db } from './database.js';
import { sqliteMessageReactions } from './reactions.js';

export function sqliteFiles(db: Db): FileStore {
  const byId = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ?`);
  const unreferenced = db.prepare('SELECT value FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM files WHERE sha256 = value)').pluck();
  return {
    get: async (id) => {
      const row = byId.get(id) as FileRow | undefined;
      return row ? toFile(row) : null;
    },
    unreferenced: async (sha256s) => (sha256s.length === 0 ? [] : (unreferenced.all(JSON.stringify(sha256s)) as string[])),
  };
}

/** A message row with its `has_file` flag (migration 0011; 0 or 1). */
export type FlaggedRow = MessageRow & { has_file: number; /** Migration 0019 (reads that select it). */ has_reactions?: number };

/** The file rows of the message paths (messages.ts): written with their message, read with it. */
export function sqliteMessageFiles(db: Db) {
  const insert = db.prepare(
    `INSERT INTO files (room_id, message_id, name, content_type, size, sha256, uploader_id, created_at, origin_system, origin_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ofMessages = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE message_id IN (SELECT value FROM json_each(?))`);
  const ofMessage = db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE message_id = ?`);
  const removeOf = db.prepare('DELETE FROM files WHERE message_id = ?');
  const reactions = sqliteMessageReactions(db);
  const parentsOf = db.prepare(`SELECT ${PARENT_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))`);
  /** The messages with their files (those flagged) and their replies' parents: no lookup for a page with neither. */
  const attach = (messages: Message[], flagged: readonly number[], reacted: readonly number[] = []): Message[] => {
    messages = reactions.attach(messages, reacted); // those with has_reactions set (migration 0019)
    const parents = parentIdsOf(messages);
    if (parents.length > 0) messages = withParents(messages, parentsOf.all(JSON.stringify(parents)) as ParentRow[]);
    if (flagged.length === 0) return messages;
    const rows = (flagged.length === 1 ? [ofMessage.get(flagged[0])].filter((r) => r !== undefined) : ofMessages.all(JSON.stringify(flagged))) as FileRow[];
    return withFiles(messages, rows.map(toFile));
  };
  return {
    /** Writes the file row of a message just inserted with has_file set (in the caller's transaction). */
    insert(message: { roomId: number; id: number; authorId: number; createdAt: number }, file: NewFile): FileInfo {
      const info = insert.run(
        message.roomId,
        message.id,
        file.name,
        file.contentType,
        file.size,
        file.sha256,
        message.authorId,
        message.createdAt,
        ...originColumns(file.origin ?? null),
      );
      return newFileInfo(Number(info.lastInsertRowid), message, file);
    },
    /** Messages with the files of those whose ids are `flagged` (has_file set), and their parents: one lookup each, none without. */
    attach,
    /** Rows as messages, with their files and parents. */
    rows(rows: FlaggedRow[]): Message[] {
      const messages = rows.map(toMessage);
      const flagged = rows.filter((r) => r.has_file).map((r) => r.id);
      return attach(messages, flagged, rows.filter((r) => r.has_reactions).map((r) => r.id));
    },
    /** Deletes the file row of a message (moderation replaced its content; the caller clears has_file). */
    removeOf(messageId: number): void {
      removeOf.run(messageId);
    },
  };
}
