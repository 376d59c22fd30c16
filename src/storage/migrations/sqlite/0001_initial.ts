/** The first schema. Names are unique case-insensitively (COLLATE NOCASE folds ASCII only). */
export const sql = `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT NOT NULL,
  email         TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  is_admin      INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT,
  created_at    INTEGER NOT NULL,
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (origin_system, origin_id)
);

CREATE TABLE groups (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description   TEXT NOT NULL DEFAULT '',
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (origin_system, origin_id)
);

-- A group's direct members; member_kind is 'user' or 'group'.
CREATE TABLE group_members (
  group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  member_kind TEXT NOT NULL CHECK (member_kind IN ('user', 'group')),
  member_id   INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_kind, member_id)
);
CREATE INDEX group_members_member ON group_members (member_kind, member_id);

CREATE TABLE addins (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  url  TEXT NOT NULL
);

CREATE TABLE categories (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description   TEXT NOT NULL DEFAULT '',
  invitations   INTEGER NOT NULL,
  file_upload   INTEGER NOT NULL,
  chat_history  INTEGER NOT NULL,
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (origin_system, origin_id)
);

-- list: 'allowed', 'denied' or 'creator'.
CREATE TABLE category_principals (
  category_id    INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  list           TEXT NOT NULL CHECK (list IN ('allowed', 'denied', 'creator')),
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user', 'group')),
  principal_id   INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  PRIMARY KEY (category_id, list, principal_kind, principal_id)
);
CREATE INDEX category_principals_principal ON category_principals (principal_kind, principal_id);

CREATE TABLE rooms (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description   TEXT NOT NULL DEFAULT '',
  category_id   INTEGER NOT NULL REFERENCES categories(id),
  privacy       TEXT NOT NULL CHECK (privacy IN ('open', 'closed', 'secret')),
  type          TEXT NOT NULL CHECK (type IN ('normal', 'auditorium')),
  invitations   TEXT NOT NULL CHECK (invitations IN ('inherit', 'false')),
  addin_id      INTEGER REFERENCES addins(id) ON DELETE SET NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  last_seq      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (origin_system, origin_id)
);
CREATE INDEX rooms_category ON rooms (category_id);

-- role: 'member', 'manager' or 'presenter'.
CREATE TABLE room_roles (
  room_id        INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  role           TEXT NOT NULL CHECK (role IN ('member', 'manager', 'presenter')),
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user', 'group')),
  principal_id   INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  PRIMARY KEY (room_id, role, principal_kind, principal_id)
);
CREATE INDEX room_roles_principal ON room_roles (principal_kind, principal_id);

CREATE TABLE messages (
  id            INTEGER PRIMARY KEY,
  room_id       INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  author_id     INTEGER NOT NULL REFERENCES users(id),
  kind          TEXT NOT NULL CHECK (kind IN ('text', 'story')),
  title         TEXT,
  text          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  client_id     TEXT,
  origin_system TEXT,
  origin_id     TEXT,
  UNIQUE (room_id, seq),
  UNIQUE (room_id, author_id, client_id),
  UNIQUE (origin_system, origin_id)
);
CREATE INDEX messages_room_time ON messages (room_id, created_at);
CREATE INDEX messages_author ON messages (author_id, id);

-- Full-text index over the messages table (external content, kept in step by triggers).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  title, text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF title, text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  INSERT INTO messages_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TABLE policies (
  scope     TEXT NOT NULL CHECK (scope IN ('global', 'site', 'user')),
  target_id INTEGER NOT NULL DEFAULT 0,
  enabled   INTEGER NOT NULL,
  PRIMARY KEY (scope, target_id)
);
-- A fresh install enables persistent chat for everyone.
INSERT INTO policies (scope, target_id, enabled) VALUES ('global', 0, 1);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only compliance record. The triggers make it immutable for every client of the file.
CREATE TABLE compliance (
  id      INTEGER PRIMARY KEY,
  type    TEXT NOT NULL CHECK (type IN ('JOIN', 'PART', 'CHAT', 'BACKCHAT', 'FILEUPLOAD', 'FILEDOWNLOAD')),
  room_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  at      INTEGER NOT NULL,
  data    TEXT
);
CREATE INDEX compliance_room ON compliance (room_id, id);
CREATE TRIGGER compliance_no_update BEFORE UPDATE ON compliance BEGIN
  SELECT RAISE(ABORT, 'the compliance log is append-only');
END;
CREATE TRIGGER compliance_no_delete BEFORE DELETE ON compliance BEGIN
  SELECT RAISE(ABORT, 'the compliance log is append-only');
END;

-- Changes made by one process (the CLI, another node) for the others to pick up.
CREATE TABLE events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  node    TEXT NOT NULL,
  at      INTEGER NOT NULL,
  payload TEXT NOT NULL
);
`;
