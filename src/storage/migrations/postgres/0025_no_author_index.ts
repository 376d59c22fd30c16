/** The PostgreSQL twin of SQLite's 0025: the index of messages by author goes (see there). */
export const sql = `
DROP INDEX messages_author;
`;
