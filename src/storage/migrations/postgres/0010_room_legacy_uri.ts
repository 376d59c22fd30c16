/**
 * A room's legacy identity (Room.legacyUri): the `ma-chan://<domain>/<nodeGuid>` URI a Lync/OCS
 * Group Chat client remembers it by. Unique where set (NULLs are distinct in a unique index),
 * compared case-insensitively with ASCII folding, like room names (see `folded`) and SQLite's twin.
 */
export const sql = `
ALTER TABLE rooms ADD COLUMN legacy_uri text;
CREATE UNIQUE INDEX rooms_legacy_uri ON rooms (lower(legacy_uri COLLATE "C"));
`;
