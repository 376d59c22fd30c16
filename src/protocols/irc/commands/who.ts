import type { Snapshot } from '../../../app/directory.js';
import { casefold, roomToChannel } from '../channels.js';
import { identityOf } from '../identity.js';
import { RPL } from '../numerics.js';
import { highestPrefix, prefixesOf } from '../roster.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { resolveChannel } from './resolve.js';

/**
 * Whether a user shows as an IRC operator: one of their connections took OPER and they are an
 * administrator now (the snapshot of this moment), so a demoted administrator stops showing
 * as one at once, whatever their connection did earlier.
 */
export const isOper = (session: IrcSession, userId: number, snapshot: Snapshot): boolean =>
  snapshot.actor(userId)?.isAdmin === true && [...session.deps.registry.sessionsOf(userId)].some((s) => s.oper);

/** An IRC wildcard mask (`*` any run, `?` one character), ASCII case-insensitive, as a test. */
function maskMatcher(mask: string): (candidate: string) => boolean {
  const pattern = [...casefold(mask)].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${pattern}$`, 'su');
  return (candidate) => re.test(casefold(candidate));
}

/**
 * Everyone a mask may list: the caller and the people in the channels this connection joined.
 * Every user is invisible (+i), so a mask finds nobody else; an exact nick still finds anyone.
 */
function visibleTo(session: IrcSession): Set<number> {
  const seen = new Set<number>([session.userId]);
  for (const roomId of session.rooms.keys()) for (const uid of session.deps.hub.participants(roomId)) seen.add(uid);
  return seen;
}

/**
 * WHO #channel (the people in it, if the caller may find the room), WHO nick (that user), or
 * WHO mask (`*`, `0`, `nick*`, `nick!user@host` forms) over the people the caller can see.
 * A second parameter containing `o` keeps operators only.
 */
const who: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  async run(session, params, reply) {
    const mask = params[0] ?? '*';
    const opersOnly = (params[1] ?? '').includes('o');
    const snapshot = await session.deps.app.directory.snapshot();
    const answer = whoLine(session, reply, snapshot, opersOnly);
    if (mask.startsWith('#')) {
      try {
        const view = await resolveChannel(session, mask);
        const channel = roomToChannel(view.room.name);
        for (const uid of session.deps.hub.participants(view.room.id)) answer(channel, uid, prefixesOf(snapshot, view.room, view.category, uid));
      } catch {
        // A room the caller may not find has nobody in it, exactly like no room at all.
      }
    } else if (mask === '0' || /[*?]/.test(mask)) {
      const matches = maskMatcher(mask === '0' ? '*' : mask);
      const full = mask.includes('!') || mask.includes('@');
      for (const uid of visibleTo(session)) {
        const nick = session.deps.registry.nickOf(uid, snapshot.users);
        const shown = full ? [`${nick}!${identityOf(session.deps.registry, uid, snapshot.users).username}@${session.host}`, session.maskOf(uid, snapshot)] : [nick];
        if (shown.some(matches)) answer('*', uid, '');
      }
    } else {
      const userId = session.deps.registry.userOf(mask, snapshot.users);
      if (userId !== undefined) answer('*', userId, '');
    }
    reply.numeric(RPL.ENDOFWHO, mask, 'End of WHO list');
  },
};

/** RPL_WHOREPLY: channel, username, host, server, nick, H/G (here or away), `*` for an operator, prefixes, hops and real name. */
function whoLine(session: IrcSession, reply: Reply, snapshot: Snapshot, opersOnly: boolean) {
  const { registry, serverName } = session.deps;
  return (channel: string, userId: number, prefixes: string): void => {
    const oper = isOper(session, userId, snapshot);
    if (opersOnly && !oper) return;
    const { username, realname } = identityOf(registry, userId, snapshot.users);
    const shownPrefixes = session.caps.has('multi-prefix') ? prefixes : highestPrefix(prefixes);
    const flags = (registry.awayOf(userId) === undefined ? 'H' : 'G') + (oper ? '*' : '') + shownPrefixes;
    reply.numeric(RPL.WHOREPLY, channel, username, session.host, serverName, registry.nickOf(userId, snapshot.users), flags, `0 ${realname}`);
  };
}

export const WHO: Readonly<Record<string, IrcCommand>> = { WHO: who };
