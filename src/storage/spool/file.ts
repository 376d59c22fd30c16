import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SpoolWriter } from '../../ports/store.js';
import { MultiRowInsert } from '../multiRowInsert.js';

/**
 * An import's spool is a SQLite scratch file. `rows` keeps the checked messages in the order read
 * (rowid = row number); authors and origin systems are stored once each and named by number. A
 * reply names its parent by identity (`reply_system`, `reply_id`), linked once both are copied;
 * `reactions` names a message by its row, and the users who reacted by number, as authors are.
 * No journal and no fsync: a spool file is written by one connection, read only once closed, and
 * rebuilt by running the import again.
 */
const SCHEMA = `
CREATE TABLE rows (author INTEGER NOT NULL, kind INTEGER NOT NULL, title TEXT, text TEXT NOT NULL, at INTEGER NOT NULL, system INTEGER NOT NULL, origin_id TEXT NOT NULL,
  edited_at INTEGER, reply_system INTEGER, reply_id TEXT);
CREATE TABLE authors (k INTEGER PRIMARY KEY, source_id TEXT NOT NULL UNIQUE);
CREATE TABLE reactions (row INTEGER NOT NULL, emoji TEXT NOT NULL, user INTEGER NOT NULL, PRIMARY KEY (row, emoji, user)) WITHOUT ROWID;
CREATE TABLE systems (k INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
`;
const PREFIX = '.pchat-import-spool-';

/** Pages a connection caches of a spool: rows are written and read in order, so a little suffices. */
export const SPOOL_CACHE_PRAGMA = 'cache_size = -2048';

const openFile = (file: string): Database.Database => {
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // The default cache (16 MiB) per spool connection, times several parts, was most of an import's memory.
  db.pragma(SPOOL_CACHE_PRAGMA);
  return db;
};

/** Creates `count` empty spools in `directory`, first deleting spools whose import was killed. */
export function createSpoolFiles(directory: string, count: number): { file: string; discard(): Promise<void> }[] {
  removeAbandoned(directory);
  return Array.from({ length: count }, () => {
    const file = join(directory, `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const db = openFile(file);
    db.exec(SCHEMA);
    db.close();
    // journal_mode OFF for the writer, read-only for the importer: the file is all there is.
    return { file, discard: async () => rmSync(file, { force: true }) };
  });
}

/** The spool's `kind` column: 0 text, 1 story, 2 notice. */
export const SPOOL_KIND_SQL = "CASE r.kind WHEN 1 THEN 'story' WHEN 2 THEN 'notice' ELSE 'text' END";
const SPOOL_KIND = { text: 0, story: 1, notice: 2 } as const;

/** Opens a spool for writing, in one transaction that `close` commits. */
export function openSpoolWriter(file: string): SpoolWriter {
  const db = openFile(file);
  const insert = new MultiRowInsert(db, 'INSERT INTO rows (author, kind, title, text, at, system, origin_id, edited_at, reply_system, reply_id)', '?, ?, ?, ?, ?, ?, ?, ?, ?, ?');
  const addAuthor = db.prepare('INSERT INTO authors (k, source_id) VALUES (?, ?)');
  const addSystem = db.prepare('INSERT INTO systems (k, name) VALUES (?, ?)');
  const addReaction = db.prepare('INSERT OR IGNORE INTO reactions (row, emoji, user) VALUES (?, ?, ?)');
  const authors = new Map<string, number>();
  const systems = new Map<string, number>();
  const numberOf = (map: Map<string, number>, key: string, store: Database.Statement) => {
    let k = map.get(key);
    if (k === undefined) {
      map.set(key, (k = map.size));
      store.run(k, key);
    }
    return k;
  };
  let rows = 0;
  db.exec('BEGIN');
  return {
    get rows() {
      return rows;
    },
    add(m) {
      insert.values.push(
        numberOf(authors, m.author, addAuthor),
        SPOOL_KIND[m.kind],
        m.title,
        m.text,
        m.createdAt,
        numberOf(systems, m.origin.system, addSystem),
        m.origin.id,
        m.editedAt ?? null,
        m.replyTo ? numberOf(systems, m.replyTo.system, addSystem) : null,
        m.replyTo?.id ?? null,
      );
      insert.endRow();
      rows += 1;
      for (const r of m.reactions ?? []) for (const user of r.users) addReaction.run(rows, r.emoji, numberOf(authors, user, addAuthor));
    },
    close() {
      insert.flush();
      db.exec('COMMIT');
      db.close();
    },
  };
}

/** Deletes spools that killed imports left behind (their process is gone). */
function removeAbandoned(directory: string): void {
  if (!existsSync(directory)) return;
  const pattern = /^\.pchat-import-spool-(\d+)-/;
  for (const name of readdirSync(directory)) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) rmSync(join(directory, name), { force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
