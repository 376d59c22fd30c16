import type { NewUser, UserStore } from '../../ports/store.js';
import { type Db, rethrowUnique } from './database.js';
import { originColumns, toUser, USER_COLUMNS as COLUMNS, type UserRow } from '../rows.js';

export function sqliteUsers(db: Db): UserStore {
  const byId = db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
  const byLogin = db.prepare(`SELECT ${COLUMNS} FROM users WHERE login = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM users ORDER BY id`);
  const insert = db.prepare(
    `INSERT INTO users (login, display_name, email, disabled, is_admin, password_hash, created_at, origin_system, origin_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    'UPDATE users SET login = ?, display_name = ?, email = ?, disabled = ?, is_admin = ?, origin_system = ?, origin_id = ? WHERE id = ?',
  );
  const hash = db.prepare('SELECT password_hash FROM users WHERE id = ?');
  // The NT hash is replaced in the same statement as the password hash (see UserStore).
  const setHash = db.prepare('UPDATE users SET password_hash = ?, nt_hash_enc = ?, must_change_password = 0 WHERE id = ?');
  const mustChange = db.prepare('SELECT must_change_password FROM users WHERE id = ?').pluck();
  const setMustChange = db.prepare('UPDATE users SET must_change_password = ? WHERE id = ?');
  const ntHash = db.prepare('SELECT nt_hash_enc FROM users WHERE id = ?');
  const setNtHash = db.prepare('UPDATE users SET nt_hash_enc = ? WHERE id = ? AND password_hash = ?');
  const admins = db.prepare('SELECT count(*) AS n FROM users WHERE is_admin = 1 AND disabled = 0');

  return {
    get: async (id) => {
      const row = byId.get(id) as UserRow | undefined;
      return row ? toUser(row) : null;
    },
    getByLogin: async (login) => {
      const row = byLogin.get(login) as UserRow | undefined;
      return row ? toUser(row) : null;
    },
    list: async () => (all.all() as UserRow[]).map(toUser),
    create: async (user: NewUser) => {
      const createdAt = Date.now();
      try {
        const info = insert.run(
          user.login,
          user.displayName,
          user.email,
          user.disabled ? 1 : 0,
          user.isAdmin ? 1 : 0,
          user.passwordHash,
          createdAt,
          ...originColumns(user.origin),
        );
        return { ...user, id: Number(info.lastInsertRowid), createdAt };
      } catch (error) {
        rethrowUnique(error, 'user', 'login');
      }
    },
    update: async (user) => {
      try {
        update.run(user.login, user.displayName, user.email, user.disabled ? 1 : 0, user.isAdmin ? 1 : 0, ...originColumns(user.origin), user.id);
      } catch (error) {
        rethrowUnique(error, 'user', 'login');
      }
    },
    passwordHash: async (id) => (hash.get(id) as { password_hash: string | null } | undefined)?.password_hash ?? null,
    setPasswordHash: async (id, value, ntHashEnc = null) => {
      setHash.run(value, ntHashEnc, id);
    },
    ntHashEnc: async (id) => (ntHash.get(id) as { nt_hash_enc: Buffer | null } | undefined)?.nt_hash_enc ?? null,
    setNtHashEnc: async (id, value, passwordHash) => setNtHash.run(value, id, passwordHash).changes > 0,
    mustChangePassword: async (id) => mustChange.get(id) === 1,
    setMustChangePassword: async (id, required) => {
      setMustChange.run(required ? 1 : 0, id);
    },
    countAdmins: async () => (admins.get() as { n: number }).n,
  };
}
