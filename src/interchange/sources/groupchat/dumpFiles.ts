import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PchatError } from '../../../core/errors.js';
import { scanRecords } from './scanner.js';

/**
 * Reading one table dump, in one of two forms, decided per file from its first line:
 * - `header` (the documented form): `<table>.csv` (comma) or `<table>.tsv` (tab), RFC 4180
 *   quoting, a header row of column names;
 * - `plain`: what `bcp <table> out <file> -c` (or `-w`) writes with no other option: tab-separated,
 *   no header, no quoting, the documented columns in the documented order. A tab or a line
 *   break inside a text value cannot be told from a field or row end there, so a line with the
 *   wrong number of fields is reported as ambiguous, with the form to dump instead.
 * UTF-8 (with or without BOM) or UTF-16LE with BOM. Everything that makes a file unreadable
 * throws `invalid_dump` naming the file and, where there is one, the line
 * (docs/groupchat-dump.md). Rows stream in batches, so memory does not grow with the file.
 */

export interface TableSpec {
  readonly table: string;
  /** Columns the reader needs; a file without one of them is rejected. */
  readonly required: readonly string[];
  /** Documented columns the reader may use or ignores; any other column is reported. */
  readonly optional: readonly string[];
  /** Every documented column in the documented order: the columns of a plain bcp file. */
  readonly order: readonly string[];
  /** The text columns: where a tab or line break makes a plain file ambiguous. */
  readonly text: readonly string[];
}

export type DumpEncoding = 'utf-8' | 'utf-16le';

/** `header`: the documented form (header line, quoting); `plain`: plain `bcp out -c` output. */
export type DumpForm = 'header' | 'plain';

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
  readonly form: DumpForm;
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
    if (hasStrayNul(bytes)) {
      throw dumpError(file.name, null, 'the file contains NUL bytes: UTF-16 without a byte-order mark, or a native-format (`bcp -n`) dump. Dump with `bcp -w` or `-c -C 65001`.');
    }
    return { encoding: 'utf-8', skip: 0 };
  } finally {
    await handle.close();
  }
}

/**
 * A NUL byte that is not a whole field. `bcp -c` writes an empty string as a field of one NUL
 * (between tabs or line ends); any other NUL is UTF-16 without BOM or a binary dump.
 */
function hasStrayNul(bytes: Buffer): boolean {
  const fieldEnd = (b: number | undefined) => b === undefined || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x2c;
  for (let i = bytes.indexOf(0); i !== -1; i = bytes.indexOf(0, i + 1)) {
    if (!(i === 0 || fieldEnd(bytes[i - 1])) || !fieldEnd(bytes[i + 1])) return true;
  }
  return false;
}

/** sqlcmd prints a line of dashes under the header, and "(n rows affected)" at the end unless SET NOCOUNT ON. */
const isUnderline = (values: readonly string[]) => values.every((v) => /^-+$/.test(v));
const isRowCount = (values: readonly string[]) => values.length === 1 && /^\(\d+ rows? affected\)$/.test(values[0]!.trim());
/** Export-Csv without -NoTypeInformation writes `#TYPE System.Data.DataRow` first. */
const isTypeLine = (values: readonly string[]) => values.length === 1 && values[0]!.startsWith('#TYPE ');

/** Opens a table dump: decides the encoding and the form, reads and checks the header against the spec. */
export async function openTable(file: DumpFile, spec: TableSpec): Promise<OpenTable> {
  const { encoding, skip } = await sniff(file);
  const first = await firstLine(file, encoding, skip, spec);
  if (first.form === 'plain') return plainTable(file, spec, encoding, skip);
  const header = first.header;
  const known = new Map<string, string>([...spec.required, ...spec.optional].map((c) => [c.toLowerCase(), c]));
  const columns = new Map<string, number>();
  const unknownColumns: string[] = [];
  header.names.forEach((raw, index) => {
    const name = columnName(raw);
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
    form: 'header',
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

/** sqlcmd and SSMS may bracket names; SQL Server compares names case-insensitively. */
const columnName = (raw: string) => raw.trim().replace(/^\[(.*)\]$/, '$1');

/** What to run instead of a plain dump that cannot be read unambiguously. */
export function documentedFormAdvice(table: string): string {
  const how =
    table === 'tblChat'
      ? 'the `bcp "SELECT … FROM mgc.dbo.tblChat …" queryout tblChat.tsv -w -t "\\t" -r "\\r\\n"` command, which adds the header and quotes content'
      : `\`Invoke-Sqlcmd … -Query "SET NOCOUNT ON; SELECT * FROM dbo.${table}" | Export-Csv -Path "${table}.csv" -NoTypeInformation -Encoding UTF8\`, which adds the header and quotes every value`;
  return `Dump ${table} in the documented form instead: ${how} (docs/groupchat-dump.md, "Producing the files on the legacy SQL Server").`;
}

/**
 * Which form the file is in, from its first line: a header naming at least one required column
 * is the documented form; otherwise a line of exactly the table's documented number of
 * tab-separated fields is plain bcp output; otherwise a header naming some documented column is
 * the documented form missing columns (reported as such); anything else is neither. An empty
 * file is a plain dump of an empty table (bcp writes nothing for one). The first
 * line is read without quoting, so a plain file is never scanned far for a closing quote.
 */
async function firstLine(file: DumpFile, encoding: DumpEncoding, skip: number, spec: TableSpec): Promise<{ form: 'header'; header: { names: string[]; line: number } } | { form: 'plain' }> {
  const plain = await readFirst(file, encoding, skip, 'plain');
  // What bcp writes for a table without rows (the documented form would have its header).
  if (plain === null) return { form: 'plain' };
  // Header names hold no delimiter: the line split at the file's delimiter, quotes dropped.
  const names = new Set(plain.values.join('\t').split(file.delimiter).map((n) => columnName(n.trim().replace(/^"(.*)"$/, '$1')).toLowerCase()));
  const header = async () => ({ form: 'header' as const, header: await readHeader(file, encoding, skip) });
  if (spec.required.some((c) => names.has(c.toLowerCase()))) return header();
  const width = spec.order.length;
  if (plain.values.length === width) return { form: 'plain' };
  if ([...spec.order, ...spec.optional].some((c) => names.has(c.toLowerCase()))) return header();
  throw dumpError(
    file.name,
    plain.line,
    `the first line neither names the columns (the documented form, with a header line) nor has the ${width} tab-separated fields of a plain \`bcp ${spec.table} out -c\` row ` +
      `(it has ${plain.values.length}). ${spec.text.length > 0 ? `If it is plain bcp output, a tab or a line break inside a text value (${spec.text.join(', ')}) makes it ambiguous. ` : ''}${documentedFormAdvice(spec.table)}`,
  );
}

/** A plain bcp file: no header, the documented columns in the documented order, one row per line. */
function plainTable(file: DumpFile, spec: TableSpec, encoding: DumpEncoding, skip: number): OpenTable {
  const width = spec.order.length;
  const ambiguous = (line: number, fields: number) =>
    dumpError(
      file.name,
      line,
      `${fields === 0 ? 'an empty line' : `${fields} field${fields === 1 ? '' : 's'}`} where a plain \`bcp ${spec.table} out -c\` row has ${width}. ` +
        (spec.text.length > 0
          ? `This file is plain bcp output (tab-separated, no header, no quoting), where a tab or a line break inside a text value (${spec.text.join(', ')}) cannot be told from the end of a field or of a row: the file is ambiguous. `
          : 'This file is plain bcp output (tab-separated, no header, no quoting), and this line does not have the documented columns. ') +
        documentedFormAdvice(spec.table),
    );
  return {
    file,
    encoding,
    form: 'plain',
    columns: new Map(spec.order.map((c, i) => [c, i])),
    unknownColumns: [],
    async *batches() {
      for await (const records of scanRecords(file, encoding, skip, 'plain')) {
        for (const record of records) {
          const { values } = record;
          // bcp writes no empty lines: one is a line break that ended a value.
          if (values.length === 1 && values[0] === '') throw ambiguous(record.line, 0);
          if (values.length !== width) throw ambiguous(record.line, values.length);
        }
        if (records.length > 0) yield records;
      }
    },
  };
}

/** The first record that is not a blank line or Export-Csv's `#TYPE` line. */
async function readFirst(file: DumpFile, encoding: DumpEncoding, skip: number, form: DumpForm): Promise<{ values: string[]; line: number } | null> {
  for await (const records of scanRecords(file, encoding, skip, form)) {
    for (const record of records) {
      if ((record.values.length === 1 && record.values[0] === '') || isTypeLine(record.values)) continue;
      return record;
    }
  }
  return null;
}

async function readHeader(file: DumpFile, encoding: DumpEncoding, skip: number): Promise<{ names: string[]; line: number }> {
  const first = await readFirst(file, encoding, skip, 'header');
  if (first === null) throw dumpError(file.name, null, 'the file is empty: the first row must name the columns.');
  return { names: first.values, line: first.line };
}

/** A value as the dump means it: empty, or the literal NULL that sqlcmd prints, is NULL. */
export const valueOf = (row: DumpRow, index: number | undefined): string | null => {
  if (index === undefined) return null;
  const v = row.values[index];
  return v === undefined || v === '' || v === 'NULL' ? null : v;
};
