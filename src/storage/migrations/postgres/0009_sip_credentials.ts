/**
 * SIP sign-in and per-user preferences (see the SQLite migration of the same number).
 * `users.nt_hash_enc` is the application's AES-256-GCM envelope of the NT hash, or NULL.
 */
export const sql = `
ALTER TABLE users ADD COLUMN nt_hash_enc bytea;

CREATE TABLE user_prefs (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key     text NOT NULL,
  value   text NOT NULL,
  PRIMARY KEY (user_id, key)
);
`;
