import { PchatError } from '../../core/errors.js';
import type { Category, PrincipalRef } from '../../core/model.js';
import type { CategoryStore } from '../../ports/store.js';
import { bool, type Db, rethrowUnique } from './database.js';
import { type OriginColumns, originColumns, originOf } from './origin.js';
import { PrincipalLists } from './principalLists.js';

interface CategoryRow extends OriginColumns {
  id: number;
  name: string;
  description: string;
  invitations: number;
  file_upload: number;
  chat_history: number;
}

export function sqliteCategories(db: Db): CategoryStore {
  const lists = new PrincipalLists(db, 'category_principals', 'category_id', 'list', 'principal_kind', 'principal_id');
  const byId = db.prepare('SELECT * FROM categories WHERE id = ?');
  const byName = db.prepare('SELECT * FROM categories WHERE name = ?');
  const all = db.prepare('SELECT * FROM categories ORDER BY id');
  const insert = db.prepare(
    'INSERT INTO categories (name, description, invitations, file_upload, chat_history, origin_system, origin_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const update = db.prepare(
    'UPDATE categories SET name = ?, description = ?, invitations = ?, file_upload = ?, chat_history = ?, origin_system = ?, origin_id = ? WHERE id = ?',
  );
  const roomCount = db.prepare('SELECT count(*) AS n FROM rooms WHERE category_id = ?');
  const remove = db.prepare('DELETE FROM categories WHERE id = ?');

  const toCategory = (row: CategoryRow, acl = lists.read(row.id)): Category => ({
    id: row.id,
    name: row.name,
    description: row.description,
    allowed: acl.get('allowed') ?? [],
    denied: acl.get('denied') ?? [],
    creators: acl.get('creator') ?? [],
    invitations: bool(row.invitations),
    fileUpload: bool(row.file_upload),
    chatHistory: bool(row.chat_history),
    origin: originOf(row),
  });
  const aclOf = (c: Omit<Category, 'id'>): Record<string, readonly PrincipalRef[]> => ({
    allowed: c.allowed,
    denied: c.denied,
    creator: c.creators,
  });
  const flags = (c: Omit<Category, 'id'>): number[] => [c.invitations ? 1 : 0, c.fileUpload ? 1 : 0, c.chatHistory ? 1 : 0];

  return {
    get: async (id) => {
      const row = byId.get(id) as CategoryRow | undefined;
      return row ? toCategory(row) : null;
    },
    getByName: async (name) => {
      const row = byName.get(name) as CategoryRow | undefined;
      return row ? toCategory(row) : null;
    },
    list: async () => {
      const acls = lists.readAll();
      return (all.all() as CategoryRow[]).map((row) => toCategory(row, acls.get(row.id) ?? new Map()));
    },
    create: async (category) =>
      db.transaction(() => {
        try {
          const info = insert.run(category.name, category.description, ...flags(category), ...originColumns(category.origin));
          const id = Number(info.lastInsertRowid);
          lists.write(id, aclOf(category));
          return { ...category, id };
        } catch (error) {
          rethrowUnique(error, 'category');
        }
      })(),
    update: async (category) =>
      db.transaction(() => {
        try {
          update.run(category.name, category.description, ...flags(category), ...originColumns(category.origin), category.id);
        } catch (error) {
          rethrowUnique(error, 'category');
        }
        lists.write(category.id, aclOf(category));
      })(),
    remove: async (id) =>
      db.transaction(() => {
        const { n } = roomCount.get(id) as { n: number };
        if (n > 0) throw new PchatError('category_not_empty', `The category still holds ${n} room(s); move or delete them first.`);
        remove.run(id);
      })(),
  };
}
