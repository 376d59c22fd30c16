import type { Privacy, Room, RoomType } from '../../core/model.js';
import type { RoomStore } from '../../ports/store.js';
import { bool, type Db, rethrowUnique } from './database.js';
import { type OriginColumns, originColumns, originOf } from './origin.js';
import { PrincipalLists } from './principalLists.js';

interface RoomRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
  category_id: number;
  privacy: Privacy;
  type: RoomType;
  invitations: 'inherit' | 'false';
  addin_id: number | null;
  disabled: number;
  created_at: number;
}

const COLUMNS =
  'id, name, description, category_id, privacy, type, invitations, addin_id, disabled, created_at, origin_system, origin_id';

export function sqliteRooms(db: Db): RoomStore {
  const lists = new PrincipalLists(db, 'room_roles', 'room_id', 'role', 'principal_kind', 'principal_id');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM rooms WHERE id = ?`);
  const byName = db.prepare(`SELECT ${COLUMNS} FROM rooms WHERE name = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM rooms ORDER BY id`);
  const insert = db.prepare(
    `INSERT INTO rooms (name, description, category_id, privacy, type, invitations, addin_id, disabled, created_at, origin_system, origin_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE rooms SET name = ?, description = ?, category_id = ?, privacy = ?, type = ?, invitations = ?, addin_id = ?, disabled = ?,
     origin_system = ?, origin_id = ? WHERE id = ?`,
  );
  const remove = db.prepare('DELETE FROM rooms WHERE id = ?');
  const lastSeq = db.prepare('SELECT last_seq FROM rooms WHERE id = ?');
  const lastSeqs = db.prepare('SELECT id, last_seq FROM rooms');

  const toRoom = (row: RoomRow, roles = lists.read(row.id)): Room => ({
    id: row.id,
    name: row.name,
    description: row.description,
    categoryId: row.category_id,
    privacy: row.privacy,
    type: row.type,
    members: roles.get('member') ?? [],
    managers: roles.get('manager') ?? [],
    presenters: roles.get('presenter') ?? [],
    invitations: row.invitations,
    addinId: row.addin_id,
    disabled: bool(row.disabled),
    createdAt: row.created_at,
    origin: originOf(row),
  });
  const settings = (r: Omit<Room, 'id' | 'createdAt'>): (string | number | null)[] => [
    r.name,
    r.description,
    r.categoryId,
    r.privacy,
    r.type,
    r.invitations,
    r.addinId,
    r.disabled ? 1 : 0,
  ];
  const roles = (r: Omit<Room, 'id' | 'createdAt'>) => ({ member: r.members, manager: r.managers, presenter: r.presenters });

  return {
    get: async (id) => {
      const row = byId.get(id) as RoomRow | undefined;
      return row ? toRoom(row) : null;
    },
    getByName: async (name) => {
      const row = byName.get(name) as RoomRow | undefined;
      return row ? toRoom(row) : null;
    },
    list: async () => {
      const allRoles = lists.readAll();
      return (all.all() as RoomRow[]).map((row) => toRoom(row, allRoles.get(row.id) ?? new Map()));
    },
    create: async (room) =>
      db.transaction(() => {
        const createdAt = Date.now();
        try {
          const info = insert.run(...settings(room), createdAt, ...originColumns(room.origin));
          const id = Number(info.lastInsertRowid);
          lists.write(id, roles(room));
          return { ...room, id, createdAt };
        } catch (error) {
          rethrowUnique(error, 'room');
        }
      })(),
    update: async (room) =>
      db.transaction(() => {
        try {
          update.run(...settings(room), ...originColumns(room.origin), room.id);
        } catch (error) {
          rethrowUnique(error, 'room');
        }
        lists.write(room.id, roles(room));
      })(),
    remove: async (id) => {
      remove.run(id);
    },
    lastSeq: async (id) => (lastSeq.get(id) as { last_seq: number } | undefined)?.last_seq ?? 0,
    lastSeqs: async () => new Map((lastSeqs.all() as { id: number; last_seq: number }[]).map((r) => [r.id, r.last_seq])),
  };
}
