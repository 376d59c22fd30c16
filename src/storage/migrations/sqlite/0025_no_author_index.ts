/**
 * The index of messages by author (author_id, id) goes. Every post added an entry on its
 * author's own page of it, so a commit of posts by 30 people dirtied 30 and more pages of it:
 * under irc-throughput's load, 56 of a commit's 121 WAL frames, and about 2 µs of the 15 µs a
 * post costs the store (docs/benchmarks.md). What it served: moderation's removal by author,
 * which pages through the messages by id and now reads them all (an admin's rare bulk action:
 * 0.09 s for an author of 100 messages among a million, 0.19 s for one of 31,000), and search by
 * author, which the full-text match drives anyway. Users are never deleted, so no foreign-key check needs it. Dropping an index: no table
 * rebuild.
 */
export const sql = `
DROP INDEX messages_author;
`;
