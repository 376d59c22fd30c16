/**
 * Emoji reactions, as SQLite's migration 0019: `message_reactions` (one row per message, emoji
 * and user, cascading with the message), `messages.has_reactions` (kept by the reaction writers,
 * so history reads look reactions up only for pages that have some), and the compliance types
 * REACT and UNREACT.
 */
export const sql = `
CREATE TABLE message_reactions (
  message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id),
  emoji      text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
);
ALTER TABLE messages ADD COLUMN has_reactions boolean NOT NULL DEFAULT false;
ALTER TABLE compliance DROP CONSTRAINT compliance_type_check;
ALTER TABLE compliance ADD CONSTRAINT compliance_type_check
  CHECK (type IN ('JOIN', 'PART', 'CHAT', 'BACKCHAT', 'FILEUPLOAD', 'FILEDOWNLOAD', 'EDIT', 'DELETE', 'REACT', 'UNREACT'));
`;
