import type { Application } from '../../../app/index.js';
import { type Authenticated, loginInput } from '../../../app/sessions.js';
import { PchatError } from '../../../core/errors.js';
import type { Actor } from '../../../core/permissions.js';
import { publicUser } from '../../../app/users.js';
import type { Route } from '../route.js';

export const SESSION_COOKIE = 'pchat_session';

export const sessionRoutes: Route[] = [
  {
    method: 'POST',
    url: '/api/v1/sessions',
    summary: 'Sign in. Returns a bearer token and also sets it as an HttpOnly session cookie.',
    tag: 'sessions',
    auth: false,
    body: loginInput,
    status: 201,
    handler: async (c) => {
      const { token, user, expiresAt, mustChangePassword } = await c.app.sessions.login(c.body, c.request.ip, c.request.headers['user-agent'] ?? null);
      const maxAge = Math.floor((expiresAt - Date.now()) / 1000);
      c.reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`);
      const snapshot = await c.app.directory.snapshot();
      const actor = snapshot.actor(user.id);
      // mustChangePassword: only POST /api/v1/me/password (and /me, sign-out) work until a new password is chosen.
      return { token, expiresAt: new Date(expiresAt).toISOString(), mustChangePassword, user: actor ? publicUser(user, actor) : { id: user.id } };
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/sessions/current',
    summary: 'Sign out: revokes the token used for this request (its WebSocket connections close with 4001) and clears the cookie.',
    tag: 'sessions',
    auth: true,
    duringPasswordChange: true,
    status: 204,
    handler: async (c) => {
      if (c.token) await c.app.sessions.logout(c.token);
      c.reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return null;
    },
  },
  {
    method: 'GET',
    url: '/api/v1/session',
    summary:
      'Whether the request carries a valid session: `{"signedIn": false}` (200, not 401) when it carries none or one that is no longer valid, else `{"signedIn": true, "user": …}` with the user as GET /api/v1/me gives it. For a page deciding whether to show its sign-in form; it grants nothing, and every other route still answers 401 without a valid session.',
    tag: 'sessions',
    auth: false,
    handler: async (c) => {
      if (!c.token) return { signedIn: false };
      let session: Authenticated;
      try {
        // As GET /api/v1/me: a session that must change its password is signed in (only that form works).
        session = await c.app.sessions.authenticateSession(c.token, { passwordChange: true });
      } catch (error) {
        if (error instanceof PchatError && error.code === 'unauthenticated') return { signedIn: false };
        throw error;
      }
      return { signedIn: true, user: await me(c.app, session.actor, session.mustChangePassword) };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/me',
    summary: 'The signed-in user; mustChangePassword says the account must choose a new password first.',
    tag: 'sessions',
    auth: true,
    duringPasswordChange: true,
    handler: async (c) => me(c.app, c.actor, c.session?.mustChangePassword ?? false),
  },
];

/** The signed-in user as GET /api/v1/me and GET /api/v1/session describe them. */
async function me(app: Application, actor: Actor, mustChangePassword: boolean): Promise<Record<string, unknown>> {
  const user = await app.users.get(actor, actor.userId);
  return { ...publicUser(user, actor), chatEnabled: actor.chatEnabled, mustChangePassword };
}
