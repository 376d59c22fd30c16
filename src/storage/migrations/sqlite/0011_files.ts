/**
 * Files posted in rooms. A row per post (its name, type and uploader), one per message at most,
 * removed with its message or its room; the bytes live in a BlobStore (with SQLite: a directory
 * under dataDir) under their SHA-256, once per content, so `sha256` is indexed for the orphan
 * sweep, and `(room_id, message_id)` serves deleting a room's files with it.
 */
export const sql = `
CREATE TABLE files (
  id            INTEGER PRIMARY KEY,
  room_id       INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  message_id    INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
  uploader_id   INTEGER NOT NULL REFERENCES users(id),
  created_at    INTEGER NOT NULL,
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (origin_system, origin_id)
);
CREATE INDEX files_room_message ON files (room_id, message_id);
CREATE INDEX files_sha256 ON files (sha256);

-- Set on a message written with its file (cleared when moderation replaces it): reads look up
-- files only for flagged messages, so a page without files costs no query and no join.
ALTER TABLE messages ADD COLUMN has_file INTEGER NOT NULL DEFAULT 0;
`;
