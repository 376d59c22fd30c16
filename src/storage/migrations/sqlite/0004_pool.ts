/** The pool's nodes (a single SQLite server registers too, so `pchat pool status` works everywhere). */
export const sql = `
CREATE TABLE nodes (
  name            TEXT PRIMARY KEY,
  host            TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  started_at      INTEGER NOT NULL,
  heartbeat_at    INTEGER NOT NULL,
  ws_connections  INTEGER NOT NULL DEFAULT 0,
  irc_connections INTEGER NOT NULL DEFAULT 0,
  active          INTEGER NOT NULL DEFAULT 1
);
`;
