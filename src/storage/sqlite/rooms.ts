import type { Room } from '../../core/model.js';
import type { RoomStore } from '../../ports/store.js';
import { PchatError } from '../../core/errors.js';
import { type Db, rethrowUnique } from './database.js';
import { directPairColumn, originColumns, type RoomRow, roomRoles, toRoom } from '../rows.js';
import { PrincipalLists } from './principalLists.js';


const COLUMNS =
  'id, name, description, category_id, privacy, type, invitations, addin_id, disabled, created_at, origin_system, origin_id, legacy_uri, direct';

/** A UNIQUE violation of the legacy URI's index (migration 0010) names it; others are name_taken as before. */
function rethrowRoomUnique(error: unknown): never {
  if (error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('rooms_legacy_uri')) {
    throw new PchatError('conflict', 'Another room already has that legacy URI.', { field: 'legacyUri' });
  }
  if (error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('direct_pair')) {
    throw new PchatError('conflict', 'These two people already have a direct conversation.', { field: 'participants' });
  }
  rethrowUnique(error, 'room');
}

export function sqliteRooms(db: Db): RoomStore {
  const lists = new PrincipalLists(db, 'room_roles', 'room_id', 'role', 'principal_kind', 'principal_id');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM rooms WHERE id = ?`);
  const byName = db.prepare(`SELECT ${COLUMNS} FROM rooms WHERE name = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM rooms ORDER BY id`);
  // `direct` and `direct_pair` are written once, at creation: a conversation never becomes a room.
  const insert = db.prepare(
    `INSERT INTO rooms (name, description, category_id, privacy, type, invitations, addin_id, disabled, created_at, origin_system, origin_id, legacy_uri, direct, direct_pair)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE rooms SET name = ?, description = ?, category_id = ?, privacy = ?, type = ?, invitations = ?, addin_id = ?, disabled = ?,
     origin_system = ?, origin_id = ?, legacy_uri = ? WHERE id = ?`,
  );
  const remove = db.prepare('DELETE FROM rooms WHERE id = ?');
  const lastSeq = db.prepare('SELECT last_seq FROM rooms WHERE id = ?');
  const lastSeqs = db.prepare('SELECT id, last_seq FROM rooms');

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

  return {
    get: async (id) => {
      const row = byId.get(id) as RoomRow | undefined;
      return row ? toRoom(row, lists.read(row.id)) : null;
    },
    getByName: async (name) => {
      const row = byName.get(name) as RoomRow | undefined;
      return row ? toRoom(row, lists.read(row.id)) : null;
    },
    list: async () => {
      const allRoles = lists.readAll();
      return (all.all() as RoomRow[]).map((row) => toRoom(row, allRoles.get(row.id) ?? new Map()));
    },
    create: async (room) =>
      db.transaction(() => {
        const createdAt = room.createdAt ?? Date.now();
        try {
          const info = insert.run(...settings(room), createdAt, ...originColumns(room.origin), room.legacyUri, room.direct === true ? 1 : 0, directPairColumn(room));
          const id = Number(info.lastInsertRowid);
          lists.write(id, roomRoles(room));
          return { ...room, id, createdAt };
        } catch (error) {
          rethrowRoomUnique(error);
        }
      })(),
    update: async (room) =>
      db.transaction(() => {
        try {
          update.run(...settings(room), ...originColumns(room.origin), room.legacyUri, room.id);
        } catch (error) {
          rethrowRoomUnique(error);
        }
        lists.write(room.id, roomRoles(room));
      })(),
    remove: async (id) => {
      remove.run(id);
    },
    lastSeq: async (id) => (lastSeq.get(id) as { last_seq: number } | undefined)?.last_seq ?? 0,
    lastSeqs: async () => new Map((lastSeqs.all() as { id: number; last_seq: number }[]).map((r) => [r.id, r.last_seq])),
  };
}
