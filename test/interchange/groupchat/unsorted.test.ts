import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shuffledOrder, type Cell } from '../../../bench/lib/groupchatDump.js';
import { PchatError } from '../../../src/core/errors.js';
import type { ExportOptions } from '../../../src/interchange/archive/records.js';
import { writeArchive } from '../../../src/interchange/archive/writer.js';
import { groupChatSource, type GroupChatOptions } from '../../../src/interchange/sources/groupchat/source.js';
import { verify } from '../../../src/interchange/verify/verify.js';
import { openDir, pchat } from '../../helpers/interchange.js';
import { all, baseTables, chat, node, tempDir, writeDump, type Tables } from './helpers.js';

/** Messages over three rooms with every awkward kind of content, including one longer than a merge block. */
function tables(order: 'sorted' | 'shuffled'): Tables {
  const t = baseTables();
  t.tblNode.rows.push(node(11, 2, false, 'second'), node(12, 2, false, 'third'));
  const contents = (i: number) =>
    [
      `plain ${i}`,
      `"quoted", with a comma ${i}`,
      `two\r\nlines ${i}`,
      `a\ttab ${i}`,
      `naïve café 😀 ${i}`,
      'NULL',
      '',
      `[STORY]Title ${i}\r\nbody`,
      `see <a href="https://example.com/${i}">the page</a>`,
    ][i % 9]!;
  const rows: Cell[][] = [];
  for (let i = 0; i < 400; i++) rows.push(chat([10, 11, 12][i % 3]!, Math.floor(i / 3) + 1, [100, 101][i % 2]!, contents(i)));
  // Longer than a merge block (32 KiB) and than the tiny runs below.
  rows.push(chat(11, 500, 100, `long ${'x'.repeat(70_000)} end`));
  const at = order === 'shuffled' ? shuffledOrder(rows.length, 7) : (k: number) => k;
  t.tblChat.rows.splice(0, 2, ...rows.map((_, k) => rows[at(k)]!));
  return t;
}

const EXPORT: ExportOptions = { level: 'all', scope: [], startDate: null, disableExported: false };
/** Runs of three rows merged two at a time: many runs, several merge passes, a row larger than a run. */
const TINY: GroupChatOptions = { runRows: 3, runBytes: 4096, runFanIn: 2 };

describe('groupchat dump: an unsorted tblChat', () => {
  let dir: string;
  let done: () => Promise<void>;
  let sorted: string;
  let shuffled: string;
  let tmp: string;
  before(async () => {
    ({ dir, done } = await tempDir());
    sorted = await writeDump(join(dir, 'sorted'), tables('sorted'));
    shuffled = await writeDump(join(dir, 'shuffled'), tables('shuffled'));
    tmp = join(dir, 'tmp');
    mkdirSync(tmp);
  });
  after(() => done());

  const read = async (path: string, options: GroupChatOptions = {}) => {
    const source = await groupChatSource(path, { tmpDir: tmp, ...options });
    try {
      return { messages: await all(source, 'messages'), notes: await all(source, 'notes') };
    } finally {
      await source.close();
    }
  };

  it('reads, exports and verifies exactly as the sorted dump, through many tiny runs and several merge passes', async () => {
    const expected = await read(sorted);
    assert.equal(expected.messages.length, 401);
    assert.deepEqual(await read(shuffled, TINY), expected);
    assert.deepEqual(await read(shuffled), expected, 'with the default runs');
    assert.deepEqual(readdirSync(tmp), [], 'no run or note file is left');

    // The archives hold the same records, byte for byte.
    const archive = async (path: string, options: GroupChatOptions, name: string) => {
      const source = await groupChatSource(path, { tmpDir: tmp, ...options });
      try {
        return (await writeArchive(join(dir, name), source, EXPORT)).files;
      } finally {
        await source.close();
      }
    };
    const [a, b] = [await archive(sorted, {}, 'sorted.zip'), await archive(shuffled, TINY, 'shuffled.zip')];
    for (const file of ['messages.ndjson', 'notes.ndjson', 'rooms.ndjson']) assert.equal(b[file]?.sha256, a[file]?.sha256, file);

    // The real CLI: both dumps export the same messages and verify against an import of one.
    const [x, y] = [join(dir, 'cli-sorted.zip'), join(dir, 'cli-shuffled.zip')];
    for (const [path, out] of [[sorted, x], [shuffled, y]] as const) assert.equal((await pchat(['export', '--from', `groupchat-db:${path}`, '--out', out])).code, 0);
    const data = join(dir, 'target');
    const imported = await pchat(['import', y, '--yes', '--data-dir', data]);
    assert.equal(imported.code, 0, imported.stderr);
    for (const path of [sorted, shuffled]) {
      const verified = await pchat(['verify', '--source', `groupchat-db:${path}`, '--target', join(data, 'pchat.db'), '--json']);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.equal(JSON.parse(verified.stdout).compared.message, 401);
    }
    // And in process, with the tiny runs: the same room digests as the sorted dump's.
    const local = await openDir(data);
    try {
      const digests = async (path: string, options: GroupChatOptions) => {
        const source = await groupChatSource(path, { tmpDir: tmp, ...options });
        try {
          const result = await verify(source, local.store);
          assert.deepEqual(result.conflicts, []);
          return result.rooms;
        } finally {
          await source.close();
        }
      };
      assert.deepEqual(await digests(shuffled, TINY), await digests(sorted, {}));
    } finally {
      await local.close();
    }
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('rejects a message id given twice, naming both lines, however far apart the runs put them', async () => {
    const t = tables('shuffled');
    const first = t.tblChat.rows[0]!;
    t.tblChat.rows.push([first[0]!, first[1]!, first[2]!, 101, false, 'again', null]);
    const path = await writeDump(join(dir, 'duplicate'), t);
    await assert.rejects(read(path, TINY), (error: unknown) => {
      assert.ok(error instanceof PchatError && error.code === 'invalid_dump', String(error));
      // The header is line 1: the first row is on line 2, the repeated one on the last line.
      assert.match(error.message, new RegExp(`^tblChat\\.csv, line \\d+: duplicate message id ${first[0]}:${first[1]} \\(also on line \\d+\\)`));
      const lines = [...error.message.matchAll(/line (\d+)/g)].map((m) => Number(m[1])).sort((p, q) => p - q);
      assert.equal(lines[0], 2);
      return true;
    });
    assert.deepEqual(readdirSync(tmp), [], 'the runs are removed when the read fails');
  });

  it('removes its run files when the reader stops early or a row turns out bad during the merge', async () => {
    const source = await groupChatSource(shuffled, { tmpDir: tmp, ...TINY });
    for await (const _ of source.records('messages')) {
      assert.ok(readdirSync(tmp).some((d) => d.startsWith('pchat-tblchat-')), 'runs exist while merging');
      break;
    }
    await source.close();
    assert.deepEqual(readdirSync(tmp), []);

    const t = tables('shuffled');
    t.tblChat.rows.push(chat(12, 900, 100, 'bad date').map((c, i) => (i === 2 ? 'yesterday' : c)));
    const path = await writeDump(join(dir, 'bad-date'), t);
    await assert.rejects(read(path, TINY), /column chatDate: "yesterday" is not \.NET ticks/);
    assert.deepEqual(readdirSync(tmp), []);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes its run files when the process is interrupted (${signal})`, async () => {
      const own = join(dir, `interrupted-${signal}`);
      mkdirSync(own);
      // A process that reads the dump with tiny runs, stops in the merge and waits to be interrupted.
      const module = (p: string) => JSON.stringify(fileURLToPath(new URL(p, import.meta.url)));
      const script = `
        import { groupChatSource } from ${module('../../../src/interchange/sources/groupchat/source.js')};
        const source = await groupChatSource(${JSON.stringify(shuffled)}, { tmpDir: ${JSON.stringify(own)}, runRows: 3, runFanIn: 2 });
        for await (const _ of source.records('messages')) { console.log('merging'); await new Promise(() => setInterval(() => {}, 1000)); }`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => String(d).includes('merging') && resolve());
        child.once('exit', (code) => reject(new Error(`the reader exited (${code}) before merging`)));
      });
      const runs = readdirSync(own);
      assert.equal(runs.length, 2, 'a run directory and a note directory');
      assert.ok(readdirSync(join(own, runs.find((d) => d.startsWith('pchat-tblchat-'))!)).length > 0, 'run files exist');
      const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
      child.kill(signal);
      assert.equal(await exit, signal, 'the process still ends by the signal');
      assert.deepEqual(readdirSync(own), []);
    });
  }
});
