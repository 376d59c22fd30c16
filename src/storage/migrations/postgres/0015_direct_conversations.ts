/**
 * Direct conversations, as SQLite's migration 0015 (see there): the hidden category 0 (an
 * explicit id leaves the identity sequence alone), the `direct` marker, the unique one-to-one
 * pair key, and the direct-message policy rules.
 */
export const sql = `
INSERT INTO categories (id, name, description, invitations, file_upload, chat_history)
  VALUES (0, ' direct conversations', 'Hidden: the category of every direct conversation.', false, true, true);
ALTER TABLE rooms ADD COLUMN direct boolean NOT NULL DEFAULT false;
ALTER TABLE rooms ADD COLUMN direct_pair text;
CREATE UNIQUE INDEX rooms_direct_pair ON rooms (direct_pair);
CREATE TABLE direct_policies (
  scope     text NOT NULL CHECK (scope IN ('global', 'site', 'user')),
  target_id bigint NOT NULL DEFAULT 0,
  enabled   boolean NOT NULL,
  PRIMARY KEY (scope, target_id)
);
`;
