import { PchatError } from '../../core/errors.js';
import type { Category } from '../../core/model.js';
import type { CategoryStore } from '../../ports/store.js';
import { type Db, rethrowUnique } from './database.js';
import { categoryLists, type CategoryRow, originColumns, toCategory } from '../rows.js';
import { PrincipalLists } from './principalLists.js';


export function sqliteCategories(db: Db): CategoryStore {
  const lists = new PrincipalLists(db, 'category_principals', 'category_id', 'list', 'principal_kind', 'principal_id');
  // Category 0 is the hidden home of direct conversations (migration 0015): never listed or found.
  const byId = db.prepare('SELECT * FROM categories WHERE id = ? AND id <> 0');
  const byName = db.prepare('SELECT * FROM categories WHERE name = ? AND id <> 0');
  const all = db.prepare('SELECT * FROM categories WHERE id <> 0 ORDER BY id');
  const insert = db.prepare(
    'INSERT INTO categories (name, description, invitations, file_upload, chat_history, origin_system, origin_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const update = db.prepare(
    'UPDATE categories SET name = ?, description = ?, invitations = ?, file_upload = ?, chat_history = ?, origin_system = ?, origin_id = ? WHERE id = ?',
  );
  const roomCount = db.prepare('SELECT count(*) AS n FROM rooms WHERE category_id = ?');
  const remove = db.prepare('DELETE FROM categories WHERE id = ?');

  const flags = (c: Omit<Category, 'id'>): number[] => [c.invitations ? 1 : 0, c.fileUpload ? 1 : 0, c.chatHistory ? 1 : 0];

  return {
    get: async (id) => {
      const row = byId.get(id) as CategoryRow | undefined;
      return row ? toCategory(row, lists.read(row.id)) : null;
    },
    getByName: async (name) => {
      const row = byName.get(name) as CategoryRow | undefined;
      return row ? toCategory(row, lists.read(row.id)) : null;
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
          lists.write(id, categoryLists(category));
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
        lists.write(category.id, categoryLists(category));
      })(),
    remove: async (id) =>
      db.transaction(() => {
        const { n } = roomCount.get(id) as { n: number };
        if (n > 0) throw new PchatError('category_not_empty', `The category still holds ${n} room(s); move or delete them first.`);
        remove.run(id);
      })(),
  };
}
