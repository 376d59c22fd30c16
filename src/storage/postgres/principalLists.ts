import type { PrincipalKind, PrincipalRef } from '../../core/model.js';
import type { Queryable } from './database.js';

type Lists = Map<string, PrincipalRef[]>;

/**
 * Groups, categories and rooms all keep lists of principals in a side table
 * (owner, list name, kind, id, position). This reads and rewrites them uniformly.
 * Reads happen in the same statement as the owner's row (a correlated json_agg), so a row
 * and its lists always come from one snapshot.
 */
export class PrincipalLists {
  constructor(
    private readonly table: string,
    private readonly ownerColumn: string,
    private readonly listColumn: string | null,
    private readonly kindColumn: string,
    private readonly idColumn: string,
  ) {}

  /** A select-list expression for the owner's lists: `[[list, kind, id], ...]` in position order. */
  column(owner: string, alias = 'lists'): string {
    const list = this.listColumn ?? "'members'";
    return `(SELECT coalesce(json_agg(json_build_array(${list}, ${this.kindColumn}, ${this.idColumn}) ORDER BY position), '[]'::json)
             FROM ${this.table} WHERE ${this.ownerColumn} = ${owner}) AS ${alias}`;
  }

  /** list name -> principals, from the value of `column()`. */
  parse(value: unknown): Lists {
    const result: Lists = new Map();
    for (const [list, kind, id] of value as [string, PrincipalKind, number][]) {
      const refs = result.get(list);
      if (refs) refs.push({ kind, id });
      else result.set(list, [{ kind, id }]);
    }
    return result;
  }

  /** Replaces every list of the owner, in one multi-row insert. Call inside a transaction. */
  async write(db: Queryable, owner: number, lists: Record<string, readonly PrincipalRef[]>): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE ${this.ownerColumn} = $1`, [owner]);
    const names: string[] = [];
    const kinds: string[] = [];
    const ids: number[] = [];
    const positions: number[] = [];
    for (const [list, refs] of Object.entries(lists)) {
      refs.forEach((ref, position) => {
        names.push(list);
        kinds.push(ref.kind);
        ids.push(ref.id);
        positions.push(position);
      });
    }
    if (ids.length === 0) return;
    const cols = [this.ownerColumn, ...(this.listColumn ? [this.listColumn] : []), this.kindColumn, this.idColumn, 'position'];
    const listValue = this.listColumn ? ['l.list'] : [];
    // In input order with ON CONFLICT DO NOTHING: a principal named twice in one list keeps its
    // first position, as SQLite's INSERT OR IGNORE does.
    await db.query(
      `INSERT INTO ${this.table} (${cols.join(', ')})
       SELECT $1, ${[...listValue, 'l.kind', 'l.id', 'l.position'].join(', ')}
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[]) WITH ORDINALITY AS l(list, kind, id, position, ord)
       ORDER BY l.ord
       ON CONFLICT DO NOTHING`,
      [owner, names, kinds, ids, positions],
    );
  }
}

/** Deletes every grant that names the principal, across all ACL tables. */
export async function forgetPrincipal(db: Queryable, ref: PrincipalRef): Promise<void> {
  await db.query('DELETE FROM group_members WHERE member_kind = $1 AND member_id = $2', [ref.kind, ref.id]);
  await db.query('DELETE FROM category_principals WHERE principal_kind = $1 AND principal_id = $2', [ref.kind, ref.id]);
  await db.query('DELETE FROM room_roles WHERE principal_kind = $1 AND principal_id = $2', [ref.kind, ref.id]);
}
