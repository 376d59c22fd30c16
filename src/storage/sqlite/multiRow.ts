import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/** Rows per statement: 64 rows of a few columns stay far below SQLite's limit of bound parameters. */
const ROWS_PER_STATEMENT = 64;

/**
 * An INSERT of many rows in few statements: `<head> VALUES (<row>), (<row>), …`, up to 64 rows
 * each, a statement prepared once per row count. Each statement run costs better-sqlite3 and
 * SQLite about a microsecond besides its rows, which a batch of posts pays per compliance record
 * otherwise (docs/benchmarks.md, irc-throughput). Rows go in in the order given.
 */
export function multiRowInsert(db: Db, head: string, row: string): (rows: readonly (readonly unknown[])[]) => void {
  const statements = new Map<number, Database.Statement>();
  const statementFor = (count: number): Database.Statement => {
    let statement = statements.get(count);
    if (!statement) statements.set(count, (statement = db.prepare(`${head} VALUES ${Array.from({ length: count }, () => `(${row})`).join(', ')}`)));
    return statement;
  };
  return (rows) => {
    for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT) {
      const part = rows.slice(at, at + ROWS_PER_STATEMENT);
      statementFor(part.length).run(part.flat());
    }
  };
}
