/**
 * The scheduled compliance export's state (docs/compliance.md): one row per export, with the
 * cursor (every record up to it is in a published file), the batch claimed and not yet
 * published, and the lease that lets one process at a time work on it. Times are ms since 1970.
 */
export const sql = `
CREATE TABLE compliance_export (
  name           TEXT PRIMARY KEY,
  cursor         INTEGER NOT NULL DEFAULT 0,
  pending_first  INTEGER,
  pending_last   INTEGER,
  pending_count  INTEGER,
  pending_format TEXT CHECK (pending_format IN ('xml', 'jsonl')),
  owner          TEXT,
  lease_until    INTEGER NOT NULL DEFAULT 0,
  last_run_at    INTEGER NOT NULL DEFAULT 0,
  updated_at     INTEGER NOT NULL DEFAULT 0,
  CHECK ((pending_first IS NULL) = (pending_last IS NULL))
);
`;
