import type { Message, MessageKind } from '../../core/model.js';
import { type OriginColumns, originOf } from './origin.js';

export interface MessageRow extends OriginColumns {
  id: number;
  room_id: number;
  seq: number;
  author_id: number;
  kind: MessageKind;
  title: string | null;
  text: string;
  created_at: number;
  client_id: string | null;
}

export const COLUMNS = 'id, room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id';

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  roomId: row.room_id,
  seq: row.seq,
  authorId: row.author_id,
  kind: row.kind,
  title: row.title,
  text: row.text,
  createdAt: row.created_at,
  clientId: row.client_id,
  origin: originOf(row),
});
