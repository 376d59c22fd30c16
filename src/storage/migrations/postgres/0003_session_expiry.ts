/** Expired sessions are deleted at each login; without this index that was a full scan. */
export const sql = `CREATE INDEX sessions_expiry ON sessions (expires_at);`;
