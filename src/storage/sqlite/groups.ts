import type { Group } from '../../core/model.js';
import type { GroupStore } from '../../ports/store.js';
import { type Db, rethrowUnique } from './database.js';
import { type OriginColumns, originColumns, originOf } from '../rows.js';
import { forgetPrincipal, PrincipalLists } from './principalLists.js';

interface GroupRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
}

export function sqliteGroups(db: Db): GroupStore {
  const lists = new PrincipalLists(db, 'group_members', 'group_id', null, 'member_kind', 'member_id');
  const byId = db.prepare('SELECT * FROM groups WHERE id = ?');
  const byName = db.prepare('SELECT * FROM groups WHERE name = ?');
  const all = db.prepare('SELECT * FROM groups ORDER BY id');
  const insert = db.prepare('INSERT INTO groups (name, description, origin_system, origin_id) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE groups SET name = ?, description = ?, origin_system = ?, origin_id = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM groups WHERE id = ?');
  const addMember = db.prepare(
    'INSERT INTO group_members (group_id, member_kind, member_id, position) SELECT ?, ?, ?, COALESCE(MAX(position) + 1, 0) FROM group_members WHERE group_id = ? ON CONFLICT DO NOTHING',
  );
  const removePolicies = db.prepare("DELETE FROM policies WHERE scope = 'site' AND target_id = ?");
  const removeDirectPolicies = db.prepare("DELETE FROM direct_policies WHERE scope = 'site' AND target_id = ?");

  const toGroup = (row: GroupRow, members = lists.read(row.id).get('members') ?? []): Group => ({
    id: row.id,
    name: row.name,
    description: row.description,
    members,
    origin: originOf(row),
  });
  const one = (row: GroupRow | undefined): Group | null => (row ? toGroup(row) : null);

  return {
    get: async (id) => one(byId.get(id) as GroupRow | undefined),
    getByName: async (name) => one(byName.get(name) as GroupRow | undefined),
    list: async () => {
      const members = lists.readAll();
      return (all.all() as GroupRow[]).map((row) => toGroup(row, members.get(row.id)?.get('members') ?? []));
    },
    create: async (group) =>
      db.transaction(() => {
        try {
          const id = Number(insert.run(group.name, group.description, ...originColumns(group.origin)).lastInsertRowid);
          lists.write(id, { members: group.members });
          return { ...group, id };
        } catch (error) {
          rethrowUnique(error, 'group');
        }
      })(),
    update: async (group) =>
      db.transaction(() => {
        try {
          update.run(group.name, group.description, ...originColumns(group.origin), group.id);
        } catch (error) {
          rethrowUnique(error, 'group');
        }
        lists.write(group.id, { members: group.members });
      })(),
    addMember: async (groupId, member) => addMember.run(groupId, member.kind, member.id, groupId).changes > 0,
    remove: async (id) =>
      db.transaction(() => {
        forgetPrincipal(db, { kind: 'group', id });
        removePolicies.run(id);
        removeDirectPolicies.run(id);
        remove.run(id);
      })(),
  };
}
