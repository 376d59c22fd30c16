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

/** What `get` finds, else what `create` makes (`created`); a create that lost a race to another connection finds the winner's. */
async function getOrCreate<T>(get: () => Promise<T | null>, create: () => Promise<T>): Promise<{ value: T; created: boolean }> {
  const existing = await get();
  if (existing) return { value: existing, created: false };
  try {
    return { value: await create(), created: true };
  } catch (error) {
    const raced = await get();
    if (raced) return { value: raced, created: false };
    throw error;
  }
}

/** Group names compare as the stores compare them: without regard to case. */
const sameName = (a: string, b: string): boolean => a.toLocaleLowerCase() === b.toLocaleLowerCase();

export function guestUseCases(ctx: AppContext) {
  /**
   * Creates the guest and the group as needed and adds the one to the other. Every step is
   * safe against the same step elsewhere (unique keys, an addition in one statement), so pool
   * nodes may enrol guests at the same moment.
   */
  async function enrol(nick: string, groupName: string): Promise<User> {
    const login = guestLogin(nick);
    const user = await getOrCreate(
      () => ctx.store.users.getByLogin(login),
      () => ctx.store.users.create({ login, displayName: nick, email: null, isAdmin: false, disabled: false, origin: { system: GUEST_ORIGIN, id: nick.toLowerCase() }, passwordHash: null }),
    );
    const group = await getOrCreate(
      () => ctx.store.groups.getByName(groupName),
      () => ctx.store.groups.create({ name: groupName, description: 'IRC guests: people who connect over IRC without signing in.', members: [], origin: null }),
    );
    const added = await ctx.store.groups.addMember(group.value.id, { kind: 'user', id: user.value.id });
    if (user.created || group.created || added) await ctx.bus.publish({ type: 'directory.changed', what: 'user' });
    return user.value;
  }

  return {
    /**
     * The guest account of `nick` (created, and put in `groupName`, the first time), as an
     * actor. A returning guest costs one indexed read; refused (`unauthenticated`) when an
     * administrator disabled that guest.
     */
    async signIn(nick: string, groupName: string): Promise<Actor> {
      const known = await ctx.store.users.getByLogin(guestLogin(nick));
      const group = [...(await ctx.directory.snapshot()).groups.values()].find((g) => sameName(g.name, groupName));
      const enrolled = known && group?.members.some((m) => m.kind === 'user' && m.id === known.id);
      const user = enrolled ? known : await enrol(nick, groupName);
      const actor = (await ctx.directory.snapshot()).actor(user.id);
      if (!actor || actor.disabled) throw new PchatError('unauthenticated', 'This guest nick was disabled by an administrator.');
      return actor;
    },
  };
}
