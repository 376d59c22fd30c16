/**
 * Notices (IRC NOTICE) are stored as their own message kind, `notice`, so they stay notices on
 * every door and in history. SQLite cannot alter a CHECK constraint, and rebuilding `messages`
 * would copy every row and drop the table that files, reading state and the full-text index
 * hang on; widening a CHECK that every row already satisfies is the case SQLite documents for
 * editing the stored schema (sqlite.org/lang_altertable.html, "other kinds of schema changes").
 * The runner allows the edit for this migration only (`writableSchema`). The table created and
 * dropped afterwards bumps the schema version, so other open connections re-read the schema;
 * its CHECK fails the migration (and rolls it back) if the edit did not take, e.g. because the
 * stored CREATE TABLE text was not the one this migration expects.
 */
export const sql = `
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
  SET sql = replace(sql, 'kind          TEXT NOT NULL CHECK (kind IN (''text'', ''story''))', 'kind          TEXT NOT NULL CHECK (kind IN (''text'', ''story'', ''notice''))')
  WHERE type = 'table' AND name = 'messages';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (edited INTEGER CHECK (edited));
INSERT INTO schema_version_bump SELECT instr(sql, '''notice''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'messages';
DROP TABLE schema_version_bump;
`;
