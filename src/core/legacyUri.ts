/**
 * A room's legacy identity (Room.legacyUri): the `ma-chan://<domain>/<node guid>` URI a Lync/OCS
 * Group Chat client remembers a room by. It is compared case-insensitively, folding ASCII
 * letters only, exactly as both stores' unique index does (SQLite's lower(), PostgreSQL's
 * lower(x COLLATE "C")), so a lookup here and the database agree on which URIs are the same.
 */

export const MAX_LEGACY_URI = 512;

/** The key two legacy URIs are the same under: ASCII letters folded to lower case. */
export const foldLegacyUri = (uri: string): string => uri.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** A Group Chat room's URI: `ma-chan://<SIP domain>/<nodeGuid>`, both in lower case. */
export const groupChatRoomUri = (domain: string, nodeGuid: string): string => `ma-chan://${domain.toLowerCase()}/${nodeGuid.toLowerCase()}`;
