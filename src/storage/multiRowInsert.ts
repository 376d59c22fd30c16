import type Database from 'better-sqlite3';

/** Rows per statement: 64 rows of a few columns stay far below SQLite's limit of bound parameters. */
const ROWS_PER_STATEMENT = 64;

/**
 * Rows for `<head> VALUES (<row>), (<row>), …` on a better-sqlite3 connection, written 64 to a
 * statement (one statement prepared per row count). A caller pushes a row's values onto `values`
 * and calls `endRow`; every 64th row runs the statement, `flush` the rest. Each statement run
 * costs better-sqlite3 and SQLite about a microsecond besides its rows: 64 rows at once cost a
 * quarter less per row for an import's spool and a CHAT record about half (docs/benchmarks.md,
 * irc-throughput). Rows go in in the order given.
 */
export class MultiRowInsert {
  readonly values: unknown[] = [];
  private rows = 0;
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly row: string,
  ) {}

  endRow(): void {
    if (++this.rows === ROWS_PER_STATEMENT) this.flush();
  }

  /** Writes the rows not yet written. */
  flush(): void {
    if (this.rows === 0) return;
    this.statementFor(this.rows).run(this.values);
    this.values.length = 0;
    this.rows = 0;
  }

  /** Forgets the rows not yet written (their transaction failed). */
  discard(): void {
    this.values.length = 0;
    this.rows = 0;
  }

  private statementFor(count: number): Database.Statement {
    let statement = this.statements.get(count);
    if (!statement) this.statements.set(count, (statement = this.db.prepare(`${this.head} VALUES ${Array.from({ length: count }, () => `(${this.row})`).join(', ')}`)));
    return statement;
  }
}
