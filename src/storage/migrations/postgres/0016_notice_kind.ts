/** Notices (IRC NOTICE) are stored as their own message kind, as SQLite's migration 0016. */
export const sql = `
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('text', 'story', 'notice'));
`;
