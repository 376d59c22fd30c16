import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import type { AppContext } from './context.js';
import { LoginThrottle } from './loginThrottle.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import { backfillNtHash } from './sipCredentials.js';
import { parse } from './validate.js';

const SESSION_DAYS = 30;
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const loginInput = z.strictObject({
  login: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const badCredentials = (): PchatError => new PchatError('unauthenticated', 'The login or password is incorrect.');

export function sessionUseCases(ctx: AppContext) {
  const throttle = new LoginThrottle(() => ctx.clock.now());

  /** The one credential check: throttle, constant-shape failure, disabled accounts. */
  async function checkCredentials(login: string, password: string): Promise<User> {
    throttle.check(login);
    const user = await ctx.store.users.getByLogin(login);
    const hash = user ? await ctx.store.users.passwordHash(user.id) : null;
    const ok = await verifyPassword(password, hash ?? DUMMY_HASH);
    if (!user || !hash || !ok || user.disabled) {
      throttle.failed(login);
      throw badCredentials();
    }
    throttle.succeeded(login);
    // The plaintext is at hand: keep the NT hash for SIP NTLM if the account lacks one.
    await backfillNtHash(ctx, user.id, password, hash);
    return user;
  }

  return {
    /** Returns a bearer token; only its hash is stored. Unknown login and wrong password look the same. */
    async login(input: unknown): Promise<{ token: string; user: User; expiresAt: number }> {
      const { login, password } = parse(loginInput, input);
      const user = await checkCredentials(login, password);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = ctx.clock.now() + SESSION_DAYS * 86_400_000;
      await ctx.store.sessions.create(hashToken(token), user.id, expiresAt);
      return { token, user, expiresAt };
    },

    /**
     * Checks a login and password exactly as `login` does (validation, throttle, disabled
     * accounts) but opens no session: for protocols that authenticate a connection, not a
     * bearer token (IRC SASL, PASS and OPER).
     */
    async verifyCredentials(login: string, password: string): Promise<Actor> {
      const input = parse(loginInput, { login, password });
      const user = await checkCredentials(input.login, input.password);
      const actor = (await ctx.directory.snapshot()).actor(user.id);
      if (!actor || actor.disabled) throw badCredentials();
      return actor;
    },

    /**
     * The same per-login throttle for a protocol that checks a credential itself (SIP's NTLM):
     * `guard` throws rate_limited while the login is locked out; `outcome` counts the attempt.
     */
    throttle: {
      guard: (login: string): void => throttle.check(login),
      outcome: (login: string, ok: boolean): void => (ok ? throttle.succeeded(login) : throttle.failed(login)),
    },

    async logout(token: string): Promise<void> {
      await ctx.store.sessions.remove(hashToken(token));
    },

    /** The current actor of a connected session's user: group and policy changes apply at once. */
    async actorFor(userId: number): Promise<Actor> {
      const actor = (await ctx.directory.snapshot()).actor(userId);
      if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'The account is disabled.');
      return actor;
    },

    /** The actor behind a token, or unauthenticated. Checks expiry, disabled users and existence. */
    async authenticate(token: string | undefined): Promise<Actor> {
      if (!token) throw new PchatError('unauthenticated', 'Sign in first: send a bearer token or the session cookie.');
      const session = await ctx.store.sessions.get(hashToken(token));
      if (!session || session.expiresAt < ctx.clock.now()) throw new PchatError('unauthenticated', 'The session has expired or was revoked; sign in again.');
      const actor = (await ctx.directory.snapshot()).actor(session.userId);
      if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'The account is disabled.');
      return actor;
    },
  };
}
