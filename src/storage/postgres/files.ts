import type pg from 'pg';
import type { FileInfo, Message } from '../../core/model.js';
import type { FileStore, NewFile } from '../../ports/store.js';
import { FILE_COLUMNS, type FileRow, newFileInfo, toFile, withFiles } from '../files/rows.js';
import { MESSAGE_COLUMNS, type MessageRow, originColumns, toMessage } from '../rows.js';
import { first, type Queryable } from './database.js';
import { withReactions } from '../../core/reactions.js';
import { reactionsOf } from './reactions.js';
import { PARENT_COLUMNS, type ParentRow, parentIdsOf, withParents } from '../replies.js';

export function postgresFiles(pool: pg.Pool): FileStore {
  return {
    get: async (id) => {
      const row = first(await pool.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM files WHERE id = $1`, [id]));
      return row ? toFile(row) : null;
    },
    unreferenced: async (sha256s) =>
      sha256s.length === 0
        ? []
        : (
            await pool.query<{ sha256: string }>(
              'SELECT d.sha256 FROM unnest($1::text[]) AS d(sha256) WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = d.sha256)',
              [sha256s],
            )
          ).rows.map((r) => r.sha256),
  };
}

/** The columns a message read selects: the message's, and its has_file flag (migration 0011). */
export const READ_COLUMNS = `${MESSAGE_COLUMNS}, has_file, has_reactions`;
/** `has_reactions` (migration 0019) where the read selected it: only then are reactions looked up. */
export type FlaggedRow = MessageRow & { has_file: boolean; has_reactions?: boolean };

/**
 * Message rows as messages with their files (and replies' parents): only when some row is flagged has_file is there a
 * second query (a page without files costs nothing more than its flag column).
 */
export async function withTheirFiles(db: Queryable, rows: readonly FlaggedRow[]): Promise<Message[]> {
  let messages = rows.map(toMessage);
  // And the parents of its replies (storage/replies.ts), also only for a page that has some.
  const parents = parentIdsOf(messages);
  if (parents.length > 0) messages = withParents(messages, (await db.query<ParentRow>(`SELECT ${PARENT_COLUMNS} FROM messages WHERE id = ANY($1::bigint[])`, [parents])).rows);
  // And their reactions (migration 0019), only for a page with a message flagged has_reactions.
  const reacted = rows.filter((r) => r.has_reactions).map((r) => r.id);
  if (reacted.length > 0) messages = withReactions(messages, await reactionsOf(db, reacted));
  const flagged = rows.filter((r) => r.has_file).map((r) => r.id);
  if (flagged.length === 0) return messages;
  const { rows: files } = await db.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM files WHERE message_id = ANY($1::bigint[])`, [flagged]);
  return withFiles(messages, files.map(toFile));
}

/** A read of message rows (selecting READ_COLUMNS), as messages with their files. */
export const readMessages = async (db: Queryable, result: Promise<{ rows: FlaggedRow[] }>): Promise<Message[]> => withTheirFiles(db, (await result).rows);

/** Writes the file rows of messages just inserted, in one statement; returns them in input order. */
export async function insertFiles(
  tx: Queryable,
  rows: readonly { message: { roomId: number; id: number; authorId: number; createdAt: number }; file: NewFile }[],
): Promise<FileInfo[]> {
  if (rows.length === 0) return [];
  const column = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const { rows: inserted } = await tx.query<{ id: number; message_id: number }>(
    `INSERT INTO files (room_id, message_id, name, content_type, size, sha256, uploader_id, created_at, origin_system, origin_id)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
     RETURNING id, message_id`,
    [
      column((r) => r.message.roomId),
      column((r) => r.message.id),
      column((r) => r.file.name),
      column((r) => r.file.contentType),
      column((r) => r.file.size),
      column((r) => r.file.sha256),
      column((r) => r.message.authorId),
      column((r) => r.message.createdAt),
      column((r) => originColumns(r.file.origin ?? null)[0]),
      column((r) => originColumns(r.file.origin ?? null)[1]),
    ],
  );
  const ids = new Map(inserted.map((r) => [r.message_id, r.id]));
  return rows.map((r) => newFileInfo(ids.get(r.message.id)!, r.message, r.file));
}
