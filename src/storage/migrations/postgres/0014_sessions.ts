/**
 * Sessions a user can see and end: a numeric id (what the API and the revocation event name),
 * how the session was opened (a bearer token, or one IRC or SIP connection), when it was
 * created and last used, the client's user agent and address. Existing sessions keep working:
 * their creation time is their expiry minus the 30 days every session had, and their last use
 * is now, so an idle expiry does not end them at the upgrade.
 *
 * `users.must_change_password`: the account must choose a new password before anything else
 * (the first administrator's one-time password).
 */
export const sql = `
ALTER TABLE sessions ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE sessions ADD CONSTRAINT sessions_id_unique UNIQUE (id);
ALTER TABLE sessions ADD COLUMN kind text NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'irc', 'sip'));
ALTER TABLE sessions ADD COLUMN created_at bigint;
UPDATE sessions SET created_at = expires_at - 2592000000;
ALTER TABLE sessions ALTER COLUMN created_at SET NOT NULL;
ALTER TABLE sessions ADD COLUMN last_used_at bigint NOT NULL DEFAULT (floor(extract(epoch FROM now()) * 1000))::bigint;
ALTER TABLE sessions ALTER COLUMN last_used_at DROP DEFAULT;
ALTER TABLE sessions ADD COLUMN user_agent text;
ALTER TABLE sessions ADD COLUMN address text;
CREATE INDEX sessions_last_use ON sessions (last_used_at);

ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
`;
