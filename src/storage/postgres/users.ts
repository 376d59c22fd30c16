import type { User } from '../../core/model.js';
import type { NewUser, UserStore } from '../../ports/store.js';
import { first, folded, type Queryable, unique } from './database.js';
import { originColumns, toUser, USER_COLUMNS as COLUMNS, type UserRow } from '../rows.js';

const one = (result: { rows: UserRow[] }): User | null => {
  const row = first(result);
  return row ? toUser(row) : null;
};

export function postgresUsers(db: Queryable): UserStore {
  return {
    get: async (id) => one(await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])),
    getByLogin: async (login) =>
      one(await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE ${folded('login')} = ${folded('$1::text')}`, [login])),
    list: async () => (await db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`)).rows.map(toUser),
    create: async (user: NewUser) => {
      const createdAt = Date.now();
      const { rows } = await unique('user', 'login', () =>
        db.query<{ id: number }>(
          `INSERT INTO users (login, display_name, email, disabled, is_admin, password_hash, created_at, origin_system, origin_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [user.login, user.displayName, user.email, user.disabled, user.isAdmin, user.passwordHash, createdAt, ...originColumns(user.origin)],
        ),
      );
      return { ...user, id: rows[0]!.id, createdAt };
    },
    update: async (user) => {
      await unique('user', 'login', () =>
        db.query(
          'UPDATE users SET login = $1, display_name = $2, email = $3, disabled = $4, is_admin = $5, origin_system = $6, origin_id = $7 WHERE id = $8',
          [user.login, user.displayName, user.email, user.disabled, user.isAdmin, ...originColumns(user.origin), user.id],
        ),
      );
    },
    passwordHash: async (id) =>
      first(await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [id]))?.password_hash ?? null,
    // The NT hash is replaced in the same statement as the password hash (see UserStore).
    setPasswordHash: async (id, value, ntHashEnc = null) => {
      await db.query('UPDATE users SET password_hash = $1, nt_hash_enc = $2, must_change_password = false WHERE id = $3', [value, ntHashEnc, id]);
    },
    mustChangePassword: async (id) =>
      first(await db.query<{ must_change_password: boolean }>('SELECT must_change_password FROM users WHERE id = $1', [id]))?.must_change_password ?? false,
    setMustChangePassword: async (id, required) => {
      await db.query('UPDATE users SET must_change_password = $1 WHERE id = $2', [required, id]);
    },
    ntHashEnc: async (id) => first(await db.query<{ nt_hash_enc: Buffer | null }>('SELECT nt_hash_enc FROM users WHERE id = $1', [id]))?.nt_hash_enc ?? null,
    setNtHashEnc: async (id, value, passwordHash) =>
      ((await db.query('UPDATE users SET nt_hash_enc = $1 WHERE id = $2 AND password_hash = $3', [value, id, passwordHash])).rowCount ?? 0) > 0,
    countAdmins: async () => (await db.query<{ n: number }>('SELECT count(*) AS n FROM users WHERE is_admin AND NOT disabled')).rows[0]!.n,
  };
}
