/**
 * Direct conversations (core/direct.ts). A direct conversation is a room marked `direct`, whose
 * members are its participants, so history, search, read positions, compliance and live
 * delivery are the rooms'. It belongs to the hidden category 0, a row only so that
 * `rooms.category_id` keeps its foreign key: the stores never list it, and its name starts with
 * a space, which no validated name can (names are trimmed), so it never clashes.
 * `direct_pair` ("<lower user id>:<higher user id>", null otherwise) makes a one-to-one
 * conversation unique per pair, even when two people open it at the same moment.
 * `direct_policies`: the policy switch for direct conversations, with the chat policy's scopes;
 * no rule means enabled.
 */
export const sql = `
INSERT INTO categories (id, name, description, invitations, file_upload, chat_history)
  VALUES (0, ' direct conversations', 'Hidden: the category of every direct conversation.', 0, 1, 1);
ALTER TABLE rooms ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN direct_pair TEXT;
CREATE UNIQUE INDEX rooms_direct_pair ON rooms (direct_pair);
CREATE TABLE direct_policies (
  scope     TEXT NOT NULL CHECK (scope IN ('global', 'site', 'user')),
  target_id INTEGER NOT NULL DEFAULT 0,
  enabled   INTEGER NOT NULL,
  PRIMARY KEY (scope, target_id)
);
`;
