import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PchatError } from '../../../core/errors.js';
import { scanRecords } from './scanner.js';

/**
 * Reading one table dump: `<table>.csv` (comma) or `<table>.tsv` (tab), RFC 4180 quoting, a
 * header row of column names, UTF-8 (with or without BOM) or UTF-16LE with BOM. Everything that
 * makes a file unreadable throws `invalid_dump` naming the file and, where there is one, the line
 * (docs/groupchat-dump.md). Rows stream in batches, so memory does not grow with the file.
 */

export interface TableSpec {
  readonly table: string;
  /** Columns the reader needs; a file without one of them is rejected. */
  readonly required: readonly string[];
  /** Documented columns the reader may use or ignores; any other column is reported. */
  readonly optional: readonly string[];
}

export type DumpEncoding = 'utf-8' | 'utf-16le';

export interface DumpFile {
  readonly path: string;
  /** The file name, as errors and notes name it. */
  readonly name: string;
  readonly delimiter: ',' | '\t';
}

/** One data row: its values in file column order, and the line on which it starts. */
export interface DumpRow {
  readonly line: number;
  readonly values: readonly string[];
}

export interface OpenTable {
  readonly file: DumpFile;
  readonly encoding: DumpEncoding;
  /** Column name (the spec's spelling) → index in `values`. */
  readonly columns: ReadonlyMap<string, number>;
  /** Header columns the spec does not know (reported, then ignored). */
  readonly unknownColumns: readonly string[];
  /** Data rows in batches (one await per batch rather than per row: this is the hot path). */
  batches(): AsyncIterable<readonly DumpRow[]>;
}

export const dumpError = (file: string, line: number | null, message: string, cause?: unknown): PchatError =>
  new PchatError('invalid_dump', `${file}${line === null ? '' : `, line ${line}`}: ${message}`, {
    details: { file, line },
    ...(cause !== undefined && { cause }),
  });

/** The dump file of each table present in `dir`, matched case-insensitively as SQL Server names are. */
export async function listDump(dir: string): Promise<Map<string, DumpFile>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new PchatError('invalid_dump', `${dir}: cannot read the dump directory (${(error as Error).message}).`, { cause: error });
  }
  const found = new Map<string, DumpFile>();
  for (const name of names.sort()) {
    const match = /^(.+)\.(csv|tsv)$/i.exec(name);
    if (!match) continue;
    const table = match[1]!.toLowerCase();
    const other = found.get(table);
    if (other) throw dumpError(name, null, `two dumps of the same table (${other.name} and ${name}); keep one.`);
    found.set(table, { path: join(dir, name), name, delimiter: match[2]!.toLowerCase() === 'csv' ? ',' : '\t' });
  }
  return found;
}

/** Reads the first bytes to decide the encoding: a BOM says it; NUL bytes without one mean UTF-16 without BOM or a binary dump. */
async function sniff(file: DumpFile): Promise<{ encoding: DumpEncoding; skip: number }> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      throw dumpError(file.name, null, 'UTF-16 big-endian is not supported; dump with `bcp -w` (UTF-16LE with BOM) or `-c -C 65001` (UTF-8).');
    }
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
    if (bytes.includes(0)) {
      throw dumpError(file.name, null, 'the file contains NUL bytes: UTF-16 without a byte-order mark, or a native-format (`bcp -n`) dump. Dump with `bcp -w` or `-c -C 65001`.');
    }
    return { encoding: 'utf-8', skip: 0 };
  } finally {
    await handle.close();
  }
}

/** sqlcmd prints a line of dashes under the header, and "(n rows affected)" at the end unless SET NOCOUNT ON. */
const isUnderline = (values: readonly string[]) => values.every((v) => /^-+$/.test(v));
const isRowCount = (values: readonly string[]) => values.length === 1 && /^\(\d+ rows? affected\)$/.test(values[0]!.trim());
/** Export-Csv without -NoTypeInformation writes `#TYPE System.Data.DataRow` first. */
const isTypeLine = (values: readonly string[]) => values.length === 1 && values[0]!.startsWith('#TYPE ');

/** Opens a table dump: decides the encoding, reads and checks the header against the spec. */
export async function openTable(file: DumpFile, spec: TableSpec): Promise<OpenTable> {
  const { encoding, skip } = await sniff(file);
  const header = await readHeader(file, encoding, skip);
  const known = new Map<string, string>([...spec.required, ...spec.optional].map((c) => [c.toLowerCase(), c]));
  const columns = new Map<string, number>();
  const unknownColumns: string[] = [];
  header.names.forEach((raw, index) => {
    // sqlcmd and SSMS may bracket names; SQL Server compares names case-insensitively.
    const name = raw.trim().replace(/^\[(.*)\]$/, '$1');
    const canonical = known.get(name.toLowerCase());
    if (canonical === undefined) unknownColumns.push(name);
    else if (columns.has(canonical)) throw dumpError(file.name, header.line, `the header names column ${canonical} twice.`);
    else columns.set(canonical, index);
  });
  const missing = spec.required.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw dumpError(
      file.name,
      header.line,
      `not a dump of ${spec.table}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        `${unknownColumns.length > 0 ? `; unknown column${unknownColumns.length > 1 ? 's' : ''} ${unknownColumns.join(', ')}` : ''}. ` +
        'The first row must name the columns (docs/groupchat-dump.md).',
    );
  }
  const width = header.names.length;
  return {
    file,
    encoding,
    columns,
    unknownColumns,
    async *batches() {
      let seenHeader = false;
      let afterHeader = false;
      for await (const records of scanRecords(file, encoding, skip)) {
        const rows: DumpRow[] = [];
        for (const record of records) {
          const { values } = record;
          if (values.length === 1 && values[0] === '') continue; // a blank line
          if (!seenHeader) {
            if (isTypeLine(values)) continue;
            seenHeader = true;
            afterHeader = true;
            continue;
          }
          if (afterHeader) {
            afterHeader = false;
            if (isUnderline(values)) continue;
          }
          if (values.length !== width) {
            if (isRowCount(values)) continue;
            throw dumpError(file.name, record.line, `malformed line: ${values.length} field${values.length === 1 ? '' : 's'} where the header has ${width} (an unquoted delimiter or line break in a value?).`);
          }
          rows.push(record);
        }
        if (rows.length > 0) yield rows;
      }
    },
  };
}

async function readHeader(file: DumpFile, encoding: DumpEncoding, skip: number): Promise<{ names: string[]; line: number }> {
  for await (const records of scanRecords(file, encoding, skip)) {
    for (const { values, line } of records) {
      if ((values.length === 1 && values[0] === '') || isTypeLine(values)) continue;
      return { names: values, line };
    }
  }
  throw dumpError(file.name, null, 'the file is empty: the first row must name the columns.');
}

/** A value as the dump means it: empty, or the literal NULL that sqlcmd prints, is NULL. */
export const valueOf = (row: DumpRow, index: number | undefined): string | null => {
  if (index === undefined) return null;
  const v = row.values[index];
  return v === undefined || v === '' || v === 'NULL' ? null : v;
};
