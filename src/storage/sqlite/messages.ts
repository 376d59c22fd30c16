import { PchatError, roomNotFound } from '../../core/errors.js';
import type { Message, MessageKind } from '../../core/model.js';
import type { AppendResult, ImportedMessage, ImportHistoryResult, MessageStore, NewMessage } from '../../ports/store.js';
import type { Db } from './database.js';
import { complianceFile } from '../files/rows.js';
import { type FlaggedRow, sqliteMessageFiles } from './files.js';
import { CHECKED_CLIENT_ID, checkedClientId, MESSAGE_COLUMNS } from '../rows.js';
import { historyMerge } from './historyMerge.js';
import { removedParent } from '../replies.js';
import { sqliteOwnMessages } from './ownMessages.js';
import { sqliteMentionRows } from './mentions.js';
import { Where } from './where.js';
import { MultiRowInsert } from '../multiRowInsert.js';
import type { DurableCommits } from './walSync.js';

// Reads take the has_file flag too (migration 0011): only a page with a flagged message looks up files.
const COLUMNS = `${MESSAGE_COLUMNS}, has_file, has_reactions`;
const M_COLUMNS = COLUMNS.split(', ')
  .map((c) => `m.${c}`)
  .join(', ');


/** Quotes each word for FTS5 so user input can never be read as query syntax; the last word matches as a prefix. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((t, i) => `"${t.replace(/"/g, '""')}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/** A message row as a raw statement returns it: the values of COLUMNS, in that order. */
type RawMessageRow = [number, number, number, number, MessageKind, string | null, string, number, string | null, string | null, string | null, number | null, number | null, number, number, number];
const fromRaw = ([id, roomId, seq, authorId, kind, title, text, createdAt, clientId, originSystem, originId, editedAt, replyTo, replyCount]: RawMessageRow): Message => ({
  id,
  roomId,
  seq,
  authorId,
  kind,
  title,
  text,
  createdAt,
  clientId,
  origin: originSystem !== null && originId !== null ? { system: originSystem, id: originId } : null,
  ...(editedAt !== null && { editedAt }),
  ...(replyTo !== null && { replyTo: removedParent(replyTo) }),
  ...(replyCount > 0 && { replyCount }),
});
/** Where has_file is in a raw row (the last of COLUMNS). */
const HAS_FILE = 14;
/** has_reactions (migration 0019) follows it: only a page with a reacted message looks up reactions. */
const HAS_REACTIONS = HAS_FILE + 1;

export function sqliteMessages(db: Db, durable: DurableCommits): MessageStore {
  const lastSeqOf = db.prepare('SELECT last_seq FROM rooms WHERE id = ?').pluck();
  const setLastSeq = db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?');
  // A post whose clientId is stored already is a retry: the partial unique index (migrations 0022,
  // 0024) finds it while inserting, so a new post costs no lookup of its own (`existing` then reads it).
  const insert = db.prepare(
    `INSERT INTO messages (room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, reply_to)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (room_id, author_id, client_id) WHERE ${CHECKED_CLIENT_ID} DO NOTHING`,
  );
  // A reply raises its parent's count in the same transaction (migration 0018).
  const countReply = db.prepare('UPDATE messages SET reply_count = reply_count + 1 WHERE id = ?');
  // Since migration 0007 the writer indexes new messages itself (no per-row trigger), once per
  // batch: FTS5 writes its pending terms out as a new segment at every statement savepoint, so
  // an index row per message, between the batch's other statements, made a segment per message.
  const indexOne = db.prepare('INSERT INTO messages_fts (rowid, title, text) SELECT id, title, text FROM messages WHERE id = ?');
  const indexRange = db.prepare('INSERT INTO messages_fts (rowid, title, text) SELECT id, title, text FROM messages WHERE id BETWEEN ? AND ?');
  const byClientId = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND author_id = ? AND client_id = ? AND ${CHECKED_CLIENT_ID}`);
  const byOrigin = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE origin_system = ? AND origin_id = ?`);
  // Through the room's index (`+origin_system` keeps SQLite off the origin index, which would
  // walk every message of the system in every room): stops at the first match.
  const holdsOrigins = db.prepare('SELECT 1 FROM messages WHERE room_id = ? AND +origin_system = ? LIMIT 1').pluck();
  // A batch's CHAT records go in 64 to a statement (multiRowInsert.ts).
  const chats = new MultiRowInsert(db, 'INSERT INTO compliance (type, room_id, user_id, at, data)', "'CHAT', ?, ?, ?, ?");
  // History pages are read as arrays (raw): export and verify read every message through them,
  // and better-sqlite3 builds an array per row at less than half the cost of a keyed object.
  const before = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`).raw(true);
  const after = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`).raw(true);
  const between = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`).raw(true);
  const atTime = db.prepare('SELECT min(seq) AS seq FROM messages WHERE room_id = ? AND created_at >= ?');
  const bySeq = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`);
  const clearSelect = db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ? AND created_at <= ?');
  const clearDelete = db.prepare('DELETE FROM messages WHERE room_id = ? AND created_at <= ?');
  const count = db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?');
  const removeOne = db.prepare('DELETE FROM messages WHERE id = ?');
  const replaceOne = db.prepare('UPDATE messages SET text = ?, has_file = 0 WHERE id = ?');
  const files = sqliteMessageFiles(db);
  const mentionRows = sqliteMentionRows(db);

  /** A page of raw rows as messages, with the files of those flagged (a page with none costs no lookup). */
  const page = (rows: RawMessageRow[]): Message[] => {
    const messages = rows.map(fromRaw);
    const flagged: number[] = [];
    const reacted: number[] = [];
    for (const row of rows) {
      if (row[HAS_FILE]) flagged.push(row[0]);
      if (row[HAS_REACTIONS]) reacted.push(row[0]);
    }
    return files.attach(messages, flagged, reacted);
  };

  const existing = (post: NewMessage): FlaggedRow | undefined => {
    if (post.origin) return byOrigin.get(post.origin.system, post.origin.id) as FlaggedRow | undefined;
    if (checkedClientId(post.clientId)) return byClientId.get(post.roomId, post.authorId, post.clientId) as FlaggedRow | undefined;
    return undefined;
  };

  const duplicate = (row: FlaggedRow | undefined): AppendResult => {
    if (!row) throw new Error('a post conflicted with a stored message that cannot be found');
    return { message: files.rows([row])[0]!, duplicate: true };
  };

  const appendAll = db.transaction((posts: readonly NewMessage[]): AppendResult[] => {
    // Each room's counter is read once and written once per batch, not bumped per message.
    const lastSeqs = new Map<number, number>();
    const indexed: number[] = [];
    chats.discard(); // what a failed batch left unwritten
    const results = posts.map((post): AppendResult => {
      // A file row needs its message row: file posts are refused in history-less categories.
      if (post.file && !post.keep) throw new PchatError('invalid_input', 'Files cannot be posted where chat history is off.', { field: 'file' });
      // A clientId alone is checked by the insert itself (see `insert`).
      const found = post.origin || !post.keep ? existing(post) : undefined;
      if (found) return duplicate(found);
      let id = 0;
      let seq = 0;
      if (post.keep) {
        const last = lastSeqs.get(post.roomId) ?? (lastSeqOf.get(post.roomId) as number | undefined);
        if (last === undefined) throw roomNotFound();
        const origin = post.origin;
        const info = insert.run(
          post.roomId,
          last + 1,
          post.authorId,
          post.kind,
          post.title,
          post.text,
          post.createdAt,
          post.clientId,
          origin ? origin.system : null,
          origin ? origin.id : null,
          post.file ? 1 : 0,
          post.replyTo?.id ?? null,
        );
        if (info.changes === 0) return duplicate(existing(post));
        seq = last + 1;
        lastSeqs.set(post.roomId, seq);
        id = Number(info.lastInsertRowid);
        indexed.push(id);
        if (post.replyTo) countReply.run(post.replyTo.id);
      }
      // Built field by field (not by spreading the post): one shape for every message.
      let message: Message = {
        id,
        roomId: post.roomId,
        seq,
        authorId: post.authorId,
        kind: post.kind,
        title: post.title,
        text: post.text,
        createdAt: post.createdAt,
        clientId: post.clientId,
        origin: post.origin,
        ...(post.replyTo && { replyTo: post.replyTo }),
      };
      if (post.file) message = { ...message, file: files.insert(message, post.file) };
      if (id !== 0 && post.mentions?.length) mentionRows.write(message, post.mentions);
      const record = { messageId: id, seq, kind: post.kind, title: post.title, text: post.text };
      chats.values.push(post.roomId, post.authorId, post.createdAt, JSON.stringify(message.file ? { ...record, file: complianceFile(message.file) } : record));
      chats.endRow();
      return { message, duplicate: false };
    });
    chats.flush();
    for (const [roomId, last] of lastSeqs) setLastSeq.run(last, roomId);
    // Without AUTOINCREMENT a new row takes max(rowid) + 1, so rows inserted one after another in
    // one write transaction normally get consecutive ids; SQLite does not promise it (past the
    // largest rowid it picks unused ones at random), so the range is indexed in one statement only
    // when the ids are exactly first, first + 1, ... and one by one otherwise.
    const first = indexed[0];
    if (first !== undefined && indexed.every((id, i) => id === first + i)) indexRange.run(first, first + indexed.length - 1);
    else for (const id of indexed) indexOne.run(id);
    return results;
  });

  const importAll = sqliteImportHistory(db, files);

  return {
    append: (posts) => durable.commitDurably(() => appendAll.immediate(posts)),
    importHistory: async (roomId, messages) => importAll(roomId, messages),
    storedOrigins: async (system, ids) => new Set(ids.filter((id) => byOrigin.get(system, id) !== undefined)),
    roomHoldsOrigins: async (roomId, system) => holdsOrigins.get(roomId, system) !== undefined,
    history: async ({ roomId, beforeSeq, afterSeq, limit }) => {
      if (afterSeq !== undefined && beforeSeq !== undefined) return page(between.all(roomId, afterSeq, beforeSeq, limit) as RawMessageRow[]);
      if (afterSeq !== undefined) return page(after.all(roomId, afterSeq, limit) as RawMessageRow[]);
      const rows = before.all(roomId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit) as RawMessageRow[];
      return page(rows.reverse());
    },
    seqAtOrAfter: async (roomId, at) => (atTime.get(roomId, at) as { seq: number | null }).seq,
    getBySeq: async (roomId, seq) => {
      const row = bySeq.get(roomId, seq) as FlaggedRow | undefined;
      return row ? files.rows([row])[0]! : null;
    },
    search: async (q) => {
      if (q.roomIds.length === 0 || q.terms.length === 0) return [];
      const where = new Where()
        .add('messages_fts MATCH ?', ftsQuery(q.terms))
        .add('m.room_id IN (SELECT value FROM json_each(?))', JSON.stringify(q.roomIds))
        .optional('m.author_id = ?', q.authorId)
        .optional('m.created_at >= ?', q.from)
        .optional('m.created_at <= ?', q.to)
        .optional('f.rowid < ?', q.beforeId);
      const sql = `SELECT ${M_COLUMNS} FROM messages_fts f JOIN messages m ON m.id = f.rowid
                   WHERE ${where} ORDER BY f.rowid DESC LIMIT ?`;
      return files.rows(db.prepare(sql).all(...where.params, q.limit) as FlaggedRow[]);
    },
    select: async (s) => {
      const where = new Where()
        .add('id > ?', s.afterId ?? 0)
        .optional('room_id IN (SELECT value FROM json_each(?))', s.roomIds && JSON.stringify(s.roomIds))
        .optional('author_id = ?', s.authorId)
        .optional('created_at >= ?', s.from)
        .optional('created_at <= ?', s.to);
      const sql = `SELECT ${COLUMNS} FROM messages WHERE ${where} ORDER BY id LIMIT ?`;
      return files.rows(db.prepare(sql).all(...where.params, s.limit) as FlaggedRow[]);
    },
    // A message's file row goes with it (ON DELETE CASCADE), here and in clear.
    remove: async (ids) => {
      db.transaction(() => ids.forEach((id) => removeOne.run(id)))();
    },
    // The replaced content includes the file: its row goes (its bytes, once no row references them, go with the orphan sweep).
    replaceText: async (ids, text) => {
      db.transaction(() =>
        ids.forEach((id) => {
          replaceOne.run(text, id);
          files.removeOf(id);
          mentionRows.removeOf(id); // the moderator's text mentions nobody
        }),
      )();
    },
    clear: async (roomId, upTo) =>
      db.transaction(() => {
        const { n } = clearSelect.get(roomId, upTo) as { n: number };
        clearDelete.run(roomId, upTo);
        return n;
      })(),
    count: async (roomId) => (count.get(roomId) as { n: number }).n,
    ...sqliteOwnMessages(db, files),
  };
}

/** See MessageStore.importHistory; the statements are shared with PostgreSQL's in spirit, not text. */
function sqliteImportHistory(db: Db, files: ReturnType<typeof sqliteMessageFiles>): (roomId: number, messages: readonly ImportedMessage[]) => ImportHistoryResult {
  const lastSeq = db.prepare('SELECT last_seq FROM rooms WHERE id = ?').pluck();
  // The origin's unique index is the idempotence check: a message already stored (a re-run, a
  // resumed run) is skipped by the insert itself, with no lookup of its own.
  const insert = db.prepare(
    `INSERT INTO messages (room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, edited_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (origin_system, origin_id) DO NOTHING`,
  );
  // A reply finds its parent by origin in the same room (imported earlier, in this batch or before).
  const linkReply = db.prepare(
    `UPDATE messages SET reply_to = (SELECT p.id FROM messages p WHERE p.origin_system = ? AND p.origin_id = ? AND p.room_id = ?) WHERE id = ?
     RETURNING reply_to`,
  ).pluck();
  const countReply = db.prepare('UPDATE messages SET reply_count = reply_count + 1 WHERE id = ?');
  // Its reactions (migration 0019), with the message's time: the source did not say when.
  const react = db.prepare('INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const flagReactions = db.prepare('UPDATE messages SET has_reactions = 1 WHERE id = ?');
  // New rows take ids above every existing one, so this batch's rows are one id range, indexed
  // by one statement (see migration 0007).
  const index = db.prepare('INSERT INTO messages_fts (rowid, title, text) SELECT id, title, text FROM messages WHERE id BETWEEN ? AND ?');
  const merge = historyMerge(db);
  return db.transaction((roomId: number, messages: readonly ImportedMessage[]): ImportHistoryResult => {
    const before = lastSeq.get(roomId) as number | undefined;
    if (before === undefined) throw new Error(`cannot import into room ${roomId}: no such room`);
    let last = before;
    let oldest = Number.POSITIVE_INFINITY;
    let firstId = 0;
    let lastId = 0;
    for (const m of messages) {
      const info = insert.run(roomId, last + 1, m.authorId, m.kind, m.title, m.text, m.createdAt, m.origin.system, m.origin.id, m.file ? 1 : 0, m.editedAt ?? null);
      if (info.changes === 0) continue;
      last += 1;
      lastId = Number(info.lastInsertRowid);
      if (m.replyTo) {
        const parent = linkReply.get(m.replyTo.system, m.replyTo.id, roomId, lastId) as number | null;
        if (parent !== null) countReply.run(parent);
      }
      if (m.reactions && m.reactions.length > 0) {
        for (const r of m.reactions) for (const userId of r.userIds) react.run(lastId, r.emoji, userId, m.createdAt);
        flagReactions.run(lastId);
      }
      // An imported file post's row (its bytes were put first). The bulk import's spool has no
      // files: an import sends its file posts here.
      if (m.file) files.insert({ roomId, id: lastId, authorId: m.authorId, createdAt: m.createdAt }, m.file);
      if (firstId === 0) firstId = lastId;
      if (m.createdAt < oldest) oldest = m.createdAt;
    }
    const inserted = last - before;
    if (inserted === 0) return { inserted, renumbered: false };
    if (lastId - firstId + 1 !== inserted) throw new Error(`imported messages of room ${roomId} did not get consecutive ids`);
    index.run(firstId, lastId);
    return { inserted, renumbered: merge(roomId, before, last, oldest, messages[0]!.origin.system) };
  }).immediate;
}
