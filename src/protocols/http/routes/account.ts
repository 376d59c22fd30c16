import { changePasswordInput } from '../../../app/accounts.js';
import { idParam, type Route, type RouteContext } from '../route.js';

const currentId = (c: RouteContext): number | null => c.session?.sessionId ?? null;

/**
 * One's own sessions and password, and an administrator's view of anyone's sessions. Ending a
 * session closes the WebSocket (4001), IRC (ERROR) and SIP connections it authenticated.
 */
export const accountRoutes: Route[] = [
  {
    method: 'POST',
    url: '/api/v1/me/password',
    summary: 'Change your own password: needs the current one (wrong: 403 wrong_password); every other session of yours ends, this one stays.',
    tag: 'sessions',
    auth: true,
    duringPasswordChange: true,
    body: changePasswordInput,
    status: 204,
    handler: async (c) => {
      await c.app.accounts.changePassword(c.actor, currentId(c), c.body, c.request.ip);
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/me/sessions',
    summary: 'Your sessions: web sign-ins (with their user agent) and IRC and SIP connections, with address, creation and last use; `current` marks this one.',
    tag: 'sessions',
    auth: true,
    handler: async (c) => ({ sessions: await c.app.accounts.list(c.actor, c.actor.userId, currentId(c)) }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/me/sessions',
    summary: 'Sign out everywhere else: ends every session of yours but this one.',
    tag: 'sessions',
    auth: true,
    handler: async (c) => ({ ended: await c.app.accounts.endAll(c.actor, c.actor.userId, currentId(c)) }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/me/sessions/:sessionId',
    summary: 'End one of your sessions (this one included: that is signing out).',
    tag: 'sessions',
    auth: true,
    status: 204,
    handler: async (c) => {
      await c.app.accounts.end(c.actor, c.actor.userId, [idParam(c, 'sessionId')]);
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/users/:userId/sessions',
    summary: "A user's sessions (administrators, or the user).",
    tag: 'users',
    auth: true,
    handler: async (c) => ({ sessions: await c.app.accounts.list(c.actor, idParam(c, 'userId'), currentId(c)) }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/users/:userId/sessions',
    summary: "End every session of a user (administrators): their connections close at once, their tokens stop working.",
    tag: 'users',
    auth: true,
    adminOnly: true,
    handler: async (c) => ({ ended: await c.app.accounts.endAll(c.actor, idParam(c, 'userId')) }),
  },
  {
    method: 'DELETE',
    url: '/api/v1/users/:userId/sessions/:sessionId',
    summary: 'End one session of a user (administrators, or the user).',
    tag: 'users',
    auth: true,
    status: 204,
    handler: async (c) => {
      await c.app.accounts.end(c.actor, idParam(c, 'userId'), [idParam(c, 'sessionId')]);
      return null;
    },
  },
];
