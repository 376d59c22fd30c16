import { PchatError } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Actor } from '../core/permissions.js';
import type { AppContext } from './context.js';

/**
 * Guest accounts: for deployments that take over an IRC network whose people never had
 * accounts (`irc.guestGroup`). A guest is an ordinary user whose login is `<nick>@guest.invalid`
 * (`.invalid` can never be a real domain, so no person's login collides with it), created the
 * first time someone connects with that nick without signing in, and put in the guest group,
 * which is all the access it has. It has no password, so it cannot sign in anywhere else.
 */
export const GUEST_DOMAIN = 'guest.invalid';
export const GUEST_ORIGIN = 'irc-guest';

export const guestLogin = (nick: string): string => `${nick.toLowerCase()}@${GUEST_DOMAIN}`;
export const isGuest = (user: Pick<User, 'login'>): boolean => user.login.endsWith(`@${GUEST_DOMAIN}`);

export function guestUseCases(ctx: AppContext) {
  async function ensureGroup(name: string): Promise<number> {
    const existing = await ctx.store.groups.getByName(name);
    if (existing) return existing.id;
    try {
      const created = await ctx.store.groups.create({ name, description: 'IRC guests: people who connect over IRC without signing in.', members: [], origin: null });
      return created.id;
    } catch (error) {
      // Another connection created it at the same moment.
      const raced = await ctx.store.groups.getByName(name);
      if (raced) return raced.id;
      throw error;
    }
  }

  async function ensureUser(nick: string): Promise<User> {
    const login = guestLogin(nick);
    const existing = await ctx.store.users.getByLogin(login);
    if (existing) return existing;
    try {
      return await ctx.store.users.create({ login, displayName: nick, email: null, isAdmin: false, disabled: false, origin: { system: GUEST_ORIGIN, id: nick.toLowerCase() }, passwordHash: null });
    } catch (error) {
      const raced = await ctx.store.users.getByLogin(login);
      if (raced) return raced;
      throw error;
    }
  }

  // Group membership is read, changed and written: one guest at a time in this process.
  let turn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => undefined);
    return next;
  };

  return {
    /**
     * The guest account of `nick` (created, and put in `groupName`, the first time), as an
     * actor. Refused with `guest_disabled` when an administrator disabled that guest.
     */
    async signIn(nick: string, groupName: string): Promise<Actor> {
      const user = await oneAtATime(async () => {
        const known = (await ctx.directory.snapshot()).users.get((await ctx.store.users.getByLogin(guestLogin(nick)))?.id ?? 0);
        const guest = known ?? (await ensureUser(nick));
        const group = await ctx.store.groups.get(await ensureGroup(groupName));
        const joined = group?.members.some((m) => m.kind === 'user' && m.id === guest.id) ?? true;
        if (group && !joined) await ctx.store.groups.update({ ...group, members: [...group.members, { kind: 'user', id: guest.id }] });
        if (!known || !joined) await ctx.bus.publish({ type: 'directory.changed', what: 'user' });
        return guest;
      });
      const actor = (await ctx.directory.snapshot()).actor(user.id);
      if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'This guest nick was disabled by an administrator.');
      return actor;
    },
  };
}
