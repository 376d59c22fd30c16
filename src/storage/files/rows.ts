import type { FileInfo, Message } from '../../core/model.js';
import type { NewFile } from '../../ports/store.js';
import { type OriginColumns, originOf } from '../rows.js';

/** A `files` row as both stores read it (migration 0011), and its mapping to FileInfo. */
export interface FileRow extends OriginColumns {
  id: number;
  room_id: number;
  message_id: number;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  uploader_id: number;
  created_at: number;
}
export const FILE_COLUMNS = 'id, room_id, message_id, name, content_type, size, sha256, uploader_id, created_at, origin_system, origin_id';
export const toFile = (row: FileRow): FileInfo => ({
  id: row.id,
  roomId: row.room_id,
  messageId: row.message_id,
  name: row.name,
  contentType: row.content_type,
  size: row.size,
  sha256: row.sha256,
  uploaderId: row.uploader_id,
  createdAt: row.created_at,
  origin: originOf(row),
});

/** The FileInfo of a file row just written with its message. */
export const newFileInfo = (id: number, message: { roomId: number; id: number; authorId: number; createdAt: number }, file: NewFile): FileInfo => ({
  id,
  roomId: message.roomId,
  messageId: message.id,
  name: file.name,
  contentType: file.contentType,
  size: file.size,
  sha256: file.sha256,
  uploaderId: message.authorId,
  createdAt: message.createdAt,
  origin: file.origin ?? null,
});

/**
 * The messages with their files attached. A message without a file has no `file` property at
 * all (on every read path and in append's result alike), so nothing changes for it.
 */
export function withFiles(messages: Message[], files: readonly FileInfo[]): Message[] {
  if (files.length === 0) return messages;
  const byMessage = new Map(files.map((f) => [f.messageId, f]));
  return messages.map((m) => {
    const file = byMessage.get(m.id);
    return file ? { ...m, file } : m;
  });
}

/** What the CHAT compliance record says of a file post (next to the message's own fields). */
export const complianceFile = (file: FileInfo) => ({ id: file.id, name: file.name, contentType: file.contentType, size: file.size, sha256: file.sha256 });
