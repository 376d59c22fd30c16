/**
 * SIP sign-in and per-user preferences.
 *
 * `users.nt_hash_enc`: the account's NT hash (MD4 of the password, what NTLM checks against),
 * encrypted by the application with AES-256-GCM under the deployment's SIP credential key, or
 * NULL. It sits on the user row next to `password_hash` so that one UPDATE changes both: a
 * password change can never leave the old password's NT hash behind.
 *
 * `user_prefs`: a user's preferences (key → text), e.g. what a Lync / OCS client keeps on the
 * server. Deleted with the user.
 */
export const sql = `
ALTER TABLE users ADD COLUMN nt_hash_enc BLOB;

CREATE TABLE user_prefs (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
`;
