/**
 * FTS5 keeps a transaction's new terms in memory and writes them out as an index segment when
 * they pass `hashsize` (1 MiB by default) and at commit. An import copies tens of thousands of
 * messages per transaction, and at 1 MiB each of its transactions became dozens of small
 * segments to merge again: with 64 MiB a transaction is one segment. Posts are small
 * transactions and never reach the limit, so nothing else changes (memory is only used as
 * terms are pending).
 */
export const sql = `
INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 67108864);
`;
