import { z } from 'zod';
import { notFound } from '../core/errors.js';
import { GroupGraph, uniquePrincipals } from '../core/groupGraph.js';
import type { Group } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { validateDescription, validateName } from '../core/validation.js';
import { type AppContext, requireAdmin } from './context.js';
import { id, parse, principalList } from './validate.js';

export const createGroupInput = z.strictObject({
  name: z.string(),
  description: z.string().default(''),
  members: principalList.default([]),
});
export const updateGroupInput = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  members: principalList.optional(),
});

export function groupUseCases(ctx: AppContext) {
  const changed = () => ctx.bus.publish({ type: 'directory.changed', what: 'group' });

  return {
    async list(actor: Actor): Promise<Group[]> {
      void actor;
      return [...(await ctx.directory.snapshot()).groups.values()];
    },

    async get(actor: Actor, groupId: number): Promise<Group> {
      void actor;
      const group = (await ctx.directory.snapshot()).groups.get(parse(id, groupId));
      if (!group) throw notFound('group');
      return group;
    },

    async create(actor: Actor, input: unknown): Promise<Group> {
      requireAdmin(actor);
      const data = parse(createGroupInput, input);
      const snapshot = await ctx.directory.snapshot();
      const members = uniquePrincipals(data.members);
      snapshot.assertPrincipalsExist(members, 'members');
      const group = await ctx.store.groups.create({
        name: validateName(data.name),
        description: validateDescription(data.description),
        members,
        origin: null,
      });
      await changed();
      return group;
    },

    async update(actor: Actor, groupId: number, input: unknown): Promise<Group> {
      requireAdmin(actor);
      const data = parse(updateGroupInput, input);
      const group = await ctx.store.groups.get(parse(id, groupId));
      if (!group) throw notFound('group');
      const members = data.members ? uniquePrincipals(data.members) : group.members;
      if (data.members) {
        // Check against the stored graph, not a snapshot: a concurrent edit must not sneak a cycle in.
        const groups = await ctx.store.groups.list();
        const names = new Map(groups.map((g) => [g.id, `"${g.name}"`]));
        new GroupGraph(groups).assertNoCycle(groupId, members, (id) => names.get(id) ?? `group ${id}`);
        (await ctx.directory.snapshot()).assertPrincipalsExist(members, 'members');
      }
      const next: Group = {
        ...group,
        name: data.name === undefined ? group.name : validateName(data.name),
        description: data.description === undefined ? group.description : validateDescription(data.description),
        members,
      };
      await ctx.store.groups.update(next);
      await changed();
      return next;
    },

    async remove(actor: Actor, groupId: number): Promise<void> {
      requireAdmin(actor);
      if (!(await ctx.store.groups.get(groupId))) throw notFound('group');
      await ctx.store.groups.remove(groupId);
      await changed();
    },
  };
}
