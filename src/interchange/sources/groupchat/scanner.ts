import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';
import type { PchatError } from '../../../core/errors.js';
import { type DumpEncoding, type DumpFile, type DumpForm, dumpError } from './dumpFiles.js';

/**
 * The records of a table dump, as `bcp`/`sqlcmd`/Export-Csv write them: fields separated by the
 * file's delimiter, records by CRLF or LF, RFC 4180 quoting (a quoted field may hold the
 * delimiter, line breaks and `""` for a quote). It decodes (strict UTF-8, or UTF-16LE) and splits
 * with native string searches, a record at a time, and counts lines as it goes. Written for
 * tblChat: csv-parse, which this replaces, walked every character in JavaScript and read about
 * 360,000 rows/s, well under the export target. Its rules are csv-parse's with
 * `relax_column_count`: a blank line is a record of one empty field; a bare CR inside a field is
 * data; a quote inside an unquoted field, anything but a delimiter or line end after a closing
 * quote, and a quote never closed are malformed lines (test/interchange/groupchat/scanner.test.ts).
 * Plain `bcp -c` output (`quoting` off) has no quoting at all: every quote is data. In both, a
 * field that is one NUL character is an empty string (how bcp writes one).
 */

export interface ScannedRecord {
  /** The line the record starts on (1-based, the header is line 1 unless blank lines precede it). */
  readonly line: number;
  readonly values: string[];
}

/** Text of one record may not pass this: a quote left open would otherwise swallow the whole file into memory. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

function countNewlines(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Splits text into records; keeps an incomplete last record until more text (or the end) comes. */
export class RecordScanner {
  private text = '';
  /** The line on which `text` starts. */
  line = 1;
  private readonly delimiter: string;
  private readonly delimiterCode: number;

  constructor(
    private readonly file: DumpFile,
    delimiter: ',' | '\t',
    private readonly maxRecordChars = MAX_RECORD_CHARS,
    /** false for plain `bcp -c` output, which never quotes: a quote is part of the value. */
    private readonly quoting = true,
  ) {
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** The line numbers of the text not yet turned into records (for errors found while decoding). */
  linesPending(): number {
    return countNewlines(this.text);
  }

  /** Adds text and returns the records it completes; `final` = no more text follows. */
  push(chunk: string, final: boolean): ScannedRecord[] {
    const s = this.text.length === 0 ? chunk : this.text + chunk;
    const records: ScannedRecord[] = [];
    let p = 0;
    while (p < s.length) {
      const end = this.record(s, p, final, records);
      if (end === -1) break;
      p = end;
    }
    this.text = s.slice(p);
    if (this.text.length > this.maxRecordChars) {
      throw this.malformed(this.line, `a record runs over ${this.maxRecordChars.toLocaleString('en')} characters${this.quoting ? ': a quote that is never closed?' : ' (a line without its end).'}`);
    }
    return records;
  }

  /** Parses the record at `start`; returns where the next one starts, or -1 when it is incomplete. */
  private record(s: string, start: number, final: boolean, out: ScannedRecord[]): number {
    const d = this.delimiter;
    const line = this.line;
    const values: string[] = [];
    let newlines = 0;
    let p = start;
    let eol = s.indexOf('\n', p);
    for (;;) {
      if (this.quoting && s.charCodeAt(p) === QUOTE) {
        let value = '';
        let from = p + 1;
        let close: number;
        for (;;) {
          close = s.indexOf('"', from);
          if (close === -1 || (close + 1 === s.length && !final)) {
            if (final) throw this.malformed(line, 'a quoted value is never closed.');
            return -1;
          }
          if (s.charCodeAt(close + 1) !== QUOTE) break;
          value += s.slice(from, close + 1);
          from = close + 2;
        }
        value += s.slice(from, close);
        values.push(value);
        if (eol !== -1 && eol < close) {
          newlines += countNewlines(s, p, close);
          eol = s.indexOf('\n', close);
        }
        p = close + 1;
        const c = s.charCodeAt(p);
        if (c === this.delimiterCode) {
          p++;
          continue;
        }
        if (c === LF) return this.emit(out, line, newlines, values, p + 1);
        if (c === CR && s.charCodeAt(p + 1) === LF) return this.emit(out, line, newlines, values, p + 2);
        if (p === s.length) return final ? this.emit(out, line, newlines, values, p) : -1;
        if (c === CR && p + 1 === s.length && !final) return -1;
        throw this.malformed(line, `${JSON.stringify(s.charAt(p))} after the closing quote of field ${values.length}, where a delimiter or the end of the line belongs.`);
      }
      if (eol === -1 && !final) return -1;
      const lineEnd = eol === -1 ? s.length : eol;
      let next = s.indexOf(d, p);
      if (next === -1 || next > lineEnd) next = lineEnd;
      // A CR before the LF belongs to the record delimiter; any other CR is data.
      const valueEnd = next === eol && next > p && s.charCodeAt(next - 1) === CR ? next - 1 : next;
      const value = s.slice(p, valueEnd);
      if (this.quoting && value.includes('"')) throw this.malformed(line, `a quote inside the unquoted field ${values.length + 1} (${JSON.stringify(value.slice(0, 40))}): quote the whole value and double its quotes.`);
      // bcp writes an empty string as one NUL character (and NULL as nothing).
      values.push(value === '\u0000' ? '' : value);
      if (next === lineEnd) return this.emit(out, line, newlines, values, eol === -1 ? s.length : eol + 1);
      p = next + 1;
    }
  }

  private emit(out: ScannedRecord[], line: number, newlines: number, values: string[], next: number): number {
    out.push({ line, values });
    // The record's own newlines plus the one that ends it (none at the end of a file without one).
    this.line = line + newlines + 1;
    return next;
  }

  private malformed(line: number, problem: string): PchatError {
    return dumpError(this.file.name, line, `malformed line: ${problem}`);
  }
}

/** The number of bytes at the end of `buf` that start an unfinished UTF-8 sequence. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Only on failure: the line (counted from `line`) of the first line of `buf` that is not UTF-8 (no sequence spans a newline). */
function invalidLine(buf: Buffer, line: number): number {
  for (let start = 0; ; line++) {
    const nl = buf.indexOf(10, start);
    if (nl === -1 || !isUtf8(buf.subarray(start, nl))) return line;
    start = nl + 1;
  }
}

/**
 * Every record of a dump file after the first `skip` bytes (a BOM), in batches as the file is
 * read. Throws `invalid_dump` naming the file and line for bytes that are not the encoding's.
 */
export async function* scanRecords(file: DumpFile, encoding: DumpEncoding, skip: number, form: DumpForm = 'header'): AsyncGenerator<ScannedRecord[]> {
  // Plain bcp output is tab-separated and unquoted, whatever the file is named.
  const scanner = form === 'plain' ? new RecordScanner(file, '\t', MAX_RECORD_CHARS, false) : new RecordScanner(file, file.delimiter);
  const utf16 = encoding === 'utf-16le' ? new TextDecoder('utf-16le', { fatal: true }) : null;
  const lineOfDecoding = () => scanner.line + scanner.linesPending();
  let carry: Buffer | null = null;
  // Pieces of 64 KiB: the text of a bigger one is a large object, allocated straight in the old
  // generation, and a megabyte at a time of those grew the heap by 100 MiB between collections.
  const stream = createReadStream(file.path, { start: skip, highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text: string;
      if (utf16) {
        try {
          text = utf16.decode(chunk, { stream: true });
        } catch (error) {
          throw dumpError(file.name, lineOfDecoding(), 'invalid UTF-16LE (an unpaired surrogate) at or after this line.', error);
        }
      } else {
        const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
        const keep = incompleteTail(buf);
        const whole = buf.subarray(0, buf.length - keep);
        carry = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : null;
        if (!isUtf8(whole)) {
          throw dumpError(file.name, invalidLine(whole, lineOfDecoding()), 'invalid UTF-8 bytes. Dump as UTF-8 (`bcp -c -C 65001`) or UTF-16LE with BOM (`bcp -w`); other code pages are not accepted.');
        }
        text = whole.toString('utf8');
      }
      const records = scanner.push(text, false);
      if (records.length > 0) yield records;
    }
    let rest = '';
    if (utf16) {
      try {
        rest = utf16.decode();
      } catch (error) {
        throw dumpError(file.name, lineOfDecoding(), 'the file ends inside a UTF-16 character.', error);
      }
    } else if (carry) {
      throw dumpError(file.name, lineOfDecoding(), 'the file ends inside a UTF-8 character (invalid UTF-8).');
    }
    const records = scanner.push(rest, true);
    if (records.length > 0) yield records;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'invalid_dump') throw error;
    throw dumpError(file.name, null, `cannot read the file: ${(error as Error).message ?? String(error)}`, error);
  } finally {
    stream.destroy();
  }
}
