/**
 * The SQLite twin (0007) moves full-text indexing of new messages from a trigger into the
 * inserting statements. PostgreSQL's search vector is a generated column, so nothing changes
 * here; the version exists so that one number means one schema in both dialects.
 */
export const sql = `
SELECT 1;
`;
