import type { Preference, PreferenceStore } from '../../ports/store.js';
import type { Db } from './database.js';

export function sqlitePreferences(db: Db): PreferenceStore {
  // BINARY collation compares UTF-8 bytes: code-point order, as PostgreSQL's COLLATE "C".
  const all = db.prepare('SELECT key, value FROM user_prefs WHERE user_id = ? ORDER BY key');
  const some = db.prepare('SELECT key, value FROM user_prefs WHERE user_id = ? AND key IN (SELECT value FROM json_each(?)) ORDER BY key');
  const remove = db.prepare('DELETE FROM user_prefs WHERE user_id = ? AND key = ?');
  // One statement, so the count check and the write are atomic: a new key only below the limit.
  const upsert = db.prepare(
    `INSERT INTO user_prefs (user_id, key, value)
     SELECT @user, @key, @value
     WHERE EXISTS (SELECT 1 FROM user_prefs WHERE user_id = @user AND key = @key)
        OR (SELECT count(*) FROM user_prefs WHERE user_id = @user) < @max
     ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`,
  );
  return {
    list: async (userId, keys) =>
      (keys === undefined ? all.all(userId) : keys.length === 0 ? [] : some.all(userId, JSON.stringify(keys))) as Preference[],
    set: async (userId, key, value, maxKeys) => {
      if (value === null) {
        remove.run(userId, key);
        return true;
      }
      return upsert.run({ user: userId, key, value, max: maxKeys }).changes > 0;
    },
  };
}
