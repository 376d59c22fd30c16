/** @mentions and per-room notification settings, as SQLite's migration 0020 (which explains the indexes). */
export const sql = `
CREATE TABLE mentions (
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  room_id    bigint NOT NULL,
  seq        bigint NOT NULL,
  PRIMARY KEY (user_id, message_id)
);
CREATE INDEX mentions_unread ON mentions (user_id, room_id, seq);
CREATE INDEX mentions_message ON mentions (message_id);
ALTER TABLE reading ADD COLUMN notify text NOT NULL DEFAULT 'mentions' CHECK (notify IN ('all', 'mentions', 'none'));
`;
