import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLUMNS, writeTables, type Cell, type TableFile } from '../../../bench/lib/groupchatDump.js';
import type { NoteRecord } from '../../../src/interchange/archive/records.js';
import { msToTicks } from '../../../src/interchange/sources/groupchat/values.js';

export const T0 = Date.UTC(2012, 5, 1, 12);
export const ticks = (ms: number) => msToTicks(ms);

/** A tblNode row with the columns the reader needs; rooms default to scope/normal. */
export function node(id: number, parent: number, category: boolean, name: string, o: { invite?: boolean | null; logged?: boolean | null; filePost?: boolean | null; disabled?: boolean; behavior?: number; visibility?: number; siop?: string | null } = {}): Cell[] {
  return [
    id, null, parent, category, name, '',
    o.invite === undefined ? (category ? true : null) : o.invite,
    o.logged === undefined ? (category ? true : null) : o.logged,
    o.filePost === undefined ? (category ? true : null) : o.filePost,
    o.disabled ?? false, category ? null : o.behavior ?? 4, category ? null : o.visibility ?? 3, o.siop ?? null, 1, ticks(T0), 1, ticks(T0), null,
  ];
}

export const user = (id: number, login: string, o: { disabled?: number; adPath?: string | null; type?: number } = {}): Cell[] =>
  [id, null, `sip:${login}`, login.split('@')[0]!, login.split('@')[0]!, null, login, o.adPath === undefined ? `CN=${login},DC=example,DC=com` : o.adPath, o.disabled ?? 0, o.type ?? 5];
export const group = (id: number, name: string): Cell[] => [id, null, `ma-grp://example.com/${id}`, name, name, null, null, `CN=${name},DC=example,DC=com`, 0, 9];
export const chat = (room: number, seq: number, author: number, content: string, at = T0 + seq * 1000): Cell[] => [room, seq, ticks(at), author, false, content, null];

/** A small valid dump: root 1 → category 2 → room 10; users 100 and 101; group 200 holding 100. */
type Table = TableFile & { rows: Cell[][] };
type Base = 'tblNode' | 'tblChat' | 'tblPrincipal' | 'tblPrincipalAffiliations' | 'tblScopePrincipal' | 'tblPrincipalRole' | 'tblRoleType';
export type Tables = Record<Base, Table> & { [table: string]: TableFile };

export function baseTables(): Tables {
  return {
    tblNode: { columns: COLUMNS.tblNode, rows: [node(1, 1, true, 'Root'), node(2, 1, true, 'Cat'), node(10, 2, false, 'room')] },
    tblChat: { columns: COLUMNS.tblChat, rows: [chat(10, 1, 100, 'hello'), chat(10, 2, 101, 'world')] },
    tblPrincipal: { columns: COLUMNS.tblPrincipal, rows: [user(100, 'alice@example.com'), user(101, 'bob@example.com'), group(200, 'Team')] },
    tblPrincipalAffiliations: { columns: COLUMNS.tblPrincipalAffiliations, rows: [[100, 100, -1, 1], [100, 200, 0, 1], [101, 101, -1, 1], [200, 200, -1, 1]] },
    tblScopePrincipal: { columns: COLUMNS.tblScopePrincipal, rows: [[1, 200, false, 1]] },
    tblPrincipalRole: { columns: COLUMNS.tblPrincipalRole, rows: [[10, 200, 3, 1]] },
    tblRoleType: { columns: COLUMNS.tblRoleType, rows: [[1, 'Creator', 0], [2, 'Manager', 0], [3, 'Member', 0], [4, 'Voiced', 0]] },
  };
}

export async function tempDir(): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pchat-gc-test-'));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeDump(dir: string, tables: Record<string, TableFile>): Promise<string> {
  const path = join(dir, 'dump');
  await rm(path, { recursive: true, force: true });
  await writeTables(path, tables);
  return path;
}

export { all } from '../../helpers/records.js';

export const codes = (notes: readonly NoteRecord[]) => notes.map((n) => n.code);
