/** The PostgreSQL twin of SQLite's 0024: IRC's own clientIds leave the uniqueness index (see there). */
export const sql = `
DROP INDEX messages_client_id;
CREATE UNIQUE INDEX messages_client_id ON messages (room_id, author_id, client_id)
  WHERE client_id IS NOT NULL AND substr(client_id, 1, 4) <> 'irc-';
`;
