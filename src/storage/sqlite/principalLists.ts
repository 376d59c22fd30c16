import type { PrincipalKind, PrincipalRef } from '../../core/model.js';
import type { Db } from './database.js';

/**
 * Groups, categories and rooms all keep lists of principals in a side table
 * (owner, list name, kind, id, position). This reads and rewrites them uniformly.
 */
export class PrincipalLists {
  private readonly selectOne;
  private readonly selectAll;
  private readonly deleteOwner;
  private readonly insert;

  constructor(
    db: Db,
    table: string,
    ownerColumn: string,
    private readonly listColumn: string | null,
    kindColumn: string,
    idColumn: string,
  ) {
    const listSel = listColumn ?? "'members'";
    this.selectOne = db.prepare(
      `SELECT ${listSel} AS list, ${kindColumn} AS kind, ${idColumn} AS id FROM ${table} WHERE ${ownerColumn} = ? ORDER BY position`,
    );
    this.selectAll = db.prepare(
      `SELECT ${ownerColumn} AS owner, ${listSel} AS list, ${kindColumn} AS kind, ${idColumn} AS id FROM ${table} ORDER BY ${ownerColumn}, position`,
    );
    this.deleteOwner = db.prepare(`DELETE FROM ${table} WHERE ${ownerColumn} = ?`);
    const cols = [ownerColumn, ...(listColumn ? [listColumn] : []), kindColumn, idColumn, 'position'];
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  }

  /** list name -> principals, for one owner. */
  read(owner: number): Map<string, PrincipalRef[]> {
    const result = new Map<string, PrincipalRef[]>();
    for (const row of this.selectOne.all(owner) as { list: string; kind: PrincipalKind; id: number }[]) {
      push(result, row.list, { kind: row.kind, id: row.id });
    }
    return result;
  }

  /** owner -> list name -> principals, for every owner at once (directory snapshots). */
  readAll(): Map<number, Map<string, PrincipalRef[]>> {
    const result = new Map<number, Map<string, PrincipalRef[]>>();
    for (const row of this.selectAll.all() as { owner: number; list: string; kind: PrincipalKind; id: number }[]) {
      let lists = result.get(row.owner);
      if (!lists) result.set(row.owner, (lists = new Map()));
      push(lists, row.list, { kind: row.kind, id: row.id });
    }
    return result;
  }

  /** Replaces every list of the owner. Call inside a transaction. */
  write(owner: number, lists: Record<string, readonly PrincipalRef[]>): void {
    this.deleteOwner.run(owner);
    for (const [list, refs] of Object.entries(lists)) {
      refs.forEach((ref, position) => {
        const values = this.listColumn ? [owner, list, ref.kind, ref.id, position] : [owner, ref.kind, ref.id, position];
        this.insert.run(...values);
      });
    }
  }
}

function push(map: Map<string, PrincipalRef[]>, list: string, ref: PrincipalRef): void {
  const refs = map.get(list);
  if (refs) refs.push(ref);
  else map.set(list, [ref]);
}

/** Deletes every grant that names the principal, across all ACL tables. */
export function forgetPrincipal(db: Db, ref: PrincipalRef): void {
  db.prepare('DELETE FROM group_members WHERE member_kind = ? AND member_id = ?').run(ref.kind, ref.id);
  db.prepare('DELETE FROM category_principals WHERE principal_kind = ? AND principal_id = ?').run(ref.kind, ref.id);
  db.prepare('DELETE FROM room_roles WHERE principal_kind = ? AND principal_id = ?').run(ref.kind, ref.id);
}
