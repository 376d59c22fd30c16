/**
 * The scheduled compliance export's state (docs/compliance.md), as SQLite's twin: the cursor,
 * the claimed batch, the lease. Times are ms since 1970 by the database's clock.
 *
 * And the order in which compliance ids become visible. Ids come from a sequence, drawn before
 * commit: a transaction can draw id 7, another id 8 and commit first, and an export that has
 * seen "everything up to 8" would never see 7. So every INSERT into compliance takes a shared
 * transaction-scoped advisory lock before it draws ids (a statement trigger runs before the
 * statement computes any row, so before nextval), held to commit. Writers share it and never
 * wait for each other; the export takes it exclusively for one statement (settled(): the
 * largest visible id), which waits only for the inserts already under way to commit. Every id
 * up to what it then reads is committed or will never exist. The key is COMPLIANCE_ORDER_LOCK
 * in storage/postgres/complianceExport.ts.
 */
export const sql = `
CREATE TABLE compliance_export (
  name           text PRIMARY KEY,
  cursor         bigint NOT NULL DEFAULT 0,
  pending_first  bigint,
  pending_last   bigint,
  pending_count  bigint,
  pending_format text CHECK (pending_format IN ('xml', 'jsonl')),
  owner          text,
  lease_until    bigint NOT NULL DEFAULT 0,
  last_run_at    bigint NOT NULL DEFAULT 0,
  updated_at     bigint NOT NULL DEFAULT 0,
  CHECK ((pending_first IS NULL) = (pending_last IS NULL))
);

CREATE FUNCTION pchat_compliance_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1885564781);
  RETURN NULL;
END
$$;
CREATE TRIGGER compliance_ids_in_order BEFORE INSERT ON compliance
  FOR EACH STATEMENT EXECUTE FUNCTION pchat_compliance_order();
`;
