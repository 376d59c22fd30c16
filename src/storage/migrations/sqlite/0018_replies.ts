/**
 * Replies (issue 18): `messages.reply_to` is the id of the message of the same room that a message
 * answers, and `reply_count` on the parent how many answer it, kept so that history pages read the
 * count with the row instead of counting per page. The writers (append, import) raise the count
 * in the statement after their insert, only for a reply; a deletion, by whatever path (an author,
 * moderation, clearing, a room's removal), lowers it through the trigger, since deletions are rare
 * and have five paths. No foreign key: a reply whose parent was removed keeps the id and reads as
 * "a reply to a removed message", which is what happened.
 */
export const sql = `
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
CREATE TRIGGER messages_reply_removed AFTER DELETE ON messages WHEN old.reply_to IS NOT NULL BEGIN
  UPDATE messages SET reply_count = reply_count - 1 WHERE id = old.reply_to AND reply_count > 0;
END;
`;
