/** Who changed what: every mutating use case, with its outcome. Append-only, like compliance. */
export const sql = `
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor_id INTEGER NOT NULL,
  is_admin INTEGER NOT NULL,
  action   TEXT NOT NULL,
  target   TEXT,
  input    TEXT,
  outcome  TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit (actor_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
`;
