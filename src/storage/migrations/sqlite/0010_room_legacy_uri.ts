/**
 * A room's legacy identity (Room.legacyUri): the `ma-chan://<domain>/<nodeGuid>` URI a Lync/OCS
 * Group Chat client remembers it by. Unique where set (NULLs are distinct in a unique index),
 * compared case-insensitively: lower() folds ASCII letters, as PostgreSQL's twin index does.
 */
export const sql = `
ALTER TABLE rooms ADD COLUMN legacy_uri TEXT;
CREATE UNIQUE INDEX rooms_legacy_uri ON rooms (lower(legacy_uri));
`;
