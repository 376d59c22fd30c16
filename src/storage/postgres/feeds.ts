import type pg from 'pg';
import type { FeedFilter, FeedHit, FeedStore } from '../../ports/feeds.js';
import { MESSAGE_COLUMNS } from '../rows.js';
import { transaction } from './database.js';
import { type FlaggedRow, withTheirFiles } from './files.js';

const FILTER_COLUMNS = 'id, user_id, name, words, author_id, room_ids, read_hit_id, created_at';
const M_COLUMNS = `${MESSAGE_COLUMNS}, has_file`
  .split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

interface FilterRow {
  id: number;
  user_id: number;
  name: string;
  words: string[];
  author_id: number | null;
  /** bigint[] arrives as strings (the pool parses plain int8 only). */
  room_ids: (string | number)[] | null;
  read_hit_id: number;
  created_at: number;
}

const toFilter = (r: FilterRow): FeedFilter => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  words: r.words,
  authorId: r.author_id,
  roomIds: r.room_ids === null ? null : r.room_ids.map(Number),
  readHitId: r.read_hit_id,
  createdAt: r.created_at,
});

/** Topic feeds in PostgreSQL (migration 0021), the same semantics as SQLite's. */
export function postgresFeeds(pool: pg.Pool): FeedStore {
  const one = async (text: string, values: unknown[]): Promise<FeedFilter | null> => {
    const row = (await pool.query<FilterRow>(text, values)).rows[0];
    return row ? toFilter(row) : null;
  };
  return {
    create: async (f, maxPerUser) =>
      // The user's row is locked first, so two creates at once count each other.
      transaction(pool, async (client) => {
        await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [f.userId]);
        const row = (
          await client.query<FilterRow>(
            `INSERT INTO feed_filters (user_id, name, words, author_id, room_ids, created_at)
             SELECT $1, $2, $3::text[], $4, $5::bigint[], $6 WHERE (SELECT count(*) FROM feed_filters WHERE user_id = $1) < $7
             RETURNING ${FILTER_COLUMNS}`,
            [f.userId, f.name, f.words, f.authorId, f.roomIds, f.createdAt, maxPerUser],
          )
        ).rows[0];
        return row ? toFilter(row) : null;
      }),
    update: (c) =>
      one(`UPDATE feed_filters SET name = $1, words = $2::text[], author_id = $3, room_ids = $4::bigint[] WHERE id = $5 AND user_id = $6 RETURNING ${FILTER_COLUMNS}`, [
        c.name,
        c.words,
        c.authorId,
        c.roomIds,
        c.id,
        c.userId,
      ]),
    remove: async (id, userId) => ((await pool.query('DELETE FROM feed_filters WHERE id = $1 AND user_id = $2', [id, userId])).rowCount ?? 0) > 0,
    get: (id) => one(`SELECT ${FILTER_COLUMNS} FROM feed_filters WHERE id = $1`, [id]),
    listByUser: async (userId) => (await pool.query<FilterRow>(`SELECT ${FILTER_COLUMNS} FROM feed_filters WHERE user_id = $1 ORDER BY id`, [userId])).rows.map(toFilter),
    listAll: async () => (await pool.query<FilterRow>(`SELECT ${FILTER_COLUMNS} FROM feed_filters ORDER BY id`)).rows.map(toFilter),
    addHits: async (hits) => {
      if (hits.length === 0) return [];
      // One statement for the batch; a hit whose filter or message went meanwhile is skipped.
      const { rows } = await pool.query<{ id: number; filter_id: number; message_id: number }>(
        `INSERT INTO feed_hits (filter_id, message_id, room_id)
         SELECT t.f, t.m, t.r FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(f, m, r, ord)
         WHERE EXISTS (SELECT 1 FROM feed_filters WHERE id = t.f) AND EXISTS (SELECT 1 FROM messages WHERE id = t.m)
         ORDER BY t.ord
         ON CONFLICT (filter_id, message_id) DO NOTHING RETURNING id, filter_id, message_id`,
        [hits.map((h) => h.filterId), hits.map((h) => h.messageId), hits.map((h) => h.roomId)],
      );
      const ids = new Map(rows.map((r) => [`${r.filter_id}:${r.message_id}`, r.id]));
      // A pair given twice in one batch is stored once; only its first mention gets the id.
      return hits.map((h) => {
        const key = `${h.filterId}:${h.messageId}`;
        const id = ids.get(key) ?? null;
        ids.delete(key);
        return id;
      });
    },
    hits: async (filterId, beforeHitId, limit): Promise<FeedHit[]> => {
      const { rows } = await pool.query<FlaggedRow & { hit_id: number }>(
        `SELECT h.id AS hit_id, ${M_COLUMNS} FROM feed_hits h JOIN messages m ON m.id = h.message_id
         WHERE h.filter_id = $1 AND h.id < $2 ORDER BY h.id DESC LIMIT $3`,
        [filterId, beforeHitId ?? Number.MAX_SAFE_INTEGER, limit],
      );
      const messages = await withTheirFiles(pool, rows);
      return rows.map((r, i) => ({ hitId: r.hit_id, message: messages[i]! }));
    },
    unread: async (userId) =>
      (
        await pool.query<{ filter_id: number; room_id: number; count: number }>(
          `SELECT h.filter_id, h.room_id, count(*) AS count FROM feed_filters f JOIN feed_hits h ON h.filter_id = f.id AND h.id > f.read_hit_id
           WHERE f.user_id = $1 GROUP BY h.filter_id, h.room_id ORDER BY h.filter_id, h.room_id`,
          [userId],
        )
      ).rows.map((r) => ({ filterId: r.filter_id, roomId: r.room_id, count: r.count })),
    markRead: async (id, userId, hitId) =>
      ((await pool.query('UPDATE feed_filters SET read_hit_id = greatest(read_hit_id, $1) WHERE id = $2 AND user_id = $3', [hitId, id, userId])).rowCount ?? 0) > 0,
  };
}
