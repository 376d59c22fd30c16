import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cell } from '../../../bench/lib/groupchatDump.js';
import { PchatError } from '../../../src/core/errors.js';
import { RECORD_TYPE_NAMES } from '../../../src/interchange/archive/records.js';
import { listDump, openTable } from '../../../src/interchange/sources/groupchat/dumpFiles.js';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { TABLES, type TableName } from '../../../src/interchange/sources/groupchat/tables.js';
import { all, baseTables, chat, node, tempDir, user, writeDump, type Tables } from './helpers.js';

/**
 * A table as `bcp <table> out <file> -c` (or `-w`) writes it with no other option: every
 * documented column in the documented order, tab-separated, no header, no quoting, NULL as
 * nothing and an empty string as one NUL character.
 */
function plainBcp(table: TableName, columns: readonly string[], rows: readonly (readonly Cell[])[], o: { rowEnd?: '\r\n' | '\n'; utf16?: boolean } = {}): Buffer {
  const order = TABLES[table].order as readonly string[];
  const cell = (c: Cell | undefined) => (c === null || c === undefined ? '' : c === '' ? '\u0000' : typeof c === 'boolean' ? (c ? '1' : '0') : String(c));
  const text = rows.map((row) => order.map((name) => cell(row[columns.indexOf(name)])).join('\t') + (o.rowEnd ?? '\r\n')).join('');
  return o.utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'utf8');
}

/** A copy of a row with one cell changed. */
const with_ = (row: readonly Cell[], index: number, value: Cell): Cell[] => row.map((c, i) => (i === index ? value : c));

/** Values that need quoting in the documented form and none in the plain one (but no tab or line break). */
function awkwardTables(): Tables {
  const t = baseTables();
  t.tblNode.rows.push(node(11, 2, false, 'Prix, "quoted" room'), node(12, 2, false, 'naïve café'));
  t.tblNode.rows[2] = with_(t.tblNode.rows[2]!, 5, ''); // an empty description: bcp writes a NUL
  t.tblPrincipal.rows.push(with_(user(102, 'carol@example.com'), 4, 'Carol "CJ" O\'Brien, Jr.'));
  t.tblPrincipalAffiliations.rows.push([102, 102, -1, 1]);
  t.tblChat.rows.push(
    chat(10, 3, 102, '"starts with a quote'),
    chat(10, 4, 100, 'a, b, "c"'),
    chat(10, 5, 101, 'NULL'),
    chat(10, 6, 100, ''),
    chat(11, 1, 100, 'Prix: 12,50 € 😀'),
    chat(12, 1, 101, 'see <a href="https://example.com/?a=1&amp;b=2">this</a>'),
  );
  return t;
}

/** Writes every table of `t` in plain form (names and options per table from `how`). */
async function writePlainDump(path: string, t: Tables, how: (table: TableName) => { name?: string; rowEnd?: '\r\n' | '\n'; utf16?: boolean } = () => ({})): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  for (const [table, file] of Object.entries(t)) {
    const o = how(table as TableName);
    await writeFile(join(path, o.name ?? `${table}.tsv`), plainBcp(table as TableName, file.columns, file.rows, o));
  }
}

const rejects = (file: string, line: number, ...patterns: RegExp[]) => (error: unknown) => {
  assert.ok(error instanceof PchatError && error.code === 'invalid_dump', String(error));
  assert.ok(error.message.startsWith(`${file}, line ${line}: `), error.message);
  for (const p of patterns) assert.match(error.message, p);
  return true;
};

describe('groupchat dump: plain bcp output (bcp <table> out <file> -c)', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  const everything = async (path: string) => {
    const source = await groupChatSource(path, { tmpDir: dir });
    try {
      const out: Record<string, unknown[]> = {};
      for (const type of RECORD_TYPE_NAMES) out[type] = await all(source, type);
      return out;
    } finally {
      await source.close();
    }
  };

  it('reads a dump in plain form exactly as the same tables in the documented form', async () => {
    const t = awkwardTables();
    const documented = await everything(await writeDump(dir, t));
    assert.ok((documented.messages ?? []).length === 8);
    // Row ends CRLF and LF, UTF-8 and UTF-16LE (-w), a plain file named .csv (still tab-separated).
    const plain = join(dir, 'plain');
    await writePlainDump(plain, t, (table) =>
      table === 'tblChat' ? { utf16: true } : table === 'tblNode' ? { name: 'tblNode.csv', rowEnd: '\n' } : table === 'tblPrincipal' ? { rowEnd: '\n' } : {},
    );
    assert.deepEqual(await everything(plain), documented);
    const rooms = documented.rooms as { name: string; description: string }[];
    assert.ok(rooms.some((r) => r.name.endsWith('Prix, "quoted" room')));
  });

  it('decides the form of each file by itself', async () => {
    const t = awkwardTables();
    const mixed = await writeDump(join(dir, 'mixed'), t); // the documented form …
    await rm(join(mixed, 'tblChat.csv'));
    await rm(join(mixed, 'tblPrincipal.csv'));
    await writeFile(join(mixed, 'tblChat.tsv'), plainBcp('tblChat', t.tblChat.columns, t.tblChat.rows)); // … but two tables plain
    await writeFile(join(mixed, 'tblPrincipal.tsv'), plainBcp('tblPrincipal', t.tblPrincipal.columns, t.tblPrincipal.rows, { utf16: true }));
    const files = await listDump(mixed);
    const forms: Record<string, string> = {};
    for (const [name, file] of files) {
      const table = (Object.keys(TABLES) as TableName[]).find((n) => n.toLowerCase() === name)!;
      forms[table] = (await openTable(file, TABLES[table])).form;
    }
    assert.deepEqual(forms, {
      tblChat: 'plain',
      tblNode: 'header',
      tblPrincipal: 'plain',
      tblPrincipalAffiliations: 'header',
      tblPrincipalRole: 'header',
      tblRoleType: 'header',
      tblScopePrincipal: 'header',
    });
    assert.deepEqual(await everything(mixed), await everything(await writeDump(join(dir, 'same'), t)));
  });

  it('rejects a plain file made ambiguous by a line break or a tab in a value, with the line and the form to use', async () => {
    const path = join(dir, 'ambiguous');
    const advice = /Dump tblChat in the documented form instead: the `bcp "SELECT … FROM mgc\.dbo\.tblChat …" queryout tblChat\.tsv -w .*docs\/groupchat-dump\.md/;
    const withChat = async (...rows: Cell[][]) => {
      const t = baseTables();
      t.tblChat.rows.push(...rows);
      await writePlainDump(path, t);
      return everything(path);
    };
    // Rows 1-2 are fine; row 3 holds a line break: its first line has 6 fields.
    await assert.rejects(withChat(chat(10, 3, 100, 'first\r\nsecond')), rejects('tblChat.tsv', 3, /6 fields where a plain `bcp tblChat out -c` row has 7/, /ambiguous/, /\(content, rtf\)/, advice));
    await assert.rejects(withChat(chat(10, 3, 100, 'a\ttab')), rejects('tblChat.tsv', 3, /8 fields where a plain `bcp tblChat out -c` row has 7/, advice));
    // A line break at the very end of the last column leaves an empty line behind the row.
    const t = baseTables();
    const siop = '11111111-2222-3333-4444-555555555555';
    t.tblSiopWhiteList = { columns: ['siopID', 'siopName', 'siopUrl'], rows: [[siop, 'Wiki', 'https://wiki.example.com/\r\n']] };
    await writePlainDump(path, t);
    await assert.rejects(
      everything(path),
      rejects('tblSiopWhiteList.tsv', 2, /an empty line where a plain `bcp tblSiopWhiteList out -c` row has 3/, /Invoke-Sqlcmd … -Query "SET NOCOUNT ON; SELECT \* FROM dbo\.tblSiopWhiteList" \| Export-Csv/),
    );
    // A tab in a room's name, in a table read while opening the dump.
    const u = baseTables();
    u.tblNode.rows[2] = with_(u.tblNode.rows[2]!, 4, 'tab\there');
    await writePlainDump(path, u);
    await assert.rejects(everything(path), rejects('tblNode.tsv', 3, /19 fields where a plain `bcp tblNode out -c` row has 18/, /\(nodeName, nodeDesc\)/, /dbo\.tblNode/));
  });

  it('reads an empty file as what bcp writes for a table without rows', async () => {
    const t = awkwardTables();
    const path = await writeDump(join(dir, 'empty'), t);
    await writeFile(join(path, 'tblScopePrincipal.tsv'), '');
    await rm(join(path, 'tblScopePrincipal.csv'));
    const withRows = await everything(await writeDump(join(dir, 'with-rows'), t));
    const empty = await everything(path);
    assert.deepEqual(empty.messages, withRows.messages);
    assert.notDeepEqual(empty.categories, withRows.categories, 'the categories lost their allowed principals');
    assert.ok((empty.categories as { allowed: unknown[] }[]).every((c) => c.allowed.length === 0));
  });

  it('rejects a first line that is neither a header nor a plain row, saying what each form needs', async () => {
    const t = baseTables();
    await writePlainDump(join(dir, 'neither'), t);
    // The first row's content holds a line break: its first line has 6 fields, and names no column.
    await writeFile(join(dir, 'neither', 'tblChat.tsv'), plainBcp('tblChat', t.tblChat.columns, [chat(10, 1, 100, 'one\ntwo'), chat(10, 2, 100, 'ok')]));
    await assert.rejects(
      everything(join(dir, 'neither')),
      rejects('tblChat.tsv', 1, /neither names the columns \(the documented form, with a header line\) nor has the 7 tab-separated fields of a plain `bcp tblChat out -c` row \(it has 6\)/, /queryout/),
    );
    // A documented header with a misspelt column is still the documented form, and says what is missing.
    const path = await writeDump(join(dir, 'header'), { ...t, tblScopePrincipal: { columns: ['scopeNodeID', 'scopePrinId', 'scopeIsDenid', 'scopeUpdatedBy'], rows: t.tblScopePrincipal.rows } });
    await assert.rejects(everything(path), rejects('tblScopePrincipal.csv', 1, /missing column scopeIsDenied; unknown column scopeIsDenid/));
  });
});
