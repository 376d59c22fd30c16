/**
 * The SQLite twin (0008) sizes FTS5's buffer of pending terms for bulk imports. PostgreSQL's
 * search vector is a generated column with a GIN index, so nothing changes here; the version
 * exists so that one number means one schema in both dialects.
 */
export const sql = `
SELECT 1;
`;
