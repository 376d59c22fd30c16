import type pg from 'pg';
import type { Privacy, Room, RoomType } from '../../core/model.js';
import type { RoomStore } from '../../ports/store.js';
import { first, folded, transaction, unique } from './database.js';
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
  disabled: boolean;
  created_at: number;
  lists: unknown;
}

const lists = new PrincipalLists('room_roles', 'room_id', 'role', 'principal_kind', 'principal_id');
const SELECT = `SELECT r.id, r.name, r.description, r.category_id, r.privacy, r.type, r.invitations, r.addin_id, r.disabled,
                r.created_at, r.origin_system, r.origin_id, ${lists.column('r.id')} FROM rooms r`;

const toRoom = (row: RoomRow): Room => {
  const roles = lists.parse(row.lists);
  return {
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
    disabled: row.disabled,
    createdAt: row.created_at,
    origin: originOf(row),
  };
};
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
];
const roles = (r: Omit<Room, 'id' | 'createdAt'>) => ({ member: r.members, manager: r.managers, presenter: r.presenters });

export function postgresRooms(pool: pg.Pool): RoomStore {
  const one = async (where: string, value: string | number): Promise<Room | null> => {
    const row = first(await pool.query<RoomRow>(`${SELECT} WHERE ${where}`, [value]));
    return row ? toRoom(row) : null;
  };
  return {
    get: (id) => one('r.id = $1', id),
    getByName: (name) => one(`${folded('r.name')} = ${folded('$1::text')}`, name),
    list: async () => (await pool.query<RoomRow>(`${SELECT} ORDER BY r.id`)).rows.map(toRoom),
    create: (room) =>
      unique('room', 'name', () =>
        transaction(pool, async (tx) => {
          const createdAt = Date.now();
          const { rows } = await tx.query<{ id: number }>(
            `INSERT INTO rooms (name, description, category_id, privacy, type, invitations, addin_id, disabled, origin_system, origin_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
            [...settings(room), createdAt],
          );
          const id = rows[0]!.id;
          await lists.write(tx, id, roles(room));
          return { ...room, id, createdAt };
        }),
      ),
    update: (room) =>
      unique('room', 'name', () =>
        transaction(pool, async (tx) => {
          await tx.query(
            `UPDATE rooms SET name = $1, description = $2, category_id = $3, privacy = $4, type = $5, invitations = $6, addin_id = $7,
             disabled = $8, origin_system = $9, origin_id = $10 WHERE id = $11`,
            [...settings(room), room.id],
          );
          await lists.write(tx, room.id, roles(room));
        }),
      ),
    remove: async (id) => {
      await pool.query('DELETE FROM rooms WHERE id = $1', [id]); // messages and roles cascade
    },
    lastSeqs: async () => new Map((await pool.query<{ id: number; last_seq: number }>('SELECT id, last_seq FROM rooms')).rows.map((r) => [r.id, r.last_seq])),
    lastSeq: async (id) => first(await pool.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [id]))?.last_seq ?? 0,
  };
}
