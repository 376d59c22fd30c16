/**
 * Sessions a user can see and end: a numeric id (what the API and the revocation event name),
 * how the session was opened (a bearer token, or one IRC or SIP connection), when it was
 * created and last used, the client's user agent and address. The table is rebuilt because
 * SQLite cannot add a primary key. Existing sessions keep working: their creation time is
 * their expiry minus the 30 days every session had, and their last use is now, so an idle
 * expiry does not end them at the upgrade.
 *
 * `users.must_change_password`: the account must choose a new password before anything else
 * (the first administrator's one-time password).
 */
export const sql = `
CREATE TABLE sessions_new (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'irc', 'sip')),
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  user_agent   TEXT,
  address      TEXT
);
INSERT INTO sessions_new (token_hash, user_id, kind, created_at, last_used_at, expires_at)
  SELECT token_hash, user_id, 'token', expires_at - 2592000000, CAST(strftime('%s', 'now') AS INTEGER) * 1000, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_last_use ON sessions (last_used_at);

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
`;
