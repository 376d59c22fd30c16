import { presentPrincipals } from '../../present.js';
import { idParam, type Route } from '../route.js';

/** What a room manager may choose from: the principals a category allows (allowed − denied). */
export const scopeRoutes: Route[] = [
  {
    method: 'GET',
    url: '/api/v1/categories/:categoryId/eligible',
    summary: "Users and groups that may hold roles in the category's rooms (allowed and not denied; disabled users left out). For administrators and principals the category allows.",
    tag: 'categories',
    auth: true,
    handler: async (c) => {
      const refs = await c.app.categories.eligible(c.actor, idParam(c, 'categoryId'));
      return { principals: presentPrincipals(refs, await c.app.directory.snapshot()) };
    },
  },
];
