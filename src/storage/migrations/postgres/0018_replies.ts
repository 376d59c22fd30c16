/**
 * Replies, as SQLite's migration 0018: `messages.reply_to` (the parent's id, same room, no foreign
 * key: a reply outlives a removed parent) and `reply_count` on the parent, raised by the writers and
 * lowered by a trigger on every deletion path. Both columns are added without rewriting the table
 * (a constant default).
 */
export const sql = `
ALTER TABLE messages ADD COLUMN reply_to bigint;
ALTER TABLE messages ADD COLUMN reply_count integer NOT NULL DEFAULT 0;
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;
CREATE FUNCTION pchat_reply_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE messages SET reply_count = reply_count - 1 WHERE id = OLD.reply_to AND reply_count > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_reply_removed AFTER DELETE ON messages
  FOR EACH ROW WHEN (OLD.reply_to IS NOT NULL) EXECUTE FUNCTION pchat_reply_removed();
`;
