import type { NewSession, SessionStore, StoredSession } from '../../ports/store.js';
import { SESSION_COLUMNS, type SessionRow, sessionOf } from '../rows.js';
import { type Db, withoutFsync } from './database.js';

export function sqliteSessions(db: Db): SessionStore {
  const insert = db.prepare(
    `INSERT INTO sessions (token_hash, user_id, kind, created_at, last_used_at, expires_at, user_agent, address)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
  );
  const get = db.prepare(
    `SELECT ${SESSION_COLUMNS.replace(/(\w+)/g, 's.$1')}, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
  );
  const ofUser = db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? ORDER BY id`);
  const touch = db.prepare('UPDATE sessions SET last_used_at = ? WHERE id = ? AND last_used_at < ?');
  const remove = db.prepare(`DELETE FROM sessions WHERE token_hash = ? RETURNING ${SESSION_COLUMNS}`);
  const removeOne = db.prepare('DELETE FROM sessions WHERE id = ? AND user_id = ?');
  const removeById = db.prepare('DELETE FROM sessions WHERE id = ?');
  const removeUser = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id').pluck();
  const expire = db.prepare('DELETE FROM sessions WHERE expires_at < ? OR last_used_at < ?');
  const createMany = db.transaction((sessions: readonly NewSession[], idleBefore: number): StoredSession[] => {
    if (sessions[0]) expire.run(sessions[0].createdAt, idleBefore);
    return sessions.map((s) => sessionOf(insert.get(s.tokenHash, s.userId, s.kind, s.createdAt, s.createdAt, s.expiresAt, s.userAgent, s.address) as SessionRow));
  });
  return {
    create: async (s: NewSession, idleBefore) => createMany([s], idleBefore)[0] as StoredSession,
    // Connections' rows: a power cut ends those connections anyway, so their commits need not wait for the disk.
    createMany: async (sessions, idleBefore) => withoutFsync(db, () => createMany(sessions, idleBefore)),
    get: async (tokenHash) => {
      const row = get.get(tokenHash) as (SessionRow & { must_change_password: number }) | undefined;
      return row ? { ...sessionOf(row), mustChangePassword: row.must_change_password === 1 } : null;
    },
    listForUser: async (userId) => (ofUser.all(userId) as SessionRow[]).map(sessionOf),
    touch: async (ids, at) => {
      db.transaction(() => {
        for (const id of ids) touch.run(at, id, at);
      })();
    },
    remove: async (tokenHash) => {
      const row = remove.get(tokenHash) as SessionRow | undefined;
      return row ? sessionOf(row) : null;
    },
    removeByIds: async (userId, ids) =>
      db.transaction(() => ids.filter((id) => removeOne.run(id, userId).changes > 0))(),
    removeMany: async (ids) =>
      withoutFsync(db, () =>
        db.transaction(() => {
          for (const id of ids) removeById.run(id);
        })(),
      ),
    removeForUser: async (userId, keepId) => removeUser.all(userId, keepId ?? 0) as number[],
  };
}
