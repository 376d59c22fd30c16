/**
 * @mentions and per-room notification settings (app/mentions.ts). A `mentions` row says that a
 * message mentions a user who could read its room when it was written; it is written in the
 * message's transaction and goes with the message (cascade). `seq` repeats the message's, so
 * "unread mentions per room" (seq above the reading row's `last_read`) is a range of
 * `mentions_unread` without touching `messages`; "my mentions, newest first" walks the primary
 * key backwards. `reading.notify` is the user's notification setting for the room.
 */
export const sql = `
CREATE TABLE mentions (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  room_id    INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;
CREATE INDEX mentions_unread ON mentions (user_id, room_id, seq);
CREATE INDEX mentions_message ON mentions (message_id);
ALTER TABLE reading ADD COLUMN notify TEXT NOT NULL DEFAULT 'mentions' CHECK (notify IN ('all', 'mentions', 'none'));
`;
