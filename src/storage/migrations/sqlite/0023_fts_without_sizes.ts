/**
 * The full-text index no longer keeps each message's column sizes (FTS5's `columnsize = 0`).
 * They serve only ranking (bm25) and the auxiliary functions that ask for them, and pchat ranks
 * search results by recency, never by relevance: the sizes were a row of `messages_fts_docsize`
 * per message, written with every post and import, about a fifth of what indexing a message
 * cost (a 900,000-message import: 1.7 s of indexing, 1.35 s without them; docs/benchmarks.md,
 * slack-import). FTS5 cannot drop the option from an existing table, so the index is made again
 * from the messages (`rebuild`, about 1.5 s per million messages, once), with the pending-terms
 * size of migration 0008. The triggers of `messages` name the index by name and carry over.
 */
export const sql = `
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  title, text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', columnsize = 0
);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
`;
