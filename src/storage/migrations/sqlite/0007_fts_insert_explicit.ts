/**
 * New messages enter the full-text index from the statements that insert them (MessageStore
 * append and importHistory), not from a per-row trigger. FTS5 flushes its pending terms at
 * every statement savepoint, and a trigger runs each row's index insert as a nested statement:
 * the trigger made every row a tiny index segment to merge later, three to four times the cost
 * of the row itself (36 µs of 44 µs per imported message). Inserted by the writer, the terms of
 * a whole transaction are flushed once. Deletes and text updates are rare and keep their triggers.
 */
export const sql = `
DROP TRIGGER messages_fts_insert;
`;
