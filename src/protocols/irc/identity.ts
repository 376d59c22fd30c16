import { isGuest } from '../../app/guests.js';
import type { User } from '../../core/model.js';
import type { IrcRegistry } from './registry.js';
import type { IrcSession } from './session.js';

/** The username and real name WHO, WHOIS, WHOWAS and extended-join show for a user. */
export interface IrcIdentity {
  readonly username: string;
  readonly realname: string;
}

/**
 * The username is what the user's (oldest) IRC connection gave in USER, with IRC's `~` for a
 * username no ident server vouched for; someone not connected over IRC shows `u<id>`, as in
 * their mask. The real name of an account is its display name, which administrators manage:
 * a client's USER text never replaces it, so nobody poses as someone else by a real name. A
 * guest has no profile, so its connection's USER real name is shown.
 */
export function identityOf(registry: IrcRegistry, userId: number, users: ReadonlyMap<number, User> | undefined): IrcIdentity {
  return connectionIdentity(userId, registry.sessionsOf(userId).values().next().value, users);
}

/** The identity as one connection (or none: not connected over IRC) shows it. */
export function connectionIdentity(userId: number, connection: Pick<IrcSession, 'username' | 'realname'> | undefined, users: ReadonlyMap<number, User> | undefined): IrcIdentity {
  const user = users?.get(userId);
  const username = connection?.username ? `~${connection.username}` : `u${userId}`;
  const realname = user && !isGuest(user) ? user.displayName : connection?.realname || user?.displayName || '';
  return { username, realname };
}

/**
 * USER's username as shown: at most USERLEN characters (code points, never half a character),
 * without what cannot stand in a `nick!user@host` mask (spaces, `!`, `@`, control and format
 * characters). Undefined when nothing is left.
 */
export function cleanUsername(raw: string, max: number): string | undefined {
  const kept = [...raw.replace(/[\s!@\p{Cc}\p{Cf}]/gu, '')].slice(0, max).join('');
  return kept === '' ? undefined : kept;
}
