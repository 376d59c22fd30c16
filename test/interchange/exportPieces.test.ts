import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yauzl from 'yauzl';
import { ZipWriter } from '../../src/interchange/archive/zipWriter.js';
import { IsoFormatter } from '../../src/interchange/pchat/isoTime.js';
import { Digest, DigestLines, field } from '../../src/interchange/verify/digest.js';
import { createHash } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'pchat-export-pieces-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every entry of a zip as yauzl (the archive reader's library) reads it, CRC and sizes checked. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (e, z) => (e || !z ? reject(e) : resolve(z))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      }),
    );
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return out;
}

describe('the archive zip writer', () => {
  it('writes ZIP64 entries, streamed in pieces, that a zip reader extracts byte for byte', async () => {
    const file = join(dir, 'a.zip');
    const zip = new ZipWriter(createWriteStream(file));
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const entry = await zip.entry('big.ndjson');
    for (let at = 0; at < big.length; at += 100_000) await entry.write(big.subarray(at, at + 100_000));
    await entry.end();
    await (await zip.entry('empty.ndjson')).end();
    await zip.add('manifest.json', Buffer.from('{"é":"ü"}\n'));
    await zip.finish();
    const entries = await unzip(file);
    assert.deepEqual([...entries.keys()], ['big.ndjson', 'empty.ndjson', 'manifest.json']);
    assert.ok(entries.get('big.ndjson')!.equals(big));
    assert.equal(entries.get('empty.ndjson')!.length, 0);
    assert.equal(entries.get('manifest.json')!.toString('utf8'), '{"é":"ü"}\n');
    assert.ok(statSync(file).size < big.length, 'the data is deflated');
  });

  it('fails, instead of hanging, when the output cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const zip = new ZipWriter(createWriteStream(join(blocker, 'x.zip')));
    await assert.rejects(async () => {
      const entry = await zip.entry('a.ndjson');
      await entry.write(Buffer.alloc(1024));
      await entry.end();
      await zip.finish();
    }, /ENOTDIR/);
  });
});

describe('the ISO time formatter', () => {
  it('gives what toISOString gives, across days, years and the edges of its fast path', () => {
    const times = new IsoFormatter();
    const samples = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_700_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 1.5];
    for (let t = 1_400_000_000_000; t < 1_400_000_000_000 + 3 * 86_400_000; t += 7_777_777) samples.push(t);
    for (const ms of samples) assert.equal(times.format(ms), new Date(ms).toISOString(), String(ms));
  });
});

describe('the verify digest', () => {
  it('hashes the documented line: each field length-prefixed, title null as "-", ill-formed strings as JSON', () => {
    const authors = new Map([['7', 'pchat:x\u0000u7']]);
    const lines = new DigestLines((a: string) => authors.get(a) ?? `missing ${a}`);
    assert.equal(lines.line('gc', '12', '7', '2015-01-01T00:00:00.000Z', 'text', null, 'é😀'), '2:gc2:1210:pchat:x\u0000u724:2015-01-01T00:00:00.000Z4:text-3:é😀\n');
    assert.equal(lines.line('gc', '13', '9', 'at', 'story', 'T', 'a\ud800'), '2:gc2:139:missing 92:at5:story1:T!9:"a\\ud800"\n');
    assert.equal(field('"a\\ud800"'), '9:"a\\ud800"', 'a well-formed text that looks like the JSON of an ill-formed one stays apart');
  });

  it('tells apart messages whose fields only move a boundary', () => {
    const lines = new DigestLines((a: string) => a);
    const a = lines.line('s', 'ab', 'u', 't', 'text', null, 'c');
    const b = lines.line('s', 'a', 'u', 't', 'text', null, 'bc');
    const c = lines.line('s', 'a', 'u', 't', 'text', '', 'c');
    assert.equal(new Set([a, b, c]).size, 3);
  });

  it('gives the same hash in buffered pieces as line by line, past the piece size and for a line larger than a piece', () => {
    const digest = new Digest();
    const reference = createHash('sha256');
    for (let i = 0; i < 3000; i++) {
      const line = `${'x'.repeat(i % 97)}${i}é\n`;
      digest.add(line);
      reference.update(line);
    }
    const huge = 'ü'.repeat(100_000);
    digest.add(huge);
    reference.update(huge);
    assert.equal(digest.count, 3001);
    assert.equal(digest.hex(), reference.digest('hex'));
  });
});
