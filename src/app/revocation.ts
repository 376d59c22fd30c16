import type { AppContext } from './context.js';

/** Which of a user's sessions end: these ids, or all but the one kept (a self password change). */
export type Revocation = { readonly sessionIds: readonly number[] } | { readonly keepSessionId?: number | undefined };

/**
 * The one way sessions end before their time: the rows go (so their tokens stop working on
 * every node at once, the store being shared), then `user.signedOut` tells every process,
 * through the shared event log, to close the connections those sessions authenticated.
 * Returns the ids removed.
 */
export async function revokeSessions(ctx: AppContext, userId: number, which: Revocation, reason: string): Promise<number[]> {
  if ('sessionIds' in which) {
    const removed = await ctx.store.sessions.removeByIds(userId, which.sessionIds);
    if (removed.length > 0) await ctx.bus.publish({ type: 'user.signedOut', userId, sessionIds: removed, reason });
    return removed;
  }
  const removed = await ctx.store.sessions.removeForUser(userId, which.keepSessionId);
  // Published even when no row went: a connection may be signing in at this very moment.
  await ctx.bus.publish({ type: 'user.signedOut', userId, ...(which.keepSessionId !== undefined && { keepSessionId: which.keepSessionId }), reason });
  return removed;
}
