import type pg from 'pg';
import { PchatError } from '../../core/errors.js';
import type { Message } from '../../core/model.js';
import type { AppendResult, MessageStore, NewMessage } from '../../ports/store.js';
import { first, retryingTransaction, transaction } from './database.js';
import { CHECKED_CLIENT_ID, checkedClientId, originColumns } from '../rows.js';
import { complianceFile } from '../files/rows.js';
import { READ_COLUMNS as COLUMNS, type FlaggedRow, insertFiles, readMessages, withTheirFiles } from './files.js';
import { postgresOwnMessages } from './ownMessages.js';
import { insertMentionRows } from './mentions.js';
import { countReplies, importBatch } from './importHistory.js';
import { searchMessages } from './search.js';
import { Where } from './where.js';

export function postgresMessages(pool: pg.Pool): MessageStore {
  // Every read returns its messages with their files (a second query only for a page that has some).
  const rows = (result: Promise<{ rows: FlaggedRow[] }>): Promise<Message[]> => readMessages(pool, result);
  return {
    // One transaction per batch. A batch that lost a race with another node storing the same
    // client id or origin (unique violation) runs again and then finds the stored message.
    append: (posts) => (posts.length === 0 ? Promise.resolve([]) : retryingTransaction(pool, (tx) => appendBatch(tx, posts))),
    storedOrigins: async (system, ids) =>
      new Set(
        (await pool.query<{ origin_id: string }>('SELECT origin_id FROM messages WHERE origin_system = $1 AND origin_id = ANY($2::text[])', [system, ids])).rows.map(
          (r) => r.origin_id,
        ),
      ),
    roomHoldsOrigins: async (roomId, system) =>
      (await pool.query('SELECT 1 FROM messages WHERE room_id = $1 AND origin_system = $2 LIMIT 1', [roomId, system])).rowCount !== 0,
    importHistory: (roomId, messages) =>
      messages.length === 0 ? Promise.resolve({ inserted: 0, renumbered: false }) : retryingTransaction(pool, (tx) => importBatch(tx, roomId, messages)),
    history: ({ roomId, beforeSeq, afterSeq, limit }) => {
      const select = `SELECT ${COLUMNS} FROM messages WHERE room_id = $1`;
      if (afterSeq !== undefined && beforeSeq !== undefined) {
        return rows(pool.query(`${select} AND seq > $2 AND seq < $3 ORDER BY seq ASC LIMIT $4`, [roomId, afterSeq, beforeSeq, limit]));
      }
      if (afterSeq !== undefined) return rows(pool.query(`${select} AND seq > $2 ORDER BY seq ASC LIMIT $3`, [roomId, afterSeq, limit]));
      // The newest `limit` below the cursor, returned ascending.
      return rows(
        pool.query(`SELECT * FROM (${select} AND seq < $2 ORDER BY seq DESC LIMIT $3) newest ORDER BY seq ASC`, [
          roomId,
          beforeSeq ?? Number.MAX_SAFE_INTEGER,
          limit,
        ]),
      );
    },
    seqAtOrAfter: async (roomId, at) =>
      first(await pool.query<{ seq: number | null }>('SELECT min(seq) AS seq FROM messages WHERE room_id = $1 AND created_at >= $2', [roomId, at]))
        ?.seq ?? null,
    getBySeq: async (roomId, seq) => (await rows(pool.query(`SELECT ${COLUMNS} FROM messages WHERE room_id = $1 AND seq = $2`, [roomId, seq])))[0] ?? null,
    search: (query) => searchMessages(pool, query),
    select: (s) => {
      const where = new Where()
        .add('id > ?', s.afterId ?? 0)
        .optional('room_id = ANY(?::bigint[])', s.roomIds)
        .optional('author_id = ?', s.authorId)
        .optional('created_at >= ?', s.from)
        .optional('created_at <= ?', s.to);
      return rows(pool.query(`SELECT ${COLUMNS} FROM messages WHERE ${where} ORDER BY id LIMIT ${where.next(s.limit)}`, where.params));
    },
    // A message's file row goes with it (ON DELETE CASCADE), here and in clear.
    remove: async (ids) => {
      await pool.query('DELETE FROM messages WHERE id = ANY($1::bigint[])', [ids]);
    },
    // The replaced content includes the file: its row goes (its bytes, once no row references them, go with the orphan sweep).
    replaceText: (ids, text) =>
      transaction(pool, async (tx) => {
        await tx.query('UPDATE messages SET text = $1, has_file = false WHERE id = ANY($2::bigint[])', [text, ids]);
        await tx.query('DELETE FROM files WHERE message_id = ANY($1::bigint[])', [ids]);
        // The moderator's text mentions nobody (migration 0020).
        await tx.query('DELETE FROM mentions WHERE message_id = ANY($1::bigint[])', [ids]);
      }),
    clear: async (roomId, upTo) => (await pool.query('DELETE FROM messages WHERE room_id = $1 AND created_at <= $2', [roomId, upTo])).rowCount ?? 0,
    count: async (roomId) => first(await pool.query<{ n: number }>('SELECT count(*) AS n FROM messages WHERE room_id = $1', [roomId]))?.n ?? 0,
    ...postgresOwnMessages(pool),
  };
}

// Keys of the two idempotency indexes; \u0000 cannot occur in PostgreSQL text.
const originKey = (system: string, id: string): string => `o\u0000${system}\u0000${id}`;
const clientKey = (roomId: number, authorId: number, clientId: string): string => `c\u0000${roomId}\u0000${authorId}\u0000${clientId}`;

/** The key a post is deduplicated by, as SQLite's store does: its origin if it has one, else its client id. */
const keyOf = (post: NewMessage): string | null =>
  post.origin ? originKey(post.origin.system, post.origin.id) : checkedClientId(post.clientId) ? clientKey(post.roomId, post.authorId, post.clientId) : null;

/** Every key a stored message can be found by. */
const keysOf = (m: Message): string[] => [
  ...(m.origin ? [originKey(m.origin.system, m.origin.id)] : []),
  ...(checkedClientId(m.clientId) ? [clientKey(m.roomId, m.authorId, m.clientId)] : []),
];

/**
 * Appends one batch in the caller's transaction, in a fixed number of statements whatever its
 * size: find the already-stored duplicates, bump the sequence counter of each room involved
 * (locking those room rows only, in id order so concurrent batches cannot deadlock), insert
 * the messages, insert their CHAT compliance records.
 */
async function appendBatch(tx: pg.PoolClient, posts: readonly NewMessage[]): Promise<AppendResult[]> {
  // A file row needs its message row: file posts are refused in history-less categories.
  if (posts.some((p) => p.file && !p.keep)) throw new PchatError('invalid_input', 'Files cannot be posted where chat history is off.', { field: 'file' });
  const stored = await findStored(tx, posts);

  // Decide, in order, which posts are new; a later post with the key of an earlier kept one is
  // its duplicate (a post not kept stores nothing, so it is nobody's original).
  const fresh: { post: NewMessage; index: number }[] = [];
  const originalIndex = new Map<string, number>();
  const plan = posts.map((post, index): Message | number | null => {
    const key = keyOf(post);
    if (key === null) {
      fresh.push({ post, index });
      return null;
    }
    const found = stored.get(key) ?? originalIndex.get(key);
    if (found !== undefined) return found;
    fresh.push({ post, index });
    if (post.keep) for (const k of keysOf({ ...post, file: null, id: 0, seq: 0 })) if (!originalIndex.has(k)) originalIndex.set(k, index);
    return null;
  });

  const kept = fresh.filter((f) => f.post.keep);
  const seqs = await allocateSeqs(tx, kept.map((f) => f.post.roomId));
  const ids = await insertMessages(tx, kept.map((f, i) => ({ post: f.post, seq: seqs[i]! })));

  const keptAt = new Map(kept.map((f, k) => [f.index, k]));
  const messages = new Map<number, Message>();
  const withFile: { index: number; message: Message; file: NonNullable<NewMessage['file']> }[] = [];
  for (const { post, index } of fresh) {
    const k = keptAt.get(index);
    // As SQLite's store: the input with its id and seq (0 and 0 when not kept).
    const { file, ...fields } = post;
    const message = { ...fields, id: k === undefined ? 0 : ids[k]!, seq: k === undefined ? 0 : seqs[k]! };
    messages.set(index, message);
    if (file) withFile.push({ index, message, file });
  }
  const files = await insertFiles(tx, withFile);
  withFile.forEach(({ index, message }, i) => messages.set(index, { ...message, file: files[i]! }));
  await insertChatRecords(tx, [...messages.values()]);
  // Mention rows (migration 0020) of kept messages: no statement at all when none mentions anyone.
  await insertMentionRows(tx, kept.flatMap((f) => (f.post.mentions?.length ? [{ message: messages.get(f.index)!, userIds: f.post.mentions }] : [])));

  return plan.map((entry, index): AppendResult => {
    if (entry === null) return { message: asStored(messages.get(index)!), duplicate: false };
    if (typeof entry === 'number') return { message: asStored(messages.get(entry)!), duplicate: true };
    return { message: entry, duplicate: true };
  });
}

/** The message as reading it back from the database gives it (without the input's `keep`; `file` only when it has one). */
const asStored = (m: Message): Message => ({
  ...(m.file ? { file: m.file } : {}),
  id: m.id,
  roomId: m.roomId,
  seq: m.seq,
  authorId: m.authorId,
  kind: m.kind,
  title: m.title,
  text: m.text,
  createdAt: m.createdAt,
  clientId: m.clientId,
  origin: m.origin,
  ...(m.replyTo ? { replyTo: m.replyTo } : {}),
});

/** Stored messages that share a key with one of the posts, by every key they have. */
async function findStored(tx: pg.PoolClient, posts: readonly NewMessage[]): Promise<Map<string, Message>> {
  const byOrigin = posts.filter((p) => p.origin);
  const byClient = posts.filter((p) => !p.origin && checkedClientId(p.clientId));
  const stored = new Map<string, Message>();
  if (byOrigin.length === 0 && byClient.length === 0) return stored;
  const { rows: found } = await tx.query<FlaggedRow>(
    `SELECT ${COLUMNS} FROM messages WHERE (origin_system, origin_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     UNION
     SELECT ${COLUMNS} FROM messages WHERE (room_id, author_id, client_id) IN (SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::text[])) AND ${CHECKED_CLIENT_ID}`,
    [
      byOrigin.map((p) => p.origin!.system),
      byOrigin.map((p) => p.origin!.id),
      byClient.map((p) => p.roomId),
      byClient.map((p) => p.authorId),
      byClient.map((p) => p.clientId),
    ],
  );
  for (const message of await withTheirFiles(tx, found)) for (const key of keysOf(message)) stored.set(key, message);
  return stored;
}

/**
 * The next sequence numbers for posts to the given rooms, in order. One UPDATE ... RETURNING
 * bumps each room's counter by its number of posts; the FOR NO KEY UPDATE in id order takes
 * the room row locks in a fixed order. Only those rows are locked: posts to other rooms go on.
 */
async function allocateSeqs(tx: pg.PoolClient, roomIds: readonly number[]): Promise<number[]> {
  if (roomIds.length === 0) return [];
  const counts = new Map<number, number>();
  for (const id of roomIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const { rows: bumped } = await tx.query<{ id: number; last_seq: number }>(
    `WITH wanted AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS w(id, n)),
          locked AS (SELECT id FROM rooms WHERE id IN (SELECT id FROM wanted) ORDER BY id FOR NO KEY UPDATE)
     UPDATE rooms r SET last_seq = r.last_seq + w.n FROM wanted w JOIN locked l ON l.id = w.id
     WHERE r.id = w.id RETURNING r.id, r.last_seq`,
    [[...counts.keys()], [...counts.values()]],
  );
  // Next free number per room: the new counter minus what this batch takes, plus one.
  const next = new Map(bumped.map((r) => [r.id, r.last_seq - counts.get(r.id)! + 1]));
  return roomIds.map((id) => {
    const seq = next.get(id);
    if (seq === undefined) throw new Error(`cannot append to room ${id}: no such room`);
    next.set(id, seq + 1);
    return seq;
  });
}

/** Inserts the kept posts in one statement; returns their ids in input order. */
async function insertMessages(tx: pg.PoolClient, rows: readonly { post: NewMessage; seq: number }[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const column = <T>(f: (post: NewMessage) => T) => rows.map((r) => f(r.post));
  const { rows: inserted } = await tx.query<{ room_id: number; seq: number; id: number }>(
    `INSERT INTO messages (room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, reply_to)
     SELECT room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, reply_to
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::bigint[])
       WITH ORDINALITY AS p(room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, reply_to, ord)
     ORDER BY ord
     RETURNING room_id, seq, id`,
    [
      column((p) => p.roomId),
      rows.map((r) => r.seq),
      column((p) => p.authorId),
      column((p) => p.kind),
      column((p) => p.title),
      column((p) => p.text),
      column((p) => p.createdAt),
      column((p) => p.clientId),
      column((p) => originColumns(p.origin)[0]),
      column((p) => originColumns(p.origin)[1]),
      column((p) => Boolean(p.file)),
      column((p) => p.replyTo?.id ?? null),
    ],
  );
  await countReplies(tx, rows.flatMap((r) => (r.post.replyTo ? [r.post.replyTo.id] : [])));
  // (room, seq) is unique, so it identifies each row whatever order RETURNING uses.
  const ids = new Map(inserted.map((r) => [`${r.room_id}:${r.seq}`, r.id]));
  return rows.map((r) => ids.get(`${r.post.roomId}:${r.seq}`)!);
}

/** One CHAT compliance record per post that was not a duplicate, kept or not, in order. */
async function insertChatRecords(tx: pg.PoolClient, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO compliance (type, room_id, user_id, at, data)
     SELECT 'CHAT', room_id, user_id, at, data::json
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS c(room_id, user_id, at, data, ord)
     ORDER BY ord`,
    [
      messages.map((m) => m.roomId),
      messages.map((m) => m.authorId),
      messages.map((m) => m.createdAt),
      messages.map((m) => {
        const record = { messageId: m.id, seq: m.seq, kind: m.kind, title: m.title, text: m.text };
        return JSON.stringify(m.file ? { ...record, file: complianceFile(m.file) } : record);
      }),
    ],
  );
}
