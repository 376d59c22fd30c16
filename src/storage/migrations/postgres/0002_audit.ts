/** Who changed what: every mutating use case, with its outcome. Append-only, like compliance. */
export const sql = `
CREATE TABLE audit (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       bigint NOT NULL,
  actor_id bigint NOT NULL,
  is_admin boolean NOT NULL,
  action   text NOT NULL,
  target   text,
  input    json,
  outcome  text NOT NULL
);
CREATE INDEX audit_actor ON audit (actor_id, id);
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION pchat_append_only('audit');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION pchat_append_only('audit');
`;
