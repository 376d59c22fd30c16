import type pg from 'pg';
import type { Group } from '../../core/model.js';
import type { GroupStore } from '../../ports/store.js';
import { first, folded, transaction, unique } from './database.js';
import { type OriginColumns, originColumns, originOf } from '../rows.js';
import { forgetPrincipal, PrincipalLists } from './principalLists.js';

interface GroupRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
  lists: unknown;
}

const lists = new PrincipalLists('group_members', 'group_id', null, 'member_kind', 'member_id');
const SELECT = `SELECT g.id, g.name, g.description, g.origin_system, g.origin_id, ${lists.column('g.id')} FROM groups g`;

const toGroup = (row: GroupRow): Group => ({
  id: row.id,
  name: row.name,
  description: row.description,
  members: lists.parse(row.lists).get('members') ?? [],
  origin: originOf(row),
});

export function postgresGroups(pool: pg.Pool): GroupStore {
  const one = async (where: string, value: string | number): Promise<Group | null> => {
    const row = first(await pool.query<GroupRow>(`${SELECT} WHERE ${where}`, [value]));
    return row ? toGroup(row) : null;
  };
  return {
    get: (id) => one('g.id = $1', id),
    getByName: (name) => one(`${folded('g.name')} = ${folded('$1::text')}`, name),
    list: async () => (await pool.query<GroupRow>(`${SELECT} ORDER BY g.id`)).rows.map(toGroup),
    create: (group) =>
      unique('group', 'name', () =>
        transaction(pool, async (tx) => {
          const { rows } = await tx.query<{ id: number }>(
            'INSERT INTO groups (name, description, origin_system, origin_id) VALUES ($1, $2, $3, $4) RETURNING id',
            [group.name, group.description, ...originColumns(group.origin)],
          );
          const id = rows[0]!.id;
          await lists.write(tx, id, { members: group.members });
          return { ...group, id };
        }),
      ),
    update: (group) =>
      unique('group', 'name', () =>
        transaction(pool, async (tx) => {
          await tx.query('UPDATE groups SET name = $1, description = $2, origin_system = $3, origin_id = $4 WHERE id = $5', [
            group.name,
            group.description,
            ...originColumns(group.origin),
            group.id,
          ]);
          await lists.write(tx, group.id, { members: group.members });
        }),
      ),
    addMember: async (groupId, member) =>
      ((
        await pool.query(
          `INSERT INTO group_members (group_id, member_kind, member_id, position)
           SELECT $1, $2, $3, COALESCE(MAX(position) + 1, 0) FROM group_members WHERE group_id = $1
           ON CONFLICT DO NOTHING`,
          [groupId, member.kind, member.id],
        )
      ).rowCount ?? 0) > 0,
    remove: (id) =>
      transaction(pool, async (tx) => {
        await forgetPrincipal(tx, { kind: 'group', id });
        await tx.query("DELETE FROM policies WHERE scope = 'site' AND target_id = $1", [id]);
        await tx.query("DELETE FROM direct_policies WHERE scope = 'site' AND target_id = $1", [id]);
        await tx.query('DELETE FROM groups WHERE id = $1', [id]);
      }),
  };
}
