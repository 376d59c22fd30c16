import type pg from 'pg';
import type { Message } from '../../core/model.js';
import type { SearchQuery } from '../../ports/store.js';
import { READ_COLUMNS as COLUMNS, readMessages } from './files.js';
import { Where } from './where.js';

/**
 * Turns the user's words into a tsquery without ever parsing them as tsquery syntax: each
 * word goes through pchat_search_vector, the very function that indexes messages (unaccent,
 * the 'simple' parser, lower case), and the lexemes that come out are quoted one by one and
 * joined with &. Every word must match; the lexemes of the last word match as prefixes.
 * Null when the words hold no lexeme at all (nothing can match).
 */
export async function tsQuery(db: Pick<pg.Pool, 'query'>, terms: readonly string[]): Promise<string | null> {
  const { rows } = await db.query<{ ord: number; lexeme: string }>(
    `SELECT t.ord::int AS ord, l.lexeme
     FROM unnest($1::text[]) WITH ORDINALITY AS t(term, ord)
     CROSS JOIN LATERAL unnest(tsvector_to_array(pchat_search_vector(NULL, t.term))) AS l(lexeme)
     ORDER BY t.ord, l.lexeme`,
    [terms],
  );
  if (rows.length === 0) return null;
  const last = terms.length;
  return rows.map((r) => `${quoteLexeme(r.lexeme)}${r.ord === last ? ':*' : ''}`).join(' & ');
}

/** A lexeme as a tsquery literal: in single quotes, with backslashes and quotes escaped. */
export const quoteLexeme = (lexeme: string): string => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Newest first by id, in the given rooms only, with the optional filters and keyset cursor. */
export async function searchMessages(pool: pg.Pool, q: SearchQuery): Promise<Message[]> {
  if (q.roomIds.length === 0 || q.terms.length === 0) return [];
  // Two round trips on purpose: with the tsquery as a plain parameter the planner sees how
  // selective it is and can choose between the GIN index and walking ids backwards.
  const query = await tsQuery(pool, q.terms);
  if (query === null) return [];
  const where = new Where()
    .add('search @@ ?::tsquery', query)
    .add('room_id = ANY(?::bigint[])', q.roomIds)
    .optional('author_id = ?', q.authorId)
    .optional('created_at >= ?', q.from)
    .optional('created_at <= ?', q.to)
    .optional('id < ?', q.beforeId);
  return readMessages(pool, pool.query(`SELECT ${COLUMNS} FROM messages WHERE ${where} ORDER BY id DESC LIMIT ${where.next(q.limit)}`, where.params));
}
