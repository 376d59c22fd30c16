/**
 * The clientIds a door makes itself (IRC: `irc-` and an id of the connection's own, then a
 * counter; core/model.ts DOOR_CLIENT_ID_PREFIX) leave the uniqueness index of migration 0022.
 * They are unique by construction and never retried, so the check guarded nothing, and the
 * index, ordered by author, cost every IRC post an entry on a page of its author's: a commit of
 * posts by 30 people wrote 30 more pages (docs/benchmarks.md, irc-throughput). The ids are still
 * stored: history tells the posts made over IRC by them. Every other clientId stays unique, and
 * clients may no longer send ids that start so. Dropping and making an index: no table rebuild.
 */
export const sql = `
DROP INDEX messages_client_id;
CREATE UNIQUE INDEX messages_client_id ON messages (room_id, author_id, client_id)
  WHERE client_id IS NOT NULL AND substr(client_id, 1, 4) <> 'irc-';
`;
