import type pg from 'pg';
import { PchatError } from '../../core/errors.js';
import type { Category } from '../../core/model.js';
import type { CategoryStore } from '../../ports/store.js';
import { first, folded, transaction, unique } from './database.js';
import { categoryLists, type CategoryRow, originColumns, toCategory } from '../rows.js';
import { PrincipalLists } from './principalLists.js';


/** A category row with its lists aggregated as JSON. */
interface CategoryWithLists extends CategoryRow {
  lists: unknown;
}

const lists = new PrincipalLists('category_principals', 'category_id', 'list', 'principal_kind', 'principal_id');
const SELECT = `SELECT c.id, c.name, c.description, c.invitations, c.file_upload, c.chat_history, c.origin_system, c.origin_id,
                ${lists.column('c.id')} FROM categories c`;

const asCategory = (row: CategoryWithLists): Category => toCategory(row, lists.parse(row.lists));
const settings = (c: Omit<Category, 'id'>) => [c.name, c.description, c.invitations, c.fileUpload, c.chatHistory, ...originColumns(c.origin)];

export function postgresCategories(pool: pg.Pool): CategoryStore {
  const one = async (where: string, value: string | number): Promise<Category | null> => {
    // Category 0 is the hidden home of direct conversations (migration 0015): never listed or found.
    const row = first(await pool.query<CategoryWithLists>(`${SELECT} WHERE c.id <> 0 AND ${where}`, [value]));
    return row ? asCategory(row) : null;
  };
  return {
    get: (id) => one('c.id = $1', id),
    getByName: (name) => one(`${folded('c.name')} = ${folded('$1::text')}`, name),
    list: async () => (await pool.query<CategoryWithLists>(`${SELECT} WHERE c.id <> 0 ORDER BY c.id`)).rows.map(asCategory),
    create: (category) =>
      unique('category', 'name', () =>
        transaction(pool, async (tx) => {
          const { rows } = await tx.query<{ id: number }>(
            `INSERT INTO categories (name, description, invitations, file_upload, chat_history, origin_system, origin_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
            settings(category),
          );
          const id = rows[0]!.id;
          await lists.write(tx, id, categoryLists(category));
          return { ...category, id };
        }),
      ),
    update: (category) =>
      unique('category', 'name', () =>
        transaction(pool, async (tx) => {
          await tx.query(
            `UPDATE categories SET name = $1, description = $2, invitations = $3, file_upload = $4, chat_history = $5,
             origin_system = $6, origin_id = $7 WHERE id = $8`,
            [...settings(category), category.id],
          );
          await lists.write(tx, category.id, categoryLists(category));
        }),
      ),
    remove: (id) =>
      transaction(pool, async (tx) => {
        // The row lock keeps a room from being created in the category between count and delete.
        await tx.query('SELECT 1 FROM categories WHERE id = $1 FOR UPDATE', [id]);
        const { rows } = await tx.query<{ n: number }>('SELECT count(*) AS n FROM rooms WHERE category_id = $1', [id]);
        const n = rows[0]!.n;
        if (n > 0) throw new PchatError('category_not_empty', `The category still holds ${n} room(s); move or delete them first.`);
        await tx.query('DELETE FROM categories WHERE id = $1', [id]);
      }),
  };
}
