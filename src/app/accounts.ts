import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invalid, notFound, PchatError } from '../core/errors.js';
import type { Actor } from '../core/permissions.js';
import type { NewSession, SessionKind, StoredSession } from '../ports/store.js';
import { type AppContext, requireAdmin } from './context.js';
import { GroupCommit } from './groupCommit.js';
import { LOCAL_SOURCE } from './loginThrottle.js';
import { hashPassword } from './passwords.js';
import { revokeSessions } from './revocation.js';
import { clientText, type sessionUseCases } from './sessions.js';
import { ntHashFor } from './sipCredentials.js';
import { checkPasswordLength, password } from './users.js';
import { id, parse } from './validate.js';

export const changePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: password,
});

const sessionIds = z.array(id).min(1).max(1000);

/** A connection session (IRC, SIP) has no token and no lifetime: it lasts as long as the connection. */
const CONNECTION_EXPIRES_AT = 8.64e15;
/** Connections' uses are written in one batch this often at most (never more than a quarter of the idle expiry). */
const CONNECTION_TOUCH_MS = 5 * 60_000;
/**
 * A connection's row unused this long belongs to a connection that is gone without its row
 * (a crashed or killed server): an open one is used far more often (IRC answers the server's
 * PINGs every irc.pingIntervalSeconds, SIP re-registers every sip.registerExpiresSeconds at
 * most). It is not listed, and the idle sweep deletes it later.
 */
const CONNECTION_GONE_MS = 60 * 60_000;

/** One session as its owner (or an administrator) sees it. */
export interface SessionView {
  readonly id: number;
  readonly kind: SessionKind;
  readonly userAgent: string | null;
  readonly address: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** Null for IRC and SIP connections: they end with the connection. */
  readonly expiresAt: string | null;
  /** The session this request was made with. */
  readonly current: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A user's sessions, seen and ended: listing, ending one or all (one's own, or anyone's for
 * administrators), changing one's own password, and the sessions that IRC and SIP connections
 * open for themselves so that they are listed and ended like any other.
 */
export function accountUseCases(ctx: AppContext, sessions: ReturnType<typeof sessionUseCases>) {
  // Connections open and close in crowds (a restart reconnects every client): their rows are
  // written by group commit, one transaction for all that arrive together (a store may commit it
  // without an fsync: SQLite does, see SessionStore.createMany).
  const opening = new GroupCommit<NewSession, StoredSession>((batch) => ctx.store.sessions.createMany(batch, ctx.clock.now() - ctx.sessionPolicy.idleMs));
  const closing = new GroupCommit<number, void>(async (ids) => {
    await ctx.store.sessions.removeMany(ids);
    return ids.map(() => undefined);
  });
  const pendingTouches = new Set<number>();
  let touchTimer: NodeJS.Timeout | null = null;
  const flushTouches = async (): Promise<void> => {
    if (touchTimer) clearTimeout(touchTimer);
    touchTimer = null;
    const ids = [...pendingTouches];
    pendingTouches.clear();
    if (ids.length > 0) await ctx.store.sessions.touch(ids, ctx.clock.now()).catch(() => undefined);
  };

  const live = (now: number) => (s: StoredSession) =>
    s.expiresAt >= now && s.lastUsedAt + ctx.sessionPolicy.idleMs >= now && (s.kind === 'token' || s.lastUsedAt + CONNECTION_GONE_MS >= now);

  /** Own sessions for everyone; another user's for administrators. Unknown users are not_found. */
  async function owner(actor: Actor, userId: number): Promise<number> {
    const target = parse(id, userId);
    if (actor.userId !== target) requireAdmin(actor);
    if (!(await ctx.directory.snapshot()).users.has(target)) throw notFound('user');
    return target;
  }

  const audit = (actor: Actor, action: string, target: number, input: unknown, outcome = 'ok') =>
    ctx.store.audit.append({ at: ctx.clock.now(), actorId: actor.userId, isAdmin: actor.isAdmin, action, target: String(target), input, outcome });

  const reasonFor = (actor: Actor, userId: number): string =>
    actor.userId === userId ? 'You ended this session.' : 'An administrator ended this session.';

  return {
    async list(actor: Actor, userId: number, currentSessionId: number | null = null): Promise<SessionView[]> {
      const target = await owner(actor, userId);
      const rows = (await ctx.store.sessions.listForUser(target)).filter(live(ctx.clock.now()));
      return rows.map((s) => ({
        id: s.id,
        kind: s.kind,
        userAgent: s.userAgent,
        address: s.address,
        createdAt: iso(s.createdAt),
        lastUsedAt: iso(s.lastUsedAt),
        expiresAt: s.kind === 'token' ? iso(s.expiresAt) : null,
        current: s.id === currentSessionId,
      }));
    },

    /** Ends the given sessions of a user; their connections close at once. A single unknown id is not_found. */
    async end(actor: Actor, userId: number, ids: readonly number[]): Promise<number> {
      const target = await owner(actor, userId);
      const wanted = parse(sessionIds, ids);
      const removed = await revokeSessions(ctx, target, { sessionIds: wanted }, reasonFor(actor, target));
      if (removed.length === 0 && wanted.length === 1) throw notFound('session');
      if (actor.userId !== target) await audit(actor, 'sessions.end', target, { sessionIds: removed });
      return removed.length;
    },

    /** Ends every session of a user, except `keepSessionId` (one's own current session, for "sign out everywhere else"). */
    async endAll(actor: Actor, userId: number, keepSessionId: number | null = null): Promise<number> {
      const target = await owner(actor, userId);
      const keep = actor.userId === target && keepSessionId !== null ? keepSessionId : undefined;
      const removed = await revokeSessions(ctx, target, { keepSessionId: keep }, reasonFor(actor, target));
      if (actor.userId !== target) await audit(actor, 'sessions.endAll', target, { count: removed.length });
      return removed.length;
    },

    /**
     * Changes one's own password: the current one is checked like a sign-in (throttled; a wrong
     * one is wrong_password), then every other session of the account ends.
     */
    async changePassword(actor: Actor, currentSessionId: number | null, input: unknown, source: string = LOCAL_SOURCE): Promise<void> {
      const data = parse(changePasswordInput, input);
      checkPasswordLength(ctx, 'newPassword', data.newPassword);
      const user = await ctx.store.users.get(actor.userId);
      if (!user) throw notFound('user');
      try {
        await sessions.checkPassword(user.login, data.currentPassword, source);
      } catch (error) {
        if (error instanceof PchatError && error.code === 'unauthenticated') {
          await audit(actor, 'users.changePassword', user.id, null, 'wrong_password');
          throw new PchatError('wrong_password', 'The current password is incorrect.', { field: 'currentPassword' });
        }
        throw error;
      }
      if (data.newPassword === data.currentPassword) throw invalid('newPassword', 'Choose a password different from the current one.');
      // Also clears must-change-password, and replaces the SIP NT hash in the same write.
      await ctx.store.users.setPasswordHash(user.id, await hashPassword(data.newPassword), ntHashFor(ctx, user.id, data.newPassword));
      await revokeSessions(ctx, user.id, { keepSessionId: currentSessionId ?? undefined }, 'Your password was changed; sign in again with the new one.');
      await audit(actor, 'users.changePassword', user.id, null);
    },

    /** The session of an IRC or SIP connection that signed in with a password; ended by closeConnection. */
    async openConnection(userId: number, kind: Exclude<SessionKind, 'token'>, client: { userAgent?: string | null; address?: string | null }): Promise<number> {
      const session = await opening.submit({
        // Never handed out: the connection is the credential. Random, so it matches no token.
        tokenHash: `${kind}:${randomUUID()}`,
        userId,
        kind,
        createdAt: ctx.clock.now(),
        expiresAt: CONNECTION_EXPIRES_AT,
        userAgent: clientText(client.userAgent),
        address: clientText(client.address, 64),
      });
      return session.id;
    },

    /** Whether the account must choose a new password before a client may sign in (IRC and SIP refuse it meanwhile). */
    mustChangePassword: (userId: number): Promise<boolean> => ctx.store.users.mustChangePassword(userId),

    /** Notes that a connection (or a WebSocket's token session) was used; written in batches. */
    used(sessionId: number): void {
      if (sessionId === 0) return;
      pendingTouches.add(sessionId);
      if (!touchTimer) {
        touchTimer = setTimeout(() => void flushTouches(), Math.min(CONNECTION_TOUCH_MS, ctx.sessionPolicy.idleMs / 4));
        touchTimer.unref();
      }
    },

    /** The connection is gone: so is its session (no event: nothing else is connected through it). */
    async closeConnection(sessionId: number): Promise<void> {
      pendingTouches.delete(sessionId);
      await closing.submit(sessionId);
    },

    /** Waits for the connections' rows to be written and removed (at shutdown). */
    async flush(): Promise<void> {
      await opening.flush();
      await closing.flush();
      await flushTouches();
    },
  };
}
