/**
 * Authors edit and delete their own messages, as SQLite's migration 0017: `messages.edited_at`
 * (NULL when never edited), and the compliance types EDIT and DELETE. Adding the widened CHECK
 * reads the records once to validate them; the migrations' one transaction holds the table meanwhile.
 */
export const sql = `
ALTER TABLE messages ADD COLUMN edited_at bigint;
ALTER TABLE compliance DROP CONSTRAINT compliance_type_check;
ALTER TABLE compliance ADD CONSTRAINT compliance_type_check
  CHECK (type IN ('JOIN', 'PART', 'CHAT', 'BACKCHAT', 'FILEUPLOAD', 'FILEDOWNLOAD', 'EDIT', 'DELETE'));
`;
