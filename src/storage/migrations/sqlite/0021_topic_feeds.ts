/**
 * Topic feeds (app/feeds/): a user's keyword filters, and the messages the server's matcher found
 * for them. `words` holds the folded words, space-separated; `room_ids` a JSON array of room ids
 * or NULL for every room the owner may read; `read_hit_id` the newest hit the owner has seen.
 * A hit goes with its filter and with its message (deleted, moderated away, its room deleted).
 * `room_id` is copied into the hit so counts can be told per room without reading messages.
 */
export const sql = `
CREATE TABLE feed_filters (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  words       TEXT NOT NULL,
  author_id   INTEGER REFERENCES users(id) ON DELETE CASCADE,
  room_ids    TEXT,
  read_hit_id INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE INDEX feed_filters_user ON feed_filters (user_id);
CREATE INDEX feed_filters_author ON feed_filters (author_id);
CREATE TABLE feed_hits (
  id         INTEGER PRIMARY KEY,
  filter_id  INTEGER NOT NULL REFERENCES feed_filters(id) ON DELETE CASCADE,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  room_id    INTEGER NOT NULL,
  UNIQUE (filter_id, message_id)
);
CREATE INDEX feed_hits_filter ON feed_hits (filter_id, id);
CREATE INDEX feed_hits_message ON feed_hits (message_id);
`;
