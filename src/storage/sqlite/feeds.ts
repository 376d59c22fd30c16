import type { FeedFilter, FeedHit, FeedStore, FeedUnread } from '../../ports/feeds.js';
import { MESSAGE_COLUMNS } from '../rows.js';
import type { Db } from './database.js';
import { type FlaggedRow, sqliteMessageFiles } from './files.js';

const FILTER_COLUMNS = 'id, user_id, name, words, author_id, room_ids, read_hit_id, created_at';
const M_COLUMNS = `${MESSAGE_COLUMNS}, has_file`
  .split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

interface FilterRow {
  id: number;
  user_id: number;
  name: string;
  words: string;
  author_id: number | null;
  room_ids: string | null;
  read_hit_id: number;
  created_at: number;
}

const toFilter = (r: FilterRow): FeedFilter => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  words: r.words.split(' '),
  authorId: r.author_id,
  roomIds: r.room_ids === null ? null : (JSON.parse(r.room_ids) as number[]),
  readHitId: r.read_hit_id,
  createdAt: r.created_at,
});

const roomsColumn = (roomIds: readonly number[] | null): string | null => (roomIds === null ? null : JSON.stringify(roomIds));

/** Topic feeds in SQLite (migration 0021). Words are stored space-separated: folded words hold no space. */
export function sqliteFeeds(db: Db): FeedStore {
  const files = sqliteMessageFiles(db);
  // The count and the insert are one statement, so the per-user cap holds against concurrent creates.
  const insert = db.prepare(
    `INSERT INTO feed_filters (user_id, name, words, author_id, room_ids, created_at)
     SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM feed_filters WHERE user_id = ?) < ?
     RETURNING ${FILTER_COLUMNS}`,
  );
  const update = db.prepare(
    `UPDATE feed_filters SET name = ?, words = ?, author_id = ?, room_ids = ? WHERE id = ? AND user_id = ? RETURNING ${FILTER_COLUMNS}`,
  );
  const remove = db.prepare('DELETE FROM feed_filters WHERE id = ? AND user_id = ?');
  const byId = db.prepare(`SELECT ${FILTER_COLUMNS} FROM feed_filters WHERE id = ?`);
  const byUser = db.prepare(`SELECT ${FILTER_COLUMNS} FROM feed_filters WHERE user_id = ? ORDER BY id`);
  const all = db.prepare(`SELECT ${FILTER_COLUMNS} FROM feed_filters ORDER BY id`);
  // A hit whose filter or message went meanwhile is skipped rather than failing its batch.
  const addHit = db
    .prepare(
      `INSERT INTO feed_hits (filter_id, message_id, room_id)
       SELECT @filterId, @messageId, @roomId WHERE EXISTS (SELECT 1 FROM feed_filters WHERE id = @filterId) AND EXISTS (SELECT 1 FROM messages WHERE id = @messageId)
       ON CONFLICT (filter_id, message_id) DO NOTHING RETURNING id`,
    )
    .pluck();
  const hitsPage = db.prepare(
    `SELECT h.id AS hit_id, ${M_COLUMNS} FROM feed_hits h JOIN messages m ON m.id = h.message_id
     WHERE h.filter_id = ? AND h.id < ? ORDER BY h.id DESC LIMIT ?`,
  );
  const unread = db.prepare(
    `SELECT h.filter_id, h.room_id, count(*) AS count FROM feed_filters f JOIN feed_hits h ON h.filter_id = f.id AND h.id > f.read_hit_id
     WHERE f.user_id = ? GROUP BY h.filter_id, h.room_id ORDER BY h.filter_id, h.room_id`,
  );
  const markRead = db.prepare('UPDATE feed_filters SET read_hit_id = max(read_hit_id, ?) WHERE id = ? AND user_id = ?');
  const addHits = db.transaction((hits: Parameters<FeedStore['addHits']>[0]) =>
    hits.map((h) => (addHit.get({ filterId: h.filterId, messageId: h.messageId, roomId: h.roomId }) as number | undefined) ?? null),
  );

  return {
    create: async (f, maxPerUser) => {
      const row = insert.get(f.userId, f.name, f.words.join(' '), f.authorId, roomsColumn(f.roomIds), f.createdAt, f.userId, maxPerUser) as FilterRow | undefined;
      return row ? toFilter(row) : null;
    },
    update: async (c) => {
      const row = update.get(c.name, c.words.join(' '), c.authorId, roomsColumn(c.roomIds), c.id, c.userId) as FilterRow | undefined;
      return row ? toFilter(row) : null;
    },
    remove: async (id, userId) => remove.run(id, userId).changes > 0,
    get: async (id) => {
      const row = byId.get(id) as FilterRow | undefined;
      return row ? toFilter(row) : null;
    },
    listByUser: async (userId) => (byUser.all(userId) as FilterRow[]).map(toFilter),
    listAll: async () => (all.all() as FilterRow[]).map(toFilter),
    addHits: async (hits) => (hits.length === 0 ? [] : addHits(hits)),
    hits: async (filterId, beforeHitId, limit): Promise<FeedHit[]> => {
      const rows = hitsPage.all(filterId, beforeHitId ?? Number.MAX_SAFE_INTEGER, limit) as (FlaggedRow & { hit_id: number })[];
      const messages = files.rows(rows);
      return rows.map((r, i) => ({ hitId: r.hit_id, message: messages[i]! }));
    },
    unread: async (userId) =>
      (unread.all(userId) as { filter_id: number; room_id: number; count: number }[]).map((r): FeedUnread => ({ filterId: r.filter_id, roomId: r.room_id, count: r.count })),
    markRead: async (id, userId, hitId) => markRead.run(hitId, id, userId).changes > 0,
  };
}
