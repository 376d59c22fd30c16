import type { Statement } from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import type { BulkImport, BulkSession, ImportHistoryResult, SpoolSlice } from '../../ports/store.js';
import { createSpoolFiles, SPOOL_CACHE_PRAGMA, SPOOL_KIND_SQL } from '../spool/file.js';
import type { Db } from './database.js';
import { historyMerge } from './historyMerge.js';

/**
 * The bulk import for SQLite. The spool files are attached before the transaction begins, and the
 * transaction is a deferred BEGIN whose first statement writes: BEGIN IMMEDIATE would lock every
 * attached file too, and a part's rows must stay writable by the checking thread until it is
 * closed. A part is read for the first time only once closed, so the snapshot this transaction
 * takes of it holds all its rows.
 *
 * Spooled messages carry no file (SpooledMessage has none): their rows take has_file's default,
 * and an import sends file posts through importHistory, which writes their file rows (migration 0011).
 */
export function sqliteBulkImport(db: Db): BulkImport {
  return {
    async begin(parts) {
      const directory = db.name === ':memory:' ? tmpdir() : dirname(db.name);
      const spools = createSpoolFiles(directory, parts);
      let attached = 0;
      try {
        useRollbackJournal(db);
        for (const spool of spools) {
          db.prepare('ATTACH DATABASE ? AS ?').run(spool.file, `spool${attached}`);
          db.pragma(`spool${attached++}.${SPOOL_CACHE_PRAGMA}`);
        }
        db.exec('CREATE TEMP TABLE IF NOT EXISTS import_authors (k INTEGER PRIMARY KEY, user_id INTEGER NOT NULL)');
        // Foreign keys are not checked row by row: every room and author a copy names was looked up
        // or written inside this transaction, which holds the write lock throughout, so none can
        // vanish meanwhile (and the import deletes nothing that would cascade).
        db.pragma('foreign_keys = OFF');
        db.exec('BEGIN');
        db.exec('DELETE FROM main.schema_migrations WHERE 0'); // takes the write lock now, not at the first real write
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.pragma('foreign_keys = ON');
        for (let k = 0; k < attached; k++) db.exec(`DETACH DATABASE spool${k}`);
        backToWal(db);
        await Promise.all(spools.map((s) => s.discard()));
        throw error;
      }
      return session(db, spools);
    },
  };
}

function session(db: Db, spools: { file: string; discard(): Promise<void> }[]): BulkSession {
  // A part is copied in several calls, one after another: its statements and its authors' pchat
  // ids are set up at the first.
  let current: { part: number; statements: ReturnType<typeof prepare> } | null = null;
  const statements = (part: number, authors: ReadonlyMap<string, number>) => {
    if (current?.part !== part) {
      const s = prepare(db, `spool${part}`);
      mapAuthors(db, s, part, authors);
      current = { part, statements: s };
    }
    return current.statements;
  };
  return {
    spoolFiles: spools.map((s) => s.file),
    async importSpooled(part, slices, authors) {
      if (!spools[part]) throw new Error(`no spool part ${part}`);
      const s = statements(part, authors);
      const ids = { first: 0, last: 0 };
      const copied = slices.map((slice) => importSlice(s, slice, ids));
      if (ids.last > 0) {
        linkReplies(s, slices, copied, ids);
        copyReactions(s, slices, copied, ids);
      }
      // One index statement for all the rows of the call (their ids are one range): once FTS5 is
      // part of a transaction it writes its pending terms out at every statement savepoint, so
      // indexing slice by slice made every following INSERT flush a small segment.
      if (ids.last > 0) s.index.run(ids.first, ids.last);
      return copied.map((c) => c.result);
    },
    async finish(commit) {
      try {
        if (db.inTransaction) db.exec(commit ? 'COMMIT' : 'ROLLBACK');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK'); // a COMMIT that failed (disk full) leaves the transaction open
        throw error;
      } finally {
        db.pragma('foreign_keys = ON');
        db.exec('DROP TABLE IF EXISTS temp.import_authors');
        for (let k = 0; k < spools.length; k++) db.exec(`DETACH DATABASE spool${k}`);
        backToWal(db);
        await Promise.all(spools.map((s) => s.discard()));
      }
    },
  };
}

/**
 * A bulk session writes through a rollback journal, not the WAL. In WAL mode every page the import
 * writes goes to the WAL and is copied again into the database by the checkpoint after the commit
 * (4 GiB twice for ten million messages, and the checkpoint alone took 18 s); with a rollback
 * journal each new page is written once, into the database, and the journal keeps only the pages
 * that existed before. A killed import leaves a hot journal, which the next connection to open the
 * database rolls back, so nothing is visible, as in WAL. The switch needs the database to itself:
 * when another connection has it open, the session stays in WAL (slower, just as safe).
 */
function useRollbackJournal(db: Db): void {
  if (db.name === ':memory:') return;
  try {
    db.pragma('main.journal_mode = DELETE');
  } catch {
    // another connection has the database open: stay in WAL
  }
}

/** Back to WAL once the session has ended; if that fails now, every connection's open sets it again. */
function backToWal(db: Db): void {
  if (db.name === ':memory:') return;
  try {
    db.pragma('main.journal_mode = WAL');
  } catch {
    // openDatabase sets WAL at every open
  }
}

/** Fills temp.import_authors with the pchat user of each author numbered in this part. */
function mapAuthors(db: Db, s: ReturnType<typeof prepare>, part: number, authors: ReadonlyMap<string, number>): void {
  db.exec('DELETE FROM temp.import_authors');
  const missing: string[] = [];
  for (const [k, source] of s.authors.all() as [number, string][]) {
    const id = authors.get(source);
    if (id === undefined) missing.push(source);
    else s.mapAuthor.run(k, id);
  }
  if (missing.length > 0) throw new Error(`spool part ${part} has messages by ${missing.map((m) => `"${m}"`).join(', ')}, not among the imported users`);
}

/**
 * The statements below that write many rows say OR FAIL. With SQLite's default (ABORT), a
 * statement that may fail halfway must be undone alone, so SQLite copies every page it is about to
 * change into a statement journal (a temporary file) first, and for a copy of 50,000 rows that is
 * most pages it touches: 6.5 % of the importing thread's samples in a 1M-message Slack import
 * (perf), 0.5 % with FAIL. FAIL keeps what the statement wrote before the error, which nothing
 * here keeps: any error ends the session, and the whole transaction is rolled back.
 */
function prepare(db: Db, spool: string) {
  const columns = 'room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, edited_at';
  // Authors and systems joined, not looked up by a subquery per row: about 6 % less time (1M
  // rows, the copy statement alone: 5.0 s against 5.3 s). LEFT joins: an author without a
  // pchat user still fails the NOT NULL of author_id, loudly, instead of dropping the row.
  const values = `a.user_id, ${SPOOL_KIND_SQL}, r.title, r.text, r.at, NULL, y.name, r.origin_id, r.edited_at`;
  const rows = `${spool}.rows r LEFT JOIN temp.import_authors a ON a.k = r.author LEFT JOIN ${spool}.systems y ON y.k = r.system`;
  return {
    authors: db.prepare(`SELECT k, source_id FROM ${spool}.authors`).raw(true),
    mapAuthor: db.prepare('INSERT INTO temp.import_authors (k, user_id) VALUES (?, ?)'),
    lastSeq: db.prepare('SELECT last_seq FROM main.rooms WHERE id = ?').pluck(),
    merge: historyMerge(db),
    // None stored yet: seqs follow the row numbers. A conflict (the origin is stored after all, in
    // another room) skips a row and leaves a gap, which `closeGaps` closes.
    insertNew: db.prepare(
      `INSERT OR FAIL INTO main.messages (${columns}) SELECT ?, ? + r.rowid, ${values}
       FROM ${rows} WHERE r.rowid BETWEEN ? AND ? ORDER BY r.rowid
       ON CONFLICT (origin_system, origin_id) DO NOTHING`,
    ),
    // Some may be stored (a re-run, a later archive): only the others, numbered in order.
    insertMissing: db.prepare(
      `INSERT OR FAIL INTO main.messages (${columns}) SELECT ?, ? + row_number() OVER (ORDER BY r.rowid), ${values}
       FROM ${rows} WHERE r.rowid BETWEEN ? AND ?
         AND NOT EXISTS (SELECT 1 FROM main.messages m WHERE m.origin_system = y.name AND m.origin_id = r.origin_id)
       ORDER BY r.rowid
       ON CONFLICT (origin_system, origin_id) DO NOTHING`,
    ),
    // The inserted rows' ids are consecutive, so their seqs can be too. Ascending by id (the rowid
    // range scan's order), each row moves down into a free number: no unique conflict on the way.
    closeGaps: db.prepare('UPDATE OR FAIL main.messages SET seq = ? + (id - ?) WHERE id BETWEEN ? AND ?'),
    // See migration 0007: the writer indexes its own rows.
    index: db.prepare('INSERT INTO main.messages_fts (rowid, title, text) SELECT id, title, text FROM main.messages WHERE id BETWEEN ? AND ?'),
    oldest: db.prepare(`SELECT min(at) FROM ${spool}.rows WHERE rowid BETWEEN ? AND ?`).pluck(),
    // Replies (migration 0018): whether rows of a range are replies, each reply linked to its parent
    // (by identity, in the same room, copied before or in this call), then the parents' counts.
    hasReplies: db.prepare(`SELECT 1 FROM ${spool}.rows WHERE rowid BETWEEN ? AND ? AND reply_id IS NOT NULL LIMIT 1`).pluck(),
    // The same for a slice copied whole (its rows' ids are the row numbers plus an offset): each
    // reply found by its id, not by its identity (an index seek on text saved per reply).
    linkRepliesById: db.prepare(
      `UPDATE OR FAIL main.messages AS m SET reply_to = p.id
       FROM ${spool}.rows r
         JOIN ${spool}.systems ry ON ry.k = r.reply_system
         JOIN main.messages p ON p.origin_system = ry.name AND p.origin_id = r.reply_id
       WHERE r.rowid BETWEEN ? AND ? AND r.reply_id IS NOT NULL AND m.id = ? + r.rowid AND p.room_id = m.room_id`,
    ),
    linkReplies: db.prepare(
      `UPDATE OR FAIL main.messages AS m SET reply_to = p.id
       FROM ${spool}.rows r
         JOIN ${spool}.systems y ON y.k = r.system
         JOIN ${spool}.systems ry ON ry.k = r.reply_system
         JOIN main.messages p ON p.origin_system = ry.name AND p.origin_id = r.reply_id
       WHERE r.rowid BETWEEN ? AND ? AND r.reply_id IS NOT NULL
         AND m.origin_system = y.name AND m.origin_id = r.origin_id AND m.id BETWEEN ? AND ? AND p.room_id = m.room_id`,
    ),
    // Reactions (migration 0019) of the rows a call inserted, with their message's time, and the flag.
    hasReactions: db.prepare(`SELECT 1 FROM ${spool}.reactions WHERE row BETWEEN ? AND ? LIMIT 1`).pluck(),
    copyReactions: db.prepare(
      `INSERT OR FAIL INTO main.message_reactions (message_id, emoji, user_id, created_at)
       SELECT m.id, x.emoji, a.user_id, r.at
       FROM ${spool}.reactions x
         JOIN ${spool}.rows r ON r.rowid = x.row
         JOIN ${spool}.systems y ON y.k = r.system
         JOIN main.messages m ON m.origin_system = y.name AND m.origin_id = r.origin_id
         JOIN temp.import_authors a ON a.k = x.user
       WHERE x.row BETWEEN ? AND ? AND m.id BETWEEN ? AND ?
       ON CONFLICT DO NOTHING`,
    ),
    copyReactionsById: db.prepare(
      `INSERT OR FAIL INTO main.message_reactions (message_id, emoji, user_id, created_at)
       SELECT ? + x.row, x.emoji, a.user_id, r.at
       FROM ${spool}.reactions x
         JOIN ${spool}.rows r ON r.rowid = x.row
         JOIN temp.import_authors a ON a.k = x.user
       WHERE x.row BETWEEN ? AND ?
       ON CONFLICT DO NOTHING`,
    ),
    flagReactions: db.prepare('UPDATE OR FAIL main.messages SET has_reactions = 1 WHERE id IN (SELECT DISTINCT message_id FROM main.message_reactions WHERE message_id BETWEEN ? AND ?)'),
    countReplies: db.prepare(
      `UPDATE OR FAIL main.messages AS p SET reply_count = p.reply_count + c.n
       FROM (SELECT reply_to, count(*) AS n FROM main.messages WHERE id BETWEEN ? AND ? AND reply_to IS NOT NULL GROUP BY reply_to) c
       WHERE p.id = c.reply_to`,
    ),
    systemOf: db.prepare(`SELECT y.name FROM ${spool}.rows r JOIN ${spool}.systems y ON y.k = r.system WHERE r.rowid = ?`).pluck(),
  };
}

/** Links the replies among the rows one call inserted (ids `ids.first` … `ids.last`) to their parents, and counts them. */
function linkReplies(s: ReturnType<typeof prepare>, slices: readonly SpoolSlice[], copied: readonly CopiedSlice[], ids: { first: number; last: number }): void {
  const linked = eachSliceHaving(s.hasReplies, slices, copied, (from, to, offset) =>
    offset !== null ? s.linkRepliesById.run(from, to, offset) : s.linkReplies.run(from, to, ids.first, ids.last),
  );
  if (linked) s.countReplies.run(ids.first, ids.last);
}

/** Copies the reactions of the rows one call inserted (ids `ids.first` … `ids.last`) and flags their messages. */
function copyReactions(s: ReturnType<typeof prepare>, slices: readonly SpoolSlice[], copied: readonly CopiedSlice[], ids: { first: number; last: number }): void {
  const copiedAny = eachSliceHaving(s.hasReactions, slices, copied, (from, to, offset) =>
    offset !== null ? s.copyReactionsById.run(offset, from, to) : s.copyReactions.run(from, to, ids.first, ids.last),
  );
  if (copiedAny) s.flagReactions.run(ids.first, ids.last);
}

/** Runs `copy` for each slice whose rows `has` finds something in, with its id offset (null: go by identity); whether any had. */
function eachSliceHaving(
  has: Statement,
  slices: readonly SpoolSlice[],
  copied: readonly CopiedSlice[],
  copy: (from: number, to: number, offset: number | null) => unknown,
): boolean {
  let any = false;
  slices.forEach(({ from, to }, i) => {
    if (has.get(from, to) === undefined) return;
    copy(from, to, copied[i]!.idOffset);
    any = true;
  });
  return any;
}

/**
 * A slice as copied: its result, and when every row of it was inserted, the offset from a row's
 * number to its message's id (the ids of one statement are consecutive); null otherwise.
 */
interface CopiedSlice {
  readonly result: ImportHistoryResult;
  readonly idOffset: number | null;
}

/** Copies one slice; widens `ids` to the rows it inserted (the ids of one transaction are consecutive). */
function importSlice(s: ReturnType<typeof prepare>, slice: SpoolSlice, ids: { first: number; last: number }): CopiedSlice {
  const { roomId, from, to } = slice;
  const before = s.lastSeq.get(roomId) as number | undefined;
  if (before === undefined) throw new Error(`cannot import into room ${roomId}: no such room`);
  const info = slice.allNew ? s.insertNew.run(roomId, before - from + 1, from, to) : s.insertMissing.run(roomId, before, from, to);
  const inserted = info.changes;
  if (inserted === 0) return { result: { inserted, renumbered: false }, idOffset: null };
  const lastId = Number(info.lastInsertRowid);
  const firstId = lastId - inserted + 1;
  if (slice.allNew && inserted !== to - from + 1) s.closeGaps.run(before + 1, firstId, firstId, lastId);
  if (ids.first === 0) ids.first = firstId;
  ids.last = lastId;
  // Older history than the room holds from elsewhere renumbers its tail, as importHistory does
  // (a room that was empty has nothing to renumber: its oldest and system are not looked up).
  const oldest = before > 0 ? (s.oldest.get(from, to) as number) : 0;
  const system = before > 0 ? (s.systemOf.get(from) as string) : '';
  const renumbered = s.merge(roomId, before, before + inserted, oldest, system);
  return { result: { inserted, renumbered }, idOffset: inserted === to - from + 1 ? firstId - from : null };
}
