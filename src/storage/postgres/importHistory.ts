// PostgreSQL's MessageStore.importHistory (messages.ts holds the rest of the store): a batch of
// imported messages with their files, replies and reactions, and the renumbering of a merged tail.
import type pg from 'pg';
import type { ImportedMessage, ImportHistoryResult } from '../../ports/store.js';
import { originColumns } from '../rows.js';
import { first } from './database.js';

/** Links imported replies to their parents, found by origin in the same room (a parent not found leaves a plain message). */
async function linkImportedReplies(tx: pg.PoolClient, roomId: number, fresh: readonly ImportedMessage[]): Promise<void> {
  const replies = fresh.filter((m) => m.replyTo);
  if (replies.length === 0) return;
  const column = <T>(f: (m: ImportedMessage) => T) => replies.map(f);
  const { rows: linked } = await tx.query<{ parent: number }>(
    `UPDATE messages r SET reply_to = p.id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS l(system, id, parent_system, parent_id)
     JOIN messages p ON p.origin_system = l.parent_system AND p.origin_id = l.parent_id AND p.room_id = $5
     WHERE r.origin_system = l.system AND r.origin_id = l.id
     RETURNING p.id AS parent`,
    [column((m) => m.origin.system), column((m) => m.origin.id), column((m) => m.replyTo!.system), column((m) => m.replyTo!.id), roomId],
  );
  await countReplies(tx, linked.map((r) => Number(r.parent)));
}

/** The imported messages' reactions (migration 0019), found by their messages' origins, with the message's time. */
async function importReactions(tx: pg.PoolClient, fresh: readonly ImportedMessage[]): Promise<void> {
  const rows = fresh.flatMap((m) => (m.reactions ?? []).flatMap((r) => r.userIds.map((userId) => ({ m, emoji: r.emoji, userId }))));
  if (rows.length === 0) return;
  await tx.query(
    `WITH added AS (
       INSERT INTO message_reactions (message_id, emoji, user_id, created_at)
       SELECT m.id, r.emoji, r.user_id, m.created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS r(system, id, emoji, user_id)
       JOIN messages m ON m.origin_system = r.system AND m.origin_id = r.id
       ON CONFLICT DO NOTHING RETURNING message_id)
     UPDATE messages SET has_reactions = true WHERE id IN (SELECT message_id FROM added)`,
    [rows.map((r) => r.m.origin.system), rows.map((r) => r.m.origin.id), rows.map((r) => r.emoji), rows.map((r) => r.userId)],
  );
}

/**
 * See MessageStore.importHistory. Under the room's row lock (so live posts wait for the batch),
 * drops the messages already stored, inserts the rest with the next seqs, and renumbers the
 * room's tail when they are older than messages from elsewhere.
 */
export async function importBatch(tx: pg.PoolClient, roomId: number, messages: readonly ImportedMessage[]): Promise<ImportHistoryResult> {
  const locked = first(await tx.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1 FOR NO KEY UPDATE', [roomId]));
  if (!locked) throw new Error(`cannot import into room ${roomId}: no such room`);
  const key = (m: { origin: { system: string; id: string } }) => `${m.origin.system}\u0000${m.origin.id}`;
  const stored = new Set<string>();
  for (const system of new Set(messages.map((m) => m.origin.system))) {
    const { rows: present } = await tx.query<{ origin_id: string }>(
      'SELECT origin_id FROM messages WHERE origin_system = $1 AND origin_id = ANY($2::text[])',
      [system, messages.filter((m) => m.origin.system === system).map((m) => m.origin.id)],
    );
    for (const r of present) stored.add(key({ origin: { system, id: r.origin_id } }));
  }
  const fresh = messages.filter((m) => !stored.has(key(m)));
  const system = messages[0]!.origin.system;
  const before = Number(locked.last_seq);
  if (fresh.length === 0) return { inserted: 0, renumbered: false };
  const column = <T>(f: (m: ImportedMessage) => T) => fresh.map(f);
  await tx.query(
    `INSERT INTO messages (room_id, seq, author_id, kind, title, text, created_at, origin_system, origin_id, has_file, edited_at)
     SELECT $1, $2 + ord, author_id, kind, title, text, created_at, origin_system, origin_id, has_file, edited_at
     FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::boolean[], $11::bigint[])
       WITH ORDINALITY AS p(author_id, kind, title, text, created_at, origin_system, origin_id, has_file, edited_at, ord)`,
    [
      roomId,
      before,
      column((m) => m.authorId),
      column((m) => m.kind),
      column((m) => m.title),
      column((m) => m.text),
      column((m) => m.createdAt),
      column((m) => m.origin.system),
      column((m) => m.origin.id),
      column((m) => Boolean(m.file)),
      column((m) => m.editedAt ?? null),
    ],
  );
  await linkImportedReplies(tx, roomId, fresh);
  await importReactions(tx, fresh);
  // Imported file posts' rows (their bytes were put first), found by their messages' origins.
  const filed = fresh.filter((m) => m.file);
  if (filed.length > 0) {
    const fileColumn = <T>(f: (m: ImportedMessage, file: NonNullable<ImportedMessage['file']>) => T) => filed.map((m) => f(m, m.file!));
    await tx.query(
      `INSERT INTO files (room_id, message_id, name, content_type, size, sha256, uploader_id, created_at, origin_system, origin_id)
       SELECT m.room_id, m.id, f.name, f.content_type, f.size, f.sha256, m.author_id, m.created_at, f.origin_system, f.origin_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
         AS f(message_system, message_id, name, content_type, size, sha256, origin_system, origin_id)
       JOIN messages m ON m.origin_system = f.message_system AND m.origin_id = f.message_id`,
      [
        fileColumn((m) => m.origin.system),
        fileColumn((m) => m.origin.id),
        fileColumn((_, f) => f.name),
        fileColumn((_, f) => f.contentType),
        fileColumn((_, f) => f.size),
        fileColumn((_, f) => f.sha256),
        fileColumn((_, f) => originColumns(f.origin ?? null)[0]),
        fileColumn((_, f) => originColumns(f.origin ?? null)[1]),
      ],
    );
  }
  let last = before + fresh.length;
  const oldest = fresh.reduce((min, m) => Math.min(min, m.createdAt), Number.POSITIVE_INFINITY);
  const cut = first(
    await tx.query<{ seq: string | null }>(
      // (seq + 0) keeps the planner off the (room_id, seq) index, which would scan the room's whole
      // history on every batch; (room_id, created_at) reads only messages newer than the batch.
      'SELECT min(seq) AS seq FROM messages WHERE room_id = $1 AND (seq + 0) <= $2 AND created_at > $3 AND origin_system IS DISTINCT FROM $4',
      [roomId, before, oldest, system],
    ),
  )?.seq;
  if (cut !== null && cut !== undefined) {
    const moved = await tx.query(
      `WITH ordered AS (SELECT id, row_number() OVER (ORDER BY created_at, seq) AS rn FROM messages WHERE room_id = $1 AND seq >= $2)
       UPDATE messages m SET seq = $3 + o.rn FROM ordered o WHERE m.id = o.id`,
      [roomId, cut, last],
    );
    // Mention rows repeat their message's seq (migration 0020): the moved ones follow.
    await tx.query('UPDATE mentions n SET seq = m.seq FROM messages m WHERE m.id = n.message_id AND m.room_id = $1 AND m.seq > $2', [roomId, last]);
    last += moved.rowCount ?? 0;
  }
  await tx.query('UPDATE rooms SET last_seq = $1 WHERE id = $2', [last, roomId]);
  return { inserted: fresh.length, renumbered: cut !== null && cut !== undefined };
}

/** Raises the reply count of each parent by the replies just written to it (migration 0018). */
export async function countReplies(tx: pg.PoolClient, parentIds: readonly number[]): Promise<void> {
  if (parentIds.length === 0) return;
  await tx.query(
    `UPDATE messages m SET reply_count = m.reply_count + c.n
     FROM (SELECT id, count(*)::int AS n FROM unnest($1::bigint[]) AS p(id) GROUP BY id) c WHERE m.id = c.id`,
    [parentIds],
  );
}
