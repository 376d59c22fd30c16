import type pg from 'pg';
import type { Preference, PreferenceStore } from '../../ports/store.js';
import { transaction } from './database.js';

export function postgresPreferences(pool: pg.Pool): PreferenceStore {
  return {
    // COLLATE "C": code-point order, as SQLite's BINARY (the database's collation may differ).
    list: async (userId, keys) =>
      keys === undefined
        ? (await pool.query<Preference>('SELECT key, value FROM user_prefs WHERE user_id = $1 ORDER BY key COLLATE "C"', [userId])).rows
        : keys.length === 0
          ? []
          : (await pool.query<Preference>('SELECT key, value FROM user_prefs WHERE user_id = $1 AND key = ANY($2::text[]) ORDER BY key COLLATE "C"', [userId, keys])).rows,
    set: async (userId, key, value, maxKeys) => {
      if (value === null) {
        await pool.query('DELETE FROM user_prefs WHERE user_id = $1 AND key = $2', [userId, key]);
        return true;
      }
      return transaction(pool, async (client) => {
        // Writers of one user's preferences queue on the user's row (NO KEY UPDATE leaves the
        // user's posts, which only take KEY SHARE, unblocked), so the count below stays true.
        await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
        const result = await client.query(
          `INSERT INTO user_prefs (user_id, key, value)
           SELECT $1::bigint, $2::text, $3::text
           WHERE EXISTS (SELECT 1 FROM user_prefs WHERE user_id = $1::bigint AND key = $2::text)
              OR (SELECT count(*) FROM user_prefs WHERE user_id = $1::bigint) < $4::bigint
           ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`,
          [userId, key, value, maxKeys],
        );
        return (result.rowCount ?? 0) > 0;
      });
    },
  };
}
