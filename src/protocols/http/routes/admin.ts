import { createAddInInput, updateAddInInput } from '../../../app/addins.js';
import { auditQuery } from '../../../app/audit.js';
import { complianceQuery } from '../../../app/compliance.js';
import { createCategoryInput, updateCategoryInput } from '../../../app/categories.js';
import { createGroupInput, updateGroupInput } from '../../../app/groups.js';
import { removeInput } from '../../../app/moderation.js';
import { maintenanceInput } from '../../../app/pool.js';
import { searchQuery } from '../../../app/search.js';
import { chatConfigInput, policyInput, policyTarget } from '../../../app/settings.js';
import { createUserInput, publicUser, updateUserInput } from '../../../app/users.js';
import { presentCategory, presentGroup, presentMessage } from '../../present.js';
import type { Route } from '../route.js';
import { crudRoutes } from './crud.js';

const ADMINS = 'administrators';

export const adminRoutes: Route[] = [
  ...crudRoutes({
    path: '/api/v1/categories',
    tag: 'categories',
    noun: 'category',
    param: 'categoryId',
    who: `${ADMINS}; a category is removable only when empty`,
    removable: true,
    useCases: (app) => app.categories,
    present: (c, snapshot) => presentCategory(c, snapshot),
    createBody: createCategoryInput,
    updateBody: updateCategoryInput,
  }),
  ...crudRoutes({
    path: '/api/v1/addins',
    tag: 'addins',
    noun: 'add-in',
    param: 'addinId',
    who: `${ADMINS}; http and https URLs only`,
    removable: true,
    useCases: (app) => app.addins,
    present: (a) => a,
    createBody: createAddInInput,
    updateBody: updateAddInInput,
  }),
  ...crudRoutes({
    path: '/api/v1/users',
    tag: 'users',
    noun: 'user',
    param: 'userId',
    who: `${ADMINS}; users may change their own name, e-mail and password. Disabling signs the user out everywhere`,
    removable: false,
    useCases: (app) => app.users,
    present: (u, _snapshot, actor) => publicUser(u, actor),
    createBody: createUserInput,
    updateBody: updateUserInput,
  }),
  ...crudRoutes({
    path: '/api/v1/groups',
    tag: 'groups',
    noun: 'group',
    param: 'groupId',
    who: `${ADMINS}; groups nest, cycles are refused`,
    removable: true,
    useCases: (app) => app.groups,
    present: (g, snapshot) => presentGroup(g, snapshot),
    createBody: createGroupInput,
    updateBody: updateGroupInput,
  }),
  {
    method: 'GET',
    url: '/api/v1/policies',
    summary: 'Persistent chat policies (global, site = group, user), and in `directPolicies` the direct-message policy with the same scopes. The most specific applies; no direct rule means enabled.',
    tag: 'policies',
    auth: true,
    adminOnly: true,
    handler: async (c) => ({ policies: await c.app.settings.listPolicies(c.actor), directPolicies: await c.app.settings.listPolicies(c.actor, 'direct') }),
  },
  {
    method: 'PUT',
    url: '/api/v1/policies',
    summary: 'Set a policy rule; `kind: "direct"` sets the direct-message policy instead of the chat policy.',
    tag: 'policies',
    auth: true,
    adminOnly: true,
    body: policyInput,
    handler: async (c) => c.app.settings.setPolicy(c.actor, c.body),
  },
  {
    method: 'DELETE',
    url: '/api/v1/policies',
    summary: 'Remove a policy rule (the next less specific one then applies).',
    tag: 'policies',
    auth: true,
    adminOnly: true,
    query: policyTarget,
    status: 204,
    handler: async (c) => {
      const q = c.query;
      await c.app.settings.removePolicy(c.actor, { scope: q.scope, targetId: q.targetId === undefined ? null : Number(q.targetId), ...(q.kind !== undefined && { kind: q.kind }) });
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/config',
    summary: 'Chat configuration: defaultChatHistory, participantUpdateLimit, maxMessageChars, maxFileSizeKB, roomManagementUrl.',
    tag: 'config',
    auth: true,
    handler: async (c) => c.app.settings.chatConfig(c.actor),
  },
  {
    method: 'PATCH',
    url: '/api/v1/config',
    summary: 'Change chat configuration (administrators).',
    tag: 'config',
    auth: true,
    adminOnly: true,
    body: chatConfigInput,
    handler: async (c) => c.app.settings.updateChatConfig(c.actor, c.body),
  },
  {
    method: 'GET',
    url: '/api/v1/search',
    summary: 'Full-text search across every room the caller may read, newest first; page with `cursor` = previous `next`.',
    tag: 'search',
    auth: true,
    query: searchQuery,
    handler: async (c) => {
      const { hits, next } = await c.app.search.search(c.actor, c.query);
      const snapshot = await c.app.directory.snapshot();
      return { hits: hits.map((h) => ({ ...h, message: presentMessage(h.message, snapshot) })), next };
    },
  },
  {
    method: 'POST',
    url: '/api/v1/moderation/remove-messages',
    summary: 'Remove, or replace with a stub, messages selected by room, author, dates and keywords (administrators). `dryRun` only counts.',
    tag: 'moderation',
    auth: true,
    adminOnly: true,
    body: removeInput,
    handler: async (c) => c.app.moderation.removeMessages(c.actor, c.body),
  },
  {
    method: 'GET',
    url: '/api/v1/compliance',
    summary: 'The append-only compliance record (administrators; read-only through every API).',
    tag: 'compliance',
    auth: true,
    adminOnly: true,
    query: complianceQuery,
    handler: async (c) => {
      const page = await c.app.compliance.list(c.actor, c.query);
      return { ...page, events: page.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/audit',
    summary: 'Who changed what: every create, update, removal, policy, configuration and moderation action, with its outcome (administrators; read-only).',
    tag: 'audit',
    auth: true,
    adminOnly: true,
    query: auditQuery,
    handler: async (c) => {
      const page = await c.app.audit.list(c.actor, c.query);
      return { ...page, entries: page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/pool',
    summary: 'The pool: every node with its health (heartbeat age), connections and active flag, and the read-only maintenance state (administrators).',
    tag: 'pool',
    auth: true,
    adminOnly: true,
    handler: async (c) => c.app.pool.status(c.actor),
  },
  {
    method: 'PUT',
    url: '/api/v1/pool/maintenance',
    summary: 'Turn pool-wide read-only maintenance on (posting refused with `message`, error read_only) or off (administrators).',
    tag: 'pool',
    auth: true,
    adminOnly: true,
    body: maintenanceInput,
    handler: async (c) => ({ maintenance: await c.app.pool.setMaintenance(c.actor, c.body) }),
  },
];
