import { z } from 'zod';
import { notFound, PchatError } from '../core/errors.js';
import { identityOf, uniquePrincipals } from '../core/groupGraph.js';
import type { Category, PrincipalRef } from '../core/model.js';
import { type Actor, inCategoryScope } from '../core/permissions.js';
import { validateDescription, validateName } from '../core/validation.js';
import { type AppContext, requireAdmin } from './context.js';
import type { Snapshot } from './directory.js';
import { id, parse, principalList } from './validate.js';

export const createCategoryInput = z.strictObject({
  name: z.string(),
  description: z.string().default(''),
  allowed: principalList.default([]),
  denied: principalList.default([]),
  creators: principalList.default([]),
  invitations: z.boolean().default(true),
  fileUpload: z.boolean().default(true),
  chatHistory: z.boolean().default(true),
});
export const updateCategoryInput = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  allowed: principalList.optional(),
  denied: principalList.optional(),
  creators: principalList.optional(),
  invitations: z.boolean().optional(),
  fileUpload: z.boolean().optional(),
  chatHistory: z.boolean().optional(),
});

/** Principals that a list (room roles, creators) may hold must lie within allowed − denied. */
export function assertWithinScope(snapshot: Snapshot, refs: readonly PrincipalRef[], category: Omit<Category, 'id'>, field: string): void {
  refs.forEach((ref, i) => {
    if (!inCategoryScope(identityOf(ref, snapshot.graph), category as Category)) {
      throw new PchatError(
        'invalid_input',
        `${snapshot.principalName(ref)} is not allowed in category "${category.name}" (not in its allowed list, or denied).`,
        { field: `${field}.${i}` },
      );
    }
  });
}

function normalised(snapshot: Snapshot, category: Omit<Category, 'id'>): Omit<Category, 'id'> {
  const c = {
    ...category,
    name: validateName(category.name),
    description: validateDescription(category.description),
    allowed: uniquePrincipals(category.allowed),
    denied: uniquePrincipals(category.denied),
    creators: uniquePrincipals(category.creators),
  };
  snapshot.assertPrincipalsExist(c.allowed, 'allowed');
  snapshot.assertPrincipalsExist(c.denied, 'denied');
  snapshot.assertPrincipalsExist(c.creators, 'creators');
  assertWithinScope(snapshot, c.creators, c, 'creators');
  return c;
}

export function categoryUseCases(ctx: AppContext) {
  const changed = () => ctx.bus.publish({ type: 'directory.changed', what: 'category' });

  return {
    /** Administrators see every category; others see those that allow them. */
    async list(actor: Actor): Promise<Category[]> {
      const snapshot = await ctx.directory.snapshot();
      return [...snapshot.categories.values()].filter((c) => actor.isAdmin || inCategoryScope(actor, c));
    },

    async get(actor: Actor, categoryId: number): Promise<Category> {
      const category = (await ctx.directory.snapshot()).categories.get(parse(id, categoryId));
      if (!category || !(actor.isAdmin || inCategoryScope(actor, category))) throw notFound('category');
      return category;
    },

    /**
     * The users and groups that may hold roles in the category's rooms (within allowed − denied),
     * so a room manager chooses only among them. Disabled users are left out: they cannot be granted anything new.
     */
    async eligible(actor: Actor, categoryId: number): Promise<PrincipalRef[]> {
      const category = await this.get(actor, categoryId);
      const snapshot = await ctx.directory.snapshot();
      const candidates: PrincipalRef[] = [
        ...[...snapshot.users.values()].filter((u) => !u.disabled).map((u) => ({ kind: 'user' as const, id: u.id })),
        ...[...snapshot.groups.keys()].map((groupId) => ({ kind: 'group' as const, id: groupId })),
      ];
      return candidates.filter((ref) => inCategoryScope(identityOf(ref, snapshot.graph), category));
    },

    async create(actor: Actor, input: unknown): Promise<Category> {
      requireAdmin(actor);
      const data = parse(createCategoryInput, input);
      const category = await ctx.store.categories.create(normalised(await ctx.directory.snapshot(), { ...data, origin: null }));
      await changed();
      return category;
    },

    async update(actor: Actor, categoryId: number, input: unknown): Promise<Category> {
      requireAdmin(actor);
      const data = parse(updateCategoryInput, input);
      const current = await ctx.store.categories.get(parse(id, categoryId));
      if (!current) throw notFound('category');
      const patch = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
      const next = { ...normalised(await ctx.directory.snapshot(), { ...current, ...patch }), id: categoryId };
      await ctx.store.categories.update(next);
      await changed();
      return next;
    },

    async remove(actor: Actor, categoryId: number): Promise<void> {
      requireAdmin(actor);
      if (!(await ctx.store.categories.get(parse(id, categoryId)))) throw notFound('category');
      await ctx.store.categories.remove(categoryId);
      await changed();
    },
  };
}
