/**
 * Authors edit and delete their own messages (app/ownMessages.ts): `messages.edited_at` marks an
 * edited message (UTC ms, NULL when never edited), and the compliance record takes two more
 * types, EDIT (with the previous and the new text) and DELETE (with the text removed).
 * The compliance CHECK is widened as migration 0016 widened the message kinds: SQLite cannot
 * alter a CHECK, rebuilding the append-only `compliance` table would copy every record, and
 * widening a CHECK that every row already satisfies is the edit of the stored schema SQLite
 * documents (sqlite.org/lang_altertable.html, "other kinds of schema changes"). The table created
 * and dropped afterwards bumps the schema version and fails the migration (rolling it back) if the
 * edit did not take.
 */
export const sql = `
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
  SET sql = replace(sql, 'CHECK (type IN (''JOIN'', ''PART'', ''CHAT'', ''BACKCHAT'', ''FILEUPLOAD'', ''FILEDOWNLOAD''))', 'CHECK (type IN (''JOIN'', ''PART'', ''CHAT'', ''BACKCHAT'', ''FILEUPLOAD'', ''FILEDOWNLOAD'', ''EDIT'', ''DELETE''))')
  WHERE type = 'table' AND name = 'compliance';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (edited INTEGER CHECK (edited));
INSERT INTO schema_version_bump SELECT instr(sql, '''DELETE''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'compliance';
DROP TABLE schema_version_bump;
`;
