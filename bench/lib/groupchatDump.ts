import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { msToTicks } from '../../src/interchange/sources/groupchat/values.js';
import { rng } from './words.js';

/**
 * Writers of legacy Group Chat dumps as `bcp`/`sqlcmd` produce them (docs/groupchat-dump.md):
 * the committed sample under examples/groupchat-dump (scripts/make-groupchat-sample.mjs), test
 * fixtures, and big tblChat files for the export benchmark, written streaming.
 */

export type Cell = string | number | boolean | null;

/** RFC 4180: quote a value holding the delimiter, a quote or a line break; NULL is an empty field. */
export function formatRow(cells: readonly Cell[], delimiter: ',' | '\t'): string {
  return cells
    .map((c) => {
      if (c === null) return '';
      const s = typeof c === 'boolean' ? (c ? '1' : '0') : String(c);
      return /[",\t\r\n]/.test(s) || (s === '' && c !== null) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(delimiter);
}

export interface TableFile {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** `csv` = UTF-8 comma-separated (`-c -C 65001`), `tsv16` = UTF-16LE tab-separated with BOM (`bcp -w`). */
  readonly format?: 'csv' | 'tsv16';
  readonly bom?: boolean;
}

export function encodeTable(table: TableFile): Buffer {
  const delimiter = table.format === 'tsv16' ? '\t' : ',';
  const text = [table.columns.join(delimiter), ...table.rows.map((r) => formatRow(r, delimiter))].map((l) => `${l}\r\n`).join('');
  if (table.format === 'tsv16') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return Buffer.concat([table.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

export async function writeTables(dir: string, tables: Record<string, TableFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, table] of Object.entries(tables)) {
    await writeFile(join(dir, `${name}.${table.format === 'tsv16' ? 'tsv' : 'csv'}`), encodeTable(table));
  }
}

export const COLUMNS = {
  tblNode: ['nodeID', 'nodeGuid', 'parentID', 'nodeType', 'nodeName', 'nodeDesc', 'invite', 'logged', 'filePost', 'disabled', 'behavior', 'visibility', 'siopID', 'nodeAddedBy', 'nodeAddedOn', 'nodeUpdatedBy', 'nodeUpdatedOn', 'purgedOn'],
  tblChat: ['channelId', 'chatId', 'chatDate', 'userId', 'isAlert', 'content', 'rtf'],
  tblPrincipal: ['prinID', 'prinGuid', 'prinUri', 'prinName', 'prinDisplayName', 'prinCompanyName', 'prinEmail', 'prinADPath', 'prinDisabled', 'prinTypeID'],
  tblPrincipalAffiliations: ['principalID', 'affiliationID', 'index', 'updatedBy'],
  tblScopePrincipal: ['scopeNodeID', 'scopePrinID', 'scopeIsDenied', 'scopeUpdatedBy'],
  tblPrincipalRole: ['prinRoleNodeID', 'prinRolePrinID', 'prinRoleTypeID', 'prinRoleUpdatedBy'],
  tblRoleType: ['rtypeID', 'rtypeDesc', 'rtypeAllowedPermSet'],
  tblPrincipalType: ['ptypeID', 'ptypeDesc', 'ptypeIsSystemUser', 'ptypeIsUser'],
  tblEnumValue: ['valueID', 'attributeID', 'attributeValue'],
  tblSiopWhiteList: ['siopID', 'siopName', 'siopUrl'],
} as const;


const guid = (rnd: () => number) =>
  'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(rnd() * 16).toString(16));

const WORDS = 'deploy release build cache latency replica shard index query storage disk queue retry timeout alert budget trade desk risk report market price review design meeting lunch coffee'.split(' ');

/**
 * The committed example: a root, categories nested three deep, every visibility, an auditorium
 * with an add-in, groups within groups, a federated, a deleted and a SIP-disabled user, a
 * disabled room, and `messages` messages over four years in date order (not key order, so a
 * reader must sort), with stories, file links, HTML links and awkward characters.
 */
export function sampleDump(messages = 3000, seed = 2010): Record<string, TableFile> {
  const rnd = rng(seed); // deterministic: the same dump on every run
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const start = Date.UTC(2010, 0, 4, 9);
  const t0 = msToTicks(start - 86_400_000 * 30);
  const addin = guid(rnd);
  // id, parent, category?, name, desc, invite, logged, filePost, disabled, behavior, visibility, siop
  const node = (id: number, parent: number, cat: boolean, name: string, desc: string, o: { invite?: boolean | null; logged?: boolean | null; filePost?: boolean | null; disabled?: boolean; behavior?: number; visibility?: number; siop?: string } = {}): Cell[] => [
    id, guid(rnd), parent, cat, name, desc,
    o.invite === undefined ? (cat ? true : null) : o.invite,
    o.logged === undefined ? (cat ? true : null) : o.logged,
    o.filePost === undefined ? (cat ? true : null) : o.filePost,
    o.disabled ?? false, cat ? null : o.behavior ?? 4, cat ? null : o.visibility ?? 3, o.siop ?? null, 10, t0, 10, t0, null,
  ];
  const nodes: Cell[][] = [
    node(1, 1, true, 'Root', 'Root category'),
    node(2, 1, true, 'Engineering', 'Everything engineering'),
    node(3, 2, true, 'Platform', 'Platform teams'),
    node(4, 3, true, 'Storage', 'Storage, disks, "the big iron"'),
    node(5, 1, true, 'Trading', 'Trading floor', { invite: false, filePost: false }),
    node(6, 1, true, 'Research', 'Analysts and research'),
    node(7, 1, true, 'Announcements', 'Company-wide announcements', { logged: false, invite: null }),
    node(100, 2, false, 'eng-general', 'General engineering chat', { visibility: 6 }),
    node(101, 3, false, 'platform-oncall', 'Pager, incidents', { visibility: 3 }),
    node(102, 4, false, 'storage-design', 'Design reviews, secret until launch', { visibility: 2 }),
    node(103, 5, false, 'trading-desk', 'Desk chatter', { visibility: 2, invite: true }),
    node(104, 6, false, 'research-notes', 'Notes, drafts', { visibility: 3, logged: false }),
    node(105, 7, false, 'town-hall', 'Quarterly town hall', { visibility: 6, behavior: 5, siop: addin }),
    node(106, 2, false, 'old-project', 'Retired project room', { disabled: true }),
    node(107, 4, false, 'storage-perf', 'Benchmarks, graphs', { visibility: 3 }),
  ];
  const rooms = [100, 101, 102, 103, 104, 105, 106, 107];

  // Principals: 1 DC, 2 OU, 3.. groups, 20.. users.
  const dc = 'DC=example,DC=com';
  const ou = `OU=Staff,${dc}`;
  const principals: Cell[][] = [
    [1, guid(rnd), 'ma-grp://example.com/dc', 'example.com', 'example.com', null, null, dc, 0, 8],
    [2, guid(rnd), 'ma-grp://example.com/staff', 'Staff', 'Staff', null, null, ou, 0, 10],
    [3, guid(rnd), 'ma-grp://example.com/engineers', 'Engineers', 'Engineers', null, null, `CN=Engineers,${ou}`, 0, 9],
    [4, guid(rnd), 'ma-grp://example.com/platform', 'Platform Team', 'Platform Team', null, null, `CN=Platform Team,${ou}`, 0, 9],
    [5, guid(rnd), 'ma-grp://example.com/traders', 'Traders', 'Traders', null, null, `CN=Traders,${ou}`, 0, 9],
    [6, guid(rnd), 'ma-grp://example.com/analysts', 'Analysts', 'Analysts, Research', null, null, `CN=Analysts,${ou}`, 0, 9],
    [10, guid(rnd), 'sip:ocschat@example.com', 'ocschat', 'Group Chat Service', null, null, null, 0, 4],
  ];
  const first = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Zoë'];
  const groupsOf = new Map<number, number[]>(); // user → direct groups
  const users: number[] = [];
  first.forEach((name, i) => {
    const id = 20 + i;
    users.push(id);
    const login = name.toLowerCase().replace('ë', 'e');
    const disabled = name === 'Mallory' ? 2 : name === 'Sybil' ? 1 : 0;
    principals.push([id, guid(rnd), `sip:${login}@example.com`, login, `${name} ${pick(['Smith', 'Jones', "O'Brien", 'Müller', 'García'])}`, 'Example Corp', `${login}@example.com`, `CN=${name},${ou}`, disabled, 5]);
    groupsOf.set(id, i < 6 ? [4] : i < 9 ? [3] : i < 13 ? [5] : [6]);
  });
  const partner = 40;
  principals.push([partner, guid(rnd), 'sip:pat@fabrikam.com', 'pat', 'Pat (Fabrikam)', 'Fabrikam', 'pat@fabrikam.com', null, 0, 5]);
  users.push(partner);

  // Affiliations as AD sync writes them: self (-1), then every group up the chain (transitive).
  const parentsOfGroup = new Map<number, number[]>([[4, [3, 2, 1]], [3, [2, 1]], [5, [2, 1]], [6, [2, 1]], [2, [1]], [1, []]]);
  const affiliations: Cell[][] = [];
  for (const p of principals) {
    const id = p[0] as number;
    affiliations.push([id, id, -1, 10]);
    const up = new Set<number>();
    for (const g of groupsOf.get(id) ?? []) [g, ...(parentsOfGroup.get(g) ?? [])].forEach((x) => up.add(x));
    for (const g of parentsOfGroup.get(id) ?? []) up.add(g);
    [...up].sort((a, b) => a - b).forEach((g, index) => affiliations.push([id, g, index, 10]));
  }

  const scopes: Cell[][] = [
    [1, 1, false, 10], // the whole domain may take part
    [5, 5, false, 10], // Trading: traders only …
    [5, 6, true, 10], // … never analysts (an ethical wall)
    [6, 5, true, 10], // Research: inherits the domain, denies traders
    [7, 1, false, 10],
    [7, partner, false, 10],
  ];
  // Role ids as a real tblRoleType might number them; the reader resolves them by description.
  const [MEMBER, MANAGER, VOICED, CREATOR] = [3, 2, 4, 1];
  const roles: Cell[][] = [
    [1, 20, MANAGER, 10], // the root's manager manages every room
    [2, 3, CREATOR, 10],
    [5, 29, CREATOR, 10],
    [101, 4, MEMBER, 10], [101, 21, MANAGER, 10],
    [102, 4, MEMBER, 10], [102, 22, MANAGER, 10], [102, 23, VOICED, 10], // voiced in a normal room: reported
    [103, 5, MEMBER, 10], [103, 29, MANAGER, 10], [103, 6, MEMBER, 10],
    [104, 6, MEMBER, 10], [104, 33, MANAGER, 10],
    [105, 1, MEMBER, 10], [105, 20, VOICED, 10], [105, 35, VOICED, 10], [105, partner, MEMBER, 10],
    [106, 3, MEMBER, 10],
    [107, 4, MEMBER, 10], [107, 24, CREATOR, 10], [107, 30, MEMBER, 10],
  ];

  const posters = new Map<number, number[]>([
    [100, [...users.slice(0, 13), 28]], [101, users.slice(0, 6)], [102, users.slice(0, 6)], [103, users.slice(9, 13)],
    [104, users.slice(13, 20)], [105, [20, 35]], [106, users.slice(6, 9)], [107, [...users.slice(0, 6), 30]],
  ]);
  posters.get(100)!.push(partner, 30); // the federated partner and Mallory (deleted since) posted there too
  const chats: { room: number; at: number; user: number; content: string }[] = [];
  const span = Date.UTC(2014, 0, 1) - start;
  for (let i = 0; i < messages; i++) {
    const room = pick(rooms);
    const at = start + Math.floor(rnd() * span);
    const user = pick(posters.get(room)!);
    const words = Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => pick(WORDS)).join(' ');
    const r = rnd();
    let content: string;
    if (r < 0.04) content = `[STORY]Weekly ${pick(WORDS)} report\r\n${Array.from({ length: 40 }, () => pick(WORDS)).join(' ')}.\r\nSecond paragraph, with "quotes", commas and a tab\there.`;
    else if (r < 0.06) content = `[STORY]${Array.from({ length: 60 }, () => pick(WORDS)).join(' ')}`;
    else if (r < 0.1) content = `Uploaded ma-filelink://example.com/${guid(rnd)}/${pick(WORDS)}-${i}.docx for review`;
    else if (r < 0.13) content = `see <a href="https://wiki.example.com/${pick(WORDS)}?a=1&amp;b=2">the wiki page</a>, ${words}`;
    else if (r < 0.15) content = `<a href="http://intranet/${pick(WORDS)}">http://intranet/${pick(WORDS)}</a>`;
    else if (r < 0.2) content = `${words}, "quoted", and\r\na second line`;
    else if (r < 0.22) content = `Prix: 12,50 € — naïve café ${words} 😀`;
    else content = words;
    chats.push({ room, at, user, content });
  }
  chats.sort((a, b) => a.at - b.at);
  const counters = new Map<number, number>();
  const chatRows: Cell[][] = chats.map((c) => {
    const seq = (counters.get(c.room) ?? 0) + 1;
    counters.set(c.room, seq);
    return [c.room, seq, msToTicks(c.at), c.user, false, c.content, null];
  });

  return {
    tblNode: { columns: COLUMNS.tblNode, rows: nodes, bom: true },
    tblChat: { columns: COLUMNS.tblChat, rows: chatRows, format: 'tsv16' },
    tblPrincipal: { columns: COLUMNS.tblPrincipal, rows: principals },
    tblPrincipalAffiliations: { columns: COLUMNS.tblPrincipalAffiliations, rows: affiliations },
    tblScopePrincipal: { columns: COLUMNS.tblScopePrincipal, rows: scopes },
    tblPrincipalRole: { columns: COLUMNS.tblPrincipalRole, rows: roles },
    tblRoleType: { columns: COLUMNS.tblRoleType, rows: [[1, 'Creator', 0], [2, 'Manager', 0], [3, 'Member', 0], [4, 'Voiced', 0]] },
    tblPrincipalType: { columns: COLUMNS.tblPrincipalType, rows: [[4, 'SystemUser', true, false], [5, 'User', false, true], [8, 'DC', false, false], [9, 'Group', false, false], [10, 'Folder', false, false]] },
    tblEnumValue: { columns: COLUMNS.tblEnumValue, rows: [[2, 1, 'private'], [3, 1, 'scope'], [6, 1, 'open'], [4, 2, 'normal'], [5, 2, 'auditorium']] },
    tblSiopWhiteList: { columns: COLUMNS.tblSiopWhiteList, rows: [[addin, 'Town hall Q&A', 'https://addins.example.com/townhall']] },
  };
}

const drain = (out: WriteStream) => new Promise<void>((resolve) => out.once('drain', resolve));

/**
 * A pseudo-random permutation of [0, n) that needs no memory: a four-round Feistel network over
 * the smallest even power of two ≥ n, walking the cycle until it lands below n. `order(k)` is
 * the row written k-th, so a shuffled table of ten million rows is written as it is computed.
 */
export function shuffledOrder(n: number, seed = 2010): (k: number) => number {
  let bits = 2;
  while (2 ** bits < n) bits += 2;
  const half = bits / 2;
  const mask = 2 ** half - 1;
  const keys = [0x9e3779b1, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f].map((k) => (k ^ seed) >>> 0);
  const round = (x: number, key: number) => {
    let h = Math.imul(x ^ key, 0x45d9f3b);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    return (h ^ (h >>> 16)) & mask;
  };
  const permute = (x: number) => {
    let left = Math.floor(x / 2 ** half);
    let right = x & mask;
    for (const key of keys) [left, right] = [right, left ^ round(right, key)];
    return left * 2 ** half + right;
  };
  return (k: number) => {
    let x = permute(k);
    while (x >= n) x = permute(x);
    return x;
  };
}

/**
 * A benchmark dump: the sample's directory tables with a tblChat of `messages` rows spread over
 * `rooms` rooms, sorted by (channelId, chatId) as the documented query writes it, or (`order:
 * 'shuffled'`) the same rows in a pseudo-random order, as a `bcp` of an unordered query may write
 * them. Streamed to disk so ten million rows need no memory. UTF-8 CSV by default; `tsv16` as
 * `bcp -w` writes.
 */
export async function writeBenchDump(dir: string, messages: number, options: { rooms?: number; format?: 'csv' | 'tsv16'; order?: 'sorted' | 'shuffled' } = {}): Promise<void> {
  const tables = sampleDump(0);
  const roomCount = options.rooms ?? 100;
  const nodes = [...tables.tblNode!.rows];
  for (let i = 0; i < roomCount; i++) nodes.push([1000 + i, null, 2, false, `bench-${i}`, '', null, null, null, false, 4, 6, null, 10, msToTicks(Date.UTC(2010, 0, 1)), 10, null, null]);
  const { tblChat: _chat, ...rest } = tables;
  await writeTables(dir, { ...rest, tblNode: { columns: COLUMNS.tblNode, rows: nodes } });
  const format = options.format ?? 'csv';
  const delimiter = format === 'tsv16' ? '\t' : ',';
  const encoding = format === 'tsv16' ? 'utf16le' : 'utf8';
  const out = createWriteStream(join(dir, `tblChat.${format === 'tsv16' ? 'tsv' : 'csv'}`));
  if (format === 'tsv16') out.write(Buffer.from([0xff, 0xfe]));
  let buf = `${COLUMNS.tblChat.join(delimiter)}\r\n`;
  const base = Date.UTC(2011, 0, 1);
  const perRoom = Math.ceil(messages / roomCount);
  const rowAt = options.order === 'shuffled' ? shuffledOrder(messages) : (k: number) => k;
  for (let k = 0; k < messages; k++) {
    const i = rowAt(k);
    const room = Math.floor(i / perRoom);
    const seq = (i % perRoom) + 1;
    const content = i % 50 === 0 ? `"Quoted, with a comma"\nand a second line ${i}` : `message ${i} about the ${WORDS[i % WORDS.length]} and the ${WORDS[(i * 7) % WORDS.length]}`;
    buf += `${formatRow([1000 + room, seq, msToTicks(base + i * 1000), 20 + (i % 20), 0, content, null], delimiter)}\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(Buffer.from(buf, encoding))) await drain(out);
      buf = '';
    }
  }
  out.write(Buffer.from(buf, encoding));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
