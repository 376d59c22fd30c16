import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import type { AppContext } from './context.js';
import { LOCAL_SOURCE, LoginThrottle } from './loginThrottle.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import { backfillNtHash } from './sipCredentials.js';
import { parse } from './validate.js';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A session's last use is written at most this often: a read per request, a write per minute. */
export const TOUCH_INTERVAL_MS = 60_000;

/** A signed-in caller: who, and through which session. */
export interface Authenticated {
  readonly actor: Actor;
  readonly sessionId: number;
  /** The account must choose a new password first (the first administrator's one-time one). */
  readonly mustChangePassword: boolean;
}

export const passwordChangeRequired = (): PchatError =>
  new PchatError('password_change_required', 'Choose a new password first (POST /api/v1/me/password with currentPassword and newPassword).');

/** Client-given text kept for display (a user agent, an address): printable, bounded, or null. */
export const clientText = (text: string | null | undefined, max = 256): string | null => {
  const clean = (text ?? '').replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim().slice(0, max);
  return clean === '' ? null : clean;
};

export const loginInput = z.strictObject({
  login: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const badCredentials = (): PchatError => new PchatError('unauthenticated', 'The login or password is incorrect.');

export function sessionUseCases(ctx: AppContext) {
  const throttle = new LoginThrottle(() => ctx.clock.now(), ctx.signInThrottle);

  /**
   * The one credential check: throttle (by source address and login), constant-shape failure,
   * disabled accounts. `source` is the client's network address.
   */
  async function checkCredentials(login: string, password: string, source: string): Promise<User> {
    throttle.check(source, login);
    const user = await ctx.store.users.getByLogin(login);
    const hash = user ? await ctx.store.users.passwordHash(user.id) : null;
    const ok = await verifyPassword(password, hash ?? DUMMY_HASH);
    if (!user || !hash || !ok || user.disabled) {
      throttle.failed(source, login);
      throw badCredentials();
    }
    throttle.succeeded(source, login);
    // The plaintext is at hand: keep the NT hash for SIP NTLM if the account lacks one.
    await backfillNtHash(ctx, user.id, password, hash);
    return user;
  }

  /**
   * The actor and session behind a token, or unauthenticated: checks expiry (lifetime and
   * idle), disabled users and existence, and records the use at most once a minute. An
   * account that must change its password gets password_change_required unless
   * `passwordChange` says the caller is one of the few things allowed meanwhile.
   */
  async function authenticateSession(token: string | undefined, options: { passwordChange?: boolean } = {}): Promise<Authenticated> {
    if (!token) throw new PchatError('unauthenticated', 'Sign in first: send a bearer token or the session cookie.');
    const session = await ctx.store.sessions.get(hashToken(token));
    const now = ctx.clock.now();
    if (!session || session.expiresAt < now || session.lastUsedAt + ctx.sessionPolicy.idleMs < now) {
      throw new PchatError('unauthenticated', 'The session has expired or was revoked; sign in again.');
    }
    const actor = (await ctx.directory.snapshot()).actor(session.userId);
    if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'The account is disabled.');
    if (session.mustChangePassword && options.passwordChange !== true) throw passwordChangeRequired();
    if (now - session.lastUsedAt >= TOUCH_INTERVAL_MS) await ctx.store.sessions.touch([session.id], now);
    return { actor, sessionId: session.id, mustChangePassword: session.mustChangePassword };
  }

  return {
    /** Returns a bearer token; only its hash is stored. Unknown login and wrong password look the same. */
    async login(
      input: unknown,
      source: string = LOCAL_SOURCE,
      userAgent: string | null = null,
    ): Promise<{ token: string; user: User; expiresAt: number; sessionId: number; mustChangePassword: boolean }> {
      const { login, password } = parse(loginInput, input);
      const user = await checkCredentials(login, password, source);
      const token = randomBytes(32).toString('base64url');
      const now = ctx.clock.now();
      const { lifetimeMs, idleMs } = ctx.sessionPolicy;
      const address = source === LOCAL_SOURCE ? null : clientText(source, 64);
      const session = await ctx.store.sessions.create(
        { tokenHash: hashToken(token), userId: user.id, kind: 'token', createdAt: now, expiresAt: now + lifetimeMs, userAgent: clientText(userAgent), address },
        now - idleMs,
      );
      return { token, user, expiresAt: session.expiresAt, sessionId: session.id, mustChangePassword: await ctx.store.users.mustChangePassword(user.id) };
    },

    /** The credential check of `login` (throttle included) without opening a session: the current password of a change. */
    checkPassword: (login: string, password: string, source: string = LOCAL_SOURCE): Promise<User> => checkCredentials(login, password, source),

    /**
     * Checks a login and password exactly as `login` does (validation, throttle, disabled
     * accounts) but opens no session: for protocols that authenticate a connection, not a
     * bearer token (IRC SASL, PASS and OPER).
     */
    async verifyCredentials(login: string, password: string, source: string = LOCAL_SOURCE): Promise<Actor> {
      const input = parse(loginInput, { login, password });
      const user = await checkCredentials(input.login, input.password, source);
      // A one-time password opens the web client's password form only, not a connection.
      if (await ctx.store.users.mustChangePassword(user.id)) throw passwordChangeRequired();
      const actor = (await ctx.directory.snapshot()).actor(user.id);
      if (!actor || actor.disabled) throw badCredentials();
      return actor;
    },

    /**
     * The same throttle for a protocol that checks a credential itself (SIP's NTLM): `guard`
     * throws rate_limited while this source (or this source for this login) must wait;
     * `outcome` counts the attempt.
     */
    throttle: {
      guard: (source: string, login: string): void => throttle.check(source, login),
      outcome: (source: string, login: string, ok: boolean): void => (ok ? throttle.succeeded(source, login) : throttle.failed(source, login)),
    },

    /** Ends the token's session; every connection it authenticated closes (WebSocket 4001). */
    async logout(token: string): Promise<void> {
      const session = await ctx.store.sessions.remove(hashToken(token));
      if (session) await ctx.bus.publish({ type: 'user.signedOut', userId: session.userId, sessionIds: [session.id], reason: 'You signed out.' });
    },

    /** The current actor of a connected session's user: group and policy changes apply at once. */
    async actorFor(userId: number): Promise<Actor> {
      const actor = (await ctx.directory.snapshot()).actor(userId);
      if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'The account is disabled.');
      return actor;
    },

    /** The actor behind a token (see authenticateSession). */
    async authenticate(token: string | undefined): Promise<Actor> {
      return (await authenticateSession(token)).actor;
    },

    authenticateSession,
  };
}
