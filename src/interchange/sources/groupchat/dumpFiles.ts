import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import { PchatError } from '../../../core/errors.js';

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

/** The number of complete bytes at the end of `buf` that could start an unfinished UTF-8 sequence. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

const countLines = (buf: Buffer, end = buf.length): number => {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
};

/**
 * Checks UTF-8 as it streams (csv-parse would silently turn bad bytes into U+FFFD), naming the
 * line of the first invalid byte; decodes UTF-16LE to UTF-8 so the parser sees one encoding.
 */
class Decoder extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 1;
  private readonly utf16: TextDecoder | null;

  constructor(
    private readonly file: DumpFile,
    encoding: DumpEncoding,
  ) {
    super();
    this.utf16 = encoding === 'utf-16le' ? new TextDecoder('utf-16le', { fatal: true }) : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.utf16) {
      let text: string;
      try {
        text = this.utf16.decode(chunk, { stream: true });
      } catch (error) {
        done(dumpError(this.file.name, this.lines, 'invalid UTF-16LE (an unpaired surrogate) at or after this line.', error));
        return;
      }
      const out = Buffer.from(text, 'utf8');
      this.lines += countLines(out);
      done(null, out);
      return;
    }
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const keep = incompleteTail(buf);
    const whole = buf.subarray(0, buf.length - keep);
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
    if (!isUtf8(whole)) {
      done(this.invalidAt(whole));
      return;
    }
    this.lines += countLines(whole);
    done(null, whole);
  }

  override _flush(done: TransformCallback): void {
    if (this.utf16) {
      try {
        const rest = this.utf16.decode();
        done(null, rest ? Buffer.from(rest, 'utf8') : undefined);
      } catch (error) {
        done(dumpError(this.file.name, this.lines, 'the file ends inside a UTF-16 character.', error));
      }
      return;
    }
    done(this.carry.length > 0 ? dumpError(this.file.name, this.lines, 'the file ends inside a UTF-8 character (invalid UTF-8).') : null);
  }

  /** Only on failure: find the first line of the chunk that is not UTF-8 (no sequence spans a newline). */
  private invalidAt(buf: Buffer): PchatError {
    let start = 0;
    let line = this.lines;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const end = nl === -1 ? buf.length : nl;
      if (!isUtf8(buf.subarray(start, end)) || nl === -1) break;
      start = nl + 1;
      line++;
    }
    return dumpError(this.file.name, line, 'invalid UTF-8 bytes. Dump as UTF-8 (`bcp -c -C 65001`) or UTF-16LE with BOM (`bcp -w`); other code pages are not accepted.');
  }
}

/** sqlcmd prints a line of dashes under the header, and "(n rows affected)" at the end unless SET NOCOUNT ON. */
const isUnderline = (values: readonly string[]) => values.every((v) => /^-+$/.test(v));
const isRowCount = (values: readonly string[]) => values.length === 1 && /^\(\d+ rows? affected\)$/.test(values[0]!.trim());
/** Export-Csv without -NoTypeInformation writes `#TYPE System.Data.DataRow` first. */
const isTypeLine = (values: readonly string[]) => values.length === 1 && values[0]!.startsWith('#TYPE ');

/** Counts the lines a parsed record spans: one, plus each newline embedded in its fields. */
function linesIn(values: readonly string[]): number {
  let n = 1;
  for (const v of values) {
    for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function rawRecords(file: DumpFile, encoding: DumpEncoding, skip: number): Readable {
  const parser = parse({
    delimiter: file.delimiter,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: false,
    bom: false,
  });
  // The parser is the last stream: pipeline() destroys it with the first error of any stage.
  pipeline(createReadStream(file.path, { start: skip, highWaterMark: 1 << 20 }), new Decoder(file, encoding), parser, () => {});
  return parser;
}

/**
 * Yields the parser's records in arrays as they become available: a per-record `for await`
 * costs a promise per row, which at ten million rows is most of the time.
 */
async function* recordBatches(stream: Readable): AsyncGenerator<string[][]> {
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('readable', signal);
  stream.on('end', () => {
    ended = true;
    signal();
  });
  stream.on('error', (error) => {
    failure = error;
    signal();
  });
  try {
    for (;;) {
      if (failure) throw failure;
      const batch: string[][] = [];
      let record: string[] | null;
      while (batch.length < 4096 && (record = stream.read() as string[] | null) !== null) batch.push(record);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.destroy();
  }
}

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
      let line = 1;
      let seenHeader = false;
      let afterHeader = false;
      try {
        for await (const records of recordBatches(rawRecords(file, encoding, skip))) {
          const rows: DumpRow[] = [];
          for (const values of records) {
            const start = line;
            line += linesIn(values);
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
              throw dumpError(file.name, start, `malformed line: ${values.length} field${values.length === 1 ? '' : 's'} where the header has ${width} (an unquoted delimiter or line break in a value?).`);
            }
            rows.push({ line: start, values });
          }
          if (rows.length > 0) yield rows;
        }
      } catch (error) {
        if (error instanceof PchatError) throw error;
        const e = error as { code?: string; message?: string };
        if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
          throw dumpError(file.name, line, `malformed line: ${String(e.message).replace(/ at line \d+/, '')}`, error);
        }
        throw dumpError(file.name, null, `cannot read the file: ${e.message ?? String(error)}`, error);
      }
    },
  };
}

async function readHeader(file: DumpFile, encoding: DumpEncoding, skip: number): Promise<{ names: string[]; line: number }> {
  let line = 1;
  try {
    for await (const records of recordBatches(rawRecords(file, encoding, skip))) {
      for (const values of records) {
        const start = line;
        line += linesIn(values);
        if ((values.length === 1 && values[0] === '') || isTypeLine(values)) continue;
        return { names: values, line: start };
      }
    }
  } catch (error) {
    if (error instanceof PchatError) throw error;
    throw dumpError(file.name, line, `malformed header: ${(error as Error).message}`, error);
  }
  throw dumpError(file.name, null, 'the file is empty: the first row must name the columns.');
}

/** A value as the dump means it: empty, or the literal NULL that sqlcmd prints, is NULL. */
export const valueOf = (row: DumpRow, index: number | undefined): string | null => {
  if (index === undefined) return null;
  const v = row.values[index];
  return v === undefined || v === '' || v === 'NULL' ? null : v;
};
