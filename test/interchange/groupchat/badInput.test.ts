import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeTable } from '../../../bench/lib/groupchatDump.js';
import { PchatError } from '../../../src/core/errors.js';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { all, baseTables, chat, codes, tempDir, ticks, T0, writeDump } from './helpers.js';

/** The error a dump is rejected with: invalid_dump, naming the file (and the line when given). */
const rejects = (file: string, line?: number, text?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PchatError, String(error));
  assert.equal(error.code, 'invalid_dump');
  assert.ok(error.message.startsWith(`${file}${line === undefined ? '' : `, line ${line}:`}`), error.message);
  if (text) assert.match(error.message, text);
  return true;
};

describe('groupchat dump: file reading and bad input', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  const readAll = async (path: string) => {
    const source = await groupChatSource(path, { runRows: 2 });
    try {
      const messages = await all(source, 'messages');
      return { messages, notes: await all(source, 'notes'), source };
    } finally {
      await source.close();
    }
  };

  it('closes the sorted runs of an unordered tblChat when a reader stops early', async () => {
    const t = baseTables();
    // More rows than one merged batch (4,096), in descending order: sorted in runs of 2,500, each
    // larger than a read stream's first read (64 KiB), so a run is still open when reading stops.
    const long = 'x'.repeat(200);
    t.tblChat.rows.push(...Array.from({ length: 10_000 }, (_, i) => chat(10, 20_000 - i, 100, `late ${i} ${long}`)));
    const path = await writeDump(dir, t);
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    const source = await groupChatSource(path, { runRows: 2500 });
    for await (const m of source.records('messages')) {
      assert.ok(m.text.length >= 0);
      break; // an export that stops at its first message (a full disk, a kill of the writer)
    }
    await source.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(openFiles(), before, 'every run file is closed');
  });

  it('reads CRLF, BOMs, quoted delimiters and line breaks, NULL as empty or literal, and sqlcmd’s header underline and row count', async () => {
    const t = baseTables();
    t.tblChat.rows.splice(0, 2, chat(10, 1, 100, 'a, "quoted"\r\nsecond\tline'), chat(10, 2, 101, 'NULL'), chat(10, 3, 100, ''));
    const path = await writeDump(dir, { ...t, tblChat: { ...t.tblChat, format: 'tsv16' }, tblNode: { ...t.tblNode, bom: true } });
    // sqlcmd style: underline under the header, literal NULLs, a row count at the end.
    await writeFile(join(path, 'tblPrincipalRole.csv'), 'prinRoleNodeID,prinRolePrinID,prinRoleTypeID,prinRoleUpdatedBy\r\n--------------,--------------,--------------,-----------------\r\n10,200,3,NULL\r\n\r\n(1 rows affected)\r\n');
    const { messages, source } = await readAll(path);
    assert.deepEqual(messages.map((m) => m.text), ['a, "quoted"\r\nsecond\tline', 'NULL', '']);
    assert.equal(source.description.system, 'lync-groupchat');
  });

  it('reports the line of a malformed row, counting line breaks inside quoted values', async () => {
    const t = baseTables();
    t.tblChat.rows.splice(0, 2, chat(10, 1, 100, 'two\r\nlines'), chat(10, 2, 100, 'ok'));
    const path = await writeDump(dir, t);
    const text = encodeTable(t.tblChat).toString('utf8') + '10,3,5\r\n';
    await writeFile(join(path, 'tblChat.csv'), text);
    await assert.rejects(readAll(path), rejects('tblChat.csv', 5, /3 fields where the header has 7/));
    await writeFile(join(path, 'tblChat.csv'), encodeTable(t.tblChat).toString('utf8') + '10,3,1,100,0,"never closed\r\n');
    await assert.rejects(readAll(path), rejects('tblChat.csv', 5, /malformed line/));
  });

  it('rejects wrong encodings: invalid UTF-8, UTF-16 without BOM, big-endian UTF-16', async () => {
    const t = baseTables();
    const path = await writeDump(dir, t);
    const latin1 = Buffer.concat([encodeTable(t.tblChat), Buffer.from('10,3,' + ticks(T0) + ',100,0,caf\xe9,\r\n', 'latin1')]);
    await writeFile(join(path, 'tblChat.csv'), latin1);
    await assert.rejects(readAll(path), rejects('tblChat.csv', 4, /invalid UTF-8/));
    await writeFile(join(path, 'tblChat.csv'), encodeTable({ ...t.tblChat, format: 'tsv16' }).subarray(2));
    await assert.rejects(groupChatSource(path), rejects('tblChat.csv', undefined, /NUL bytes/));
    await writeFile(join(path, 'tblChat.csv'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('channelId', 'utf16le').swap16()]));
    await assert.rejects(groupChatSource(path), rejects('tblChat.csv', undefined, /big-endian/));
  });

  it('rejects a dump with missing columns or tables, naming what is missing and what is unknown', async () => {
    const t = baseTables();
    const path = await writeDump(dir, { ...t, tblNode: { columns: t.tblNode.columns.map((c) => (c === 'visibility' ? 'visibilty' : c)), rows: t.tblNode.rows } });
    await assert.rejects(groupChatSource(path), rejects('tblNode.csv', 1, /missing column visibility; unknown column visibilty/));
    const { tblPrincipalRole: _roles, ...rest } = t;
    await assert.rejects(groupChatSource(await writeDump(dir, rest)), (e: unknown) => e instanceof PchatError && e.code === 'invalid_dump' && /tblPrincipalRole\.csv or \.tsv/.test(e.message));
  });

  it('rejects duplicate ids with the lines of both rows', async () => {
    const t = baseTables();
    t.tblPrincipal.rows.push([...t.tblPrincipal.rows[0]!]);
    await assert.rejects(groupChatSource(await writeDump(dir, t)), rejects('tblPrincipal.csv', 5, /duplicate id 100 \(first on line 2\)/));
    const u = baseTables();
    u.tblChat.rows.push(chat(10, 1, 101, 'again'));
    await assert.rejects(readAll(await writeDump(dir, u)), rejects('tblChat.csv', undefined, /duplicate message id 10:1/));
  });

  it('reports references to missing items as error or warning notes', async () => {
    const t = baseTables();
    t.tblPrincipalRole.rows.push([10, 999, 3, 1], [77, 100, 3, 1]);
    t.tblNode.rows.push([20, null, 55, false, 'orphan', '', null, null, null, false, 4, 3, null, 1, ticks(T0), 1, null, null]);
    t.tblChat.rows.push(chat(10, 3, 555, 'who?'), chat(88, 1, 100, 'where?'));
    const { notes } = await readAll(await writeDump(dir, t));
    const severity = (code: string) => notes.find((n) => n.code === code)?.severity;
    assert.equal(severity('principal_missing'), 'error');
    assert.equal(severity('node_missing'), 'warning');
    assert.equal(severity('parent_missing'), 'error');
    assert.equal(severity('author_missing'), 'error');
    assert.equal(severity('room_missing'), 'error');
  });

  it('sorts an unordered tblChat through temporary runs into room and chatId order', async () => {
    const t = baseTables();
    t.tblNode.rows.push([11, null, 2, false, 'other', '', null, null, null, false, 4, 3, null, 1, ticks(T0), 1, null, null]);
    const order = [[11, 3], [10, 2], [11, 1], [10, 5], [10, 1], [11, 2], [10, 4], [10, 3]] as const;
    t.tblChat.rows.splice(0, 2, ...order.map(([room, seq]) => chat(room, seq, 100, `m${room}-${seq}\nwith a break`)));
    const { messages, notes } = await readAll(await writeDump(dir, t));
    assert.deepEqual(messages.map((m) => m.id), ['10:1', '10:2', '10:3', '10:4', '10:5', '11:1', '11:2', '11:3']);
    assert.equal(messages[0]!.text, 'm10-1\nwith a break');
    assert.deepEqual(codes(notes).filter((c) => c === 'author_missing' || c === 'room_missing'), []);
  });
});
