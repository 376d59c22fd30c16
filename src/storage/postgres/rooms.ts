import pg from 'pg';
import { PchatError } from '../../core/errors.js';
import type { Room } from '../../core/model.js';
import type { RoomStore } from '../../ports/store.js';
import { first, folded, rethrowUnique, transaction } from './database.js';
import { directPairColumn, originColumns, type RoomRow, roomRoles, toRoom } from '../rows.js';
import { PrincipalLists } from './principalLists.js';


/** A room row with its role lists aggregated as JSON. */
interface RoomWithRoles extends RoomRow {
  lists: unknown;
}

const lists = new PrincipalLists('room_roles', 'room_id', 'role', 'principal_kind', 'principal_id');
const SELECT = `SELECT r.id, r.name, r.description, r.category_id, r.privacy, r.type, r.invitations, r.addin_id, r.disabled,
                r.created_at, r.origin_system, r.origin_id, r.legacy_uri, r.direct, ${lists.column('r.id')} FROM rooms r`;

const asRoom = (row: RoomWithRoles): Room => toRoom(row, lists.parse(row.lists));
const settings = (r: Omit<Room, 'id' | 'createdAt'>) => [
  r.name,
  r.description,
  r.categoryId,
  r.privacy,
  r.type,
  r.invitations,
  r.addinId,
  r.disabled,
  ...originColumns(r.origin),
  r.legacyUri,
];

/** Runs a room write: a clash on the legacy URI's unique index (migration 0010) says so; other UNIQUE violations are name_taken. */
async function uniqueRoom<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.constraint === 'rooms_legacy_uri') {
      throw new PchatError('conflict', 'Another room already has that legacy URI.', { field: 'legacyUri' });
    }
    if (error instanceof pg.DatabaseError && error.constraint === 'rooms_direct_pair') {
      throw new PchatError('conflict', 'These two people already have a direct conversation.', { field: 'participants' });
    }
    rethrowUnique(error, 'room', 'name');
  }
}

export function postgresRooms(pool: pg.Pool): RoomStore {
  const one = async (where: string, value: string | number): Promise<Room | null> => {
    const row = first(await pool.query<RoomWithRoles>(`${SELECT} WHERE ${where}`, [value]));
    return row ? asRoom(row) : null;
  };
  return {
    get: (id) => one('r.id = $1', id),
    getByName: (name) => one(`${folded('r.name')} = ${folded('$1::text')}`, name),
    list: async () => (await pool.query<RoomWithRoles>(`${SELECT} ORDER BY r.id`)).rows.map(asRoom),
    create: (room) =>
      uniqueRoom(() =>
        transaction(pool, async (tx) => {
          const createdAt = room.createdAt ?? Date.now();
          const { rows } = await tx.query<{ id: number }>(
            // `direct` and `direct_pair` are written once, at creation: a conversation never becomes a room.
            `INSERT INTO rooms (name, description, category_id, privacy, type, invitations, addin_id, disabled, origin_system, origin_id, legacy_uri, created_at, direct, direct_pair)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
            [...settings(room), createdAt, room.direct === true, directPairColumn(room)],
          );
          const id = rows[0]!.id;
          await lists.write(tx, id, roomRoles(room));
          return { ...room, id, createdAt };
        }),
      ),
    update: (room) =>
      uniqueRoom(() =>
        transaction(pool, async (tx) => {
          await tx.query(
            `UPDATE rooms SET name = $1, description = $2, category_id = $3, privacy = $4, type = $5, invitations = $6, addin_id = $7,
             disabled = $8, origin_system = $9, origin_id = $10, legacy_uri = $11 WHERE id = $12`,
            [...settings(room), room.id],
          );
          await lists.write(tx, room.id, roomRoles(room));
        }),
      ),
    remove: async (id) => {
      await pool.query('DELETE FROM rooms WHERE id = $1', [id]); // messages and roles cascade
    },
    lastSeqs: async () => new Map((await pool.query<{ id: number; last_seq: number }>('SELECT id, last_seq FROM rooms')).rows.map((r) => [r.id, r.last_seq])),
    lastSeq: async (id) => first(await pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [id]))?.last_seq ?? 0,
  };
}
