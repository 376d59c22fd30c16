/** The pool's nodes: each server registers at start, heartbeats, and may be drained (active = false). */
export const sql = `
CREATE TABLE nodes (
  name            text PRIMARY KEY,
  host            text NOT NULL,
  pid             integer NOT NULL,
  started_at      bigint NOT NULL,
  heartbeat_at    bigint NOT NULL,
  ws_connections  integer NOT NULL DEFAULT 0,
  irc_connections integer NOT NULL DEFAULT 0,
  active          boolean NOT NULL DEFAULT true
);
`;
