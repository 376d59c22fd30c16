import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { PchatError } from '../../../src/core/errors.js';
import { RecordScanner, scanRecords, type ScannedRecord } from '../../../src/interchange/sources/groupchat/scanner.js';
import { tempDir } from './helpers.js';

const FILE = { path: 'x.csv', name: 'x.csv', delimiter: ',' as const };

/** The records of `text` fed to the scanner in pieces of `step` characters (Infinity: whole). */
function scan(text: string, step = Infinity, maxRecordChars?: number): ScannedRecord[] {
  const scanner = new RecordScanner(FILE, ',', maxRecordChars);
  const out: ScannedRecord[] = [];
  for (let at = 0; at < text.length; at += step) out.push(...scanner.push(text.slice(at, at + step), false));
  out.push(...scanner.push('', true));
  return out;
}

/** What the previous reader (csv-parse, with the options it ran with) made of the text: records, or an error. */
function csvParse(text: string): string[][] | 'error' {
  try {
    return parse(text, { delimiter: ',', record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: false, bom: false }) as string[][];
  } catch {
    return 'error';
  }
}

const malformedAt = (line: number, text?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PchatError && error.code === 'invalid_dump', String(error));
  assert.ok(error.message.startsWith(`x.csv, line ${line}: malformed line`), error.message);
  if (text) assert.match(error.message, text);
  return true;
};

describe('groupchat dump: the record scanner', () => {
  it('splits as csv-parse did, for every way of cutting the text into pieces', () => {
    const samples = [
      'a,b\r\nc,d\n',
      '"a, ""b""",c\r\n"two\r\nlines",x\n\n\r\n,\n"",""',
      'bare\rcr,kept\r\nlast,line\r',
      'é,"ü\n😀",\t\n',
    ];
    for (const text of samples) {
      const expected = csvParse(text);
      for (const step of [Infinity, 1, 2, 3, 7]) assert.deepEqual(scan(text, step).map((r) => r.values), expected, `${JSON.stringify(text)} in pieces of ${step}`);
    }
  });

  it('agrees with csv-parse on random text of delimiters, quotes and line breaks', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'b', ',', '"', '"', '\r', '\n', 'é'];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 14) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const expected = csvParse(text);
      for (const step of [Infinity, 1, 3]) {
        let got: string[][] | 'error';
        try {
          got = scan(text, step).map((r) => r.values);
        } catch (error) {
          assert.ok(error instanceof PchatError, String(error));
          got = 'error';
        }
        assert.deepEqual(got, expected, `${JSON.stringify(text)} in pieces of ${step}`);
      }
    }
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    const records = scan('h1,h2\r\n"a\r\nb\nc",d\r\n\r\ne,f\n');
    assert.deepEqual(records.map((r) => r.line), [1, 2, 5, 6]);
  });

  it('names the line of a quote inside an unquoted field, of text after a closing quote, and of a quote never closed', () => {
    assert.throws(() => scan('h\n"x\ny"\nab"c\n'), malformedAt(4, /quote inside the unquoted field 1/));
    assert.throws(() => scan('h\n"a"b,c\n', 2), malformedAt(2, /"b" after the closing quote of field 1/));
    assert.throws(() => scan('h\nok\n"open\nand on\n'), malformedAt(3, /never closed/));
  });

  it('refuses a record longer than its limit instead of reading the rest of the file into it', () => {
    assert.throws(() => scan(`h\n"${'x'.repeat(100)}\n`, 10, 50), malformedAt(2, /over 50 characters/));
    assert.deepEqual(scan(`"${'x'.repeat(40)}"\n`, 10, 50)[0]!.values, ['x'.repeat(40)]);
  });
});

describe('groupchat dump: reading files in pieces', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  const read = async (name: string, bytes: Buffer, encoding: 'utf-8' | 'utf-16le', skip = 0) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const out: ScannedRecord[] = [];
    for await (const batch of scanRecords({ path, name, delimiter: name.endsWith('.tsv') ? '\t' : ',' }, encoding, skip)) out.push(...batch);
    return out;
  };

  it('decodes characters cut by the 64 KiB read pieces, in UTF-8 and UTF-16LE', async () => {
    // Every line is 7 characters; a 4-byte character per line puts one across every piece boundary sooner or later.
    const lines = Array.from({ length: 30_000 }, (_, i) => `${String(i % 1000).padStart(3, '0')},😀é\n`);
    const text = lines.join('');
    const utf8 = await read('pieces.csv', Buffer.from(text, 'utf8'), 'utf-8');
    assert.equal(utf8.length, lines.length);
    assert.deepEqual(utf8[29_999]!.values, ['999', '😀é']);
    assert.ok(utf8.every((r) => r.values[1] === '😀é'));
    const utf16 = await read('pieces.tsv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replaceAll(',', '\t'), 'utf16le')]), 'utf-16le', 2);
    assert.equal(utf16.length, lines.length);
    assert.ok(utf16.every((r, i) => r.line === i + 1 && r.values[1] === '😀é'));
  });

  it('names the line of invalid UTF-8 far into the file, after quoted line breaks', async () => {
    const head = `h,t\n${'x,"a\nb"\n'.repeat(20_000)}`; // 40,001 lines, over two read pieces
    const bytes = Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from('y,caf\xe9\n', 'latin1')]);
    await assert.rejects(read('bad.csv', bytes, 'utf-8'), (error: unknown) => error instanceof PchatError && error.message.startsWith('bad.csv, line 40002: invalid UTF-8'));
  });
});
