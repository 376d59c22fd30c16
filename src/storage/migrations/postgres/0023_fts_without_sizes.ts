/**
 * The SQLite twin (0023) rebuilds its FTS5 index without per-message column sizes. PostgreSQL's
 * search vector is a generated column with a GIN index, so nothing changes here; the version
 * exists so that one number means one schema in both dialects.
 */
export const sql = `
SELECT 1;
`;
