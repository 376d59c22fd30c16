/** Per user and room: followed (opened at every sign-in, on every device) and the last seq read. */
export const sql = `
CREATE TABLE reading (
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  room_id   INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  followed  INTEGER NOT NULL DEFAULT 0,
  last_read INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, room_id)
);
CREATE INDEX reading_room ON reading (room_id);
`;
