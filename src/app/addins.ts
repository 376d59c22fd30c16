import { z } from 'zod';
import { notFound } from '../core/errors.js';
import type { AddIn } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import { validateHttpUrl, validateName } from '../core/validation.js';
import { type AppContext, requireAdmin } from './context.js';
import { id, parse } from './validate.js';

export const createAddInInput = z.strictObject({ name: z.string(), url: z.string() });
export const updateAddInInput = z.strictObject({ name: z.string().optional(), url: z.string().optional() });

export function addInUseCases(ctx: AppContext) {
  const changed = () => ctx.bus.publish({ type: 'directory.changed', what: 'addin' });
  return {
    async list(actor: Actor): Promise<AddIn[]> {
      void actor;
      return [...(await ctx.directory.snapshot()).addins.values()];
    },
    async get(actor: Actor, addinId: number): Promise<AddIn> {
      void actor;
      const addin = (await ctx.directory.snapshot()).addins.get(parse(id, addinId));
      if (!addin) throw notFound('add-in');
      return addin;
    },
    async create(actor: Actor, input: unknown): Promise<AddIn> {
      requireAdmin(actor);
      const data = parse(createAddInInput, input);
      const addin = await ctx.store.addins.create({ name: validateName(data.name), url: validateHttpUrl(data.url) });
      await changed();
      return addin;
    },
    async update(actor: Actor, addinId: number, input: unknown): Promise<AddIn> {
      requireAdmin(actor);
      const data = parse(updateAddInInput, input);
      const current = await ctx.store.addins.get(parse(id, addinId));
      if (!current) throw notFound('add-in');
      const next = {
        id: addinId,
        name: data.name === undefined ? current.name : validateName(data.name),
        url: data.url === undefined ? current.url : validateHttpUrl(data.url),
      };
      await ctx.store.addins.update(next);
      await changed();
      return next;
    },
    async remove(actor: Actor, addinId: number): Promise<void> {
      requireAdmin(actor);
      if (!(await ctx.store.addins.get(addinId))) throw notFound('add-in');
      await ctx.store.addins.remove(addinId);
      await ctx.bus.publish({ type: 'directory.changed', what: 'addin' });
    },
  };
}
