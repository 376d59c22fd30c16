/**
 * Emoji reactions (issue 20, core/reactions.ts): one row per message, emoji and user, going with
 * the message (cascade). Without rowid, so the primary key is the table and a message's reactions
 * are one range of it. `messages.has_reactions` is kept by the reaction writers (set on an add or
 * import, recomputed on a removal), so history reads look reactions up only for pages that have
 * some, as `has_file` does for files (migration 0011). The compliance CHECK is widened for REACT
 * and UNREACT as migration 0017 widened it (the stored schema's edit, then a check that it took).
 */
export const sql = `
CREATE TABLE message_reactions (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  emoji      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN has_reactions INTEGER NOT NULL DEFAULT 0;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
  SET sql = replace(sql, '''EDIT'', ''DELETE''))', '''EDIT'', ''DELETE'', ''REACT'', ''UNREACT''))')
  WHERE type = 'table' AND name = 'compliance';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (edited INTEGER CHECK (edited));
INSERT INTO schema_version_bump SELECT instr(sql, '''UNREACT''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'compliance';
DROP TABLE schema_version_bump;
`;
