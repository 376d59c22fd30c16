/**
 * The uniqueness of (room, author, clientId), which makes a post idempotent, becomes a partial
 * index over the messages that have a clientId. Imported messages have none, yet every one of
 * them was an entry of that index, written in no useful order (by author within each room): 14
 * MiB per million messages, and about an eighth of the time a bulk import's copy spends in
 * SQLite (docs/benchmarks.md, slack-import). A NULL never conflicts, so the rule is the same.
 *
 * The constraint is part of the CREATE TABLE, so the table is rebuilt the way SQLite documents
 * (sqlite.org/lang_altertable.html, "Making other kinds of table schema changes"): a new table,
 * every row copied in id order (ids kept, so the full-text index, files, reactions, mentions and
 * feed hits still point at the same rows), the old table dropped, the new one renamed, then its
 * indexes and triggers made again. The runner switches foreign keys off around this migration
 * (`rebuildsTable`: otherwise dropping the old table would delete every row that refers to it) and
 * checks them before committing. It takes about 5 s per million messages, once.
 */
export const sql = `
CREATE TABLE messages_new (
  id            INTEGER PRIMARY KEY,
  room_id       INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  author_id     INTEGER NOT NULL REFERENCES users(id),
  kind          TEXT NOT NULL CHECK (kind IN ('text', 'story', 'notice')),
  title         TEXT,
  text          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  client_id     TEXT,
  origin_system TEXT,
  origin_id     TEXT,
  has_file      INTEGER NOT NULL DEFAULT 0,
  edited_at     INTEGER,
  reply_to      INTEGER,
  reply_count   INTEGER NOT NULL DEFAULT 0,
  has_reactions INTEGER NOT NULL DEFAULT 0,
  UNIQUE (room_id, seq),
  UNIQUE (origin_system, origin_id)
);
INSERT INTO messages_new (id, room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, edited_at, reply_to, reply_count, has_reactions)
  SELECT id, room_id, seq, author_id, kind, title, text, created_at, client_id, origin_system, origin_id, has_file, edited_at, reply_to, reply_count, has_reactions
  FROM messages ORDER BY id;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_client_id ON messages (room_id, author_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX messages_room_time ON messages (room_id, created_at);
CREATE INDEX messages_author ON messages (author_id, id);
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF title, text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  INSERT INTO messages_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER messages_reply_removed AFTER DELETE ON messages WHEN old.reply_to IS NOT NULL BEGIN
  UPDATE messages SET reply_count = reply_count - 1 WHERE id = old.reply_to AND reply_count > 0;
END;
`;
