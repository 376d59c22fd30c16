import { PchatError } from '../../../core/errors.js';
import type { Snapshot } from '../../../app/directory.js';
import type { Privacy, PrincipalRef, Room, RoomType } from '../../../core/model.js';
import { effectiveRoles, inCategoryScope } from '../../../core/permissions.js';
import { casefold, roomToChannel } from '../channels.js';
import { ERR, RPL } from '../numerics.js';
import { modesOf } from '../roster.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { resolveChannel, userOfNick } from './resolve.js';

/**
 * Modes pchat has no room rule for: each is refused with 472 and the reason (docs/irc.md, "Rooms
 * as channels"), so nobody believes a ban, key or limit is in place. Asking for the b, e or I
 * list (no parameter) answers the empty list, which is the truth.
 */
const REFUSED: Readonly<Record<string, string>> = {
  b: 'pchat has no bans: make the room closed (+i) and KICK, or deny the account in the category',
  e: 'pchat has no bans, so no ban exceptions',
  I: 'pchat has no invite exceptions: a closed room (+i) admits its members; INVITE adds one',
  k: 'pchat rooms have no keys: access goes by account; make the room closed (+i) and INVITE',
  l: 'pchat rooms have no user limit: everyone who may enter a room may join it',
};
const LIST_END: Readonly<Record<string, [string, string]>> = {
  b: [RPL.ENDOFBANLIST, 'End of channel ban list'],
  e: [RPL.ENDOFEXCEPTLIST, 'End of channel exception list'],
  I: [RPL.ENDOFINVEXLIST, 'End of channel invite list'],
};

/** A mode letter's parameter is taken from the arguments (CHANMODES types A, B, C). */
const takesParam = (letter: string, sign: '+' | '-'): boolean => 'beIkov'.includes(letter) || (letter === 'l' && sign === '+');

/**
 * Channel modes are room settings, changed through one rooms.update (the use cases decide who
 * may: managers and administrators; `can.manage` answers 482 up front): +s secret, +i closed
 * (-i open), +m auditorium, +o manager, +v presenter (auditoriums only). Secret implies +i; -s
 * leaves a room closed. n and t are always set. As in IRC, +i and -o never put anyone out of the
 * channel: closing an open room makes the people in it members, and a manager losing +o in a
 * closed room stays a member. +o/+v name people in the channel (441 otherwise).
 */
async function channelMode(session: IrcSession, params: readonly string[], reply: Reply): Promise<void> {
  const view = await resolveChannel(session, params[0] ?? '');
  const room = view.room;
  const channel = roomToChannel(room.name);
  const modestring = params[1];
  if (modestring === undefined) {
    reply.numeric(RPL.CHANNELMODEIS, channel, modesOf(room));
    return reply.numeric(RPL.CREATIONTIME, channel, String(Math.floor(room.createdAt / 1000)));
  }
  const { hub, registry } = session.deps;
  const snapshot = await session.deps.app.directory.snapshot();
  let privacy: Privacy = room.privacy;
  let type: RoomType = room.type;
  let managers: PrincipalRef[] = [...room.managers];
  let presenters: PrincipalRef[] = [...room.presenters];
  const demoted: number[] = [];
  const touched = new Set<string>();
  const args = params.slice(2);
  let sign: '+' | '-' = '+';
  let withParam = 0;
  let refusedPrivileges = false;
  /** A change the caller may not make: 482 once per command. */
  const mayChange = (): boolean => {
    if (view.can.manage) return true;
    if (!refusedPrivileges) reply.numeric(ERR.CHANOPRIVSNEEDED, channel, "You're not a channel operator: only the room's managers change its modes");
    refusedPrivileges = true;
    return false;
  };
  for (const letter of modestring) {
    if (letter === '+' || letter === '-') {
      sign = letter;
      continue;
    }
    const param = takesParam(letter, sign) ? args.shift() : undefined;
    const refusal = REFUSED[letter];
    if (refusal !== undefined) {
      const end = LIST_END[letter];
      if (end && param === undefined) reply.numeric(end[0], channel, end[1]);
      else reply.numeric(ERR.UNKNOWNMODE, letter, `is unknown mode char to me: ${refusal}`);
      continue;
    }
    switch (letter) {
      case 's':
      case 'i':
        if (!mayChange()) continue;
        if (letter === 's') privacy = sign === '+' ? 'secret' : privacy === 'secret' ? 'closed' : privacy;
        else privacy = sign === '+' ? (privacy === 'open' ? 'closed' : privacy) : 'open';
        touched.add('privacy');
        continue;
      case 'm':
        if (!mayChange()) continue;
        type = sign === '+' ? 'auditorium' : 'normal';
        touched.add('type');
        if (type === 'normal') presenters = [];
        continue;
      case 'n':
      case 't':
        if (sign === '-') reply.fail('MODE', 'INVALID_PARAMS', channel, `Mode ${letter} is always set in pchat`);
        continue;
      case 'o':
      case 'v': {
        if (param === undefined) {
          reply.numeric(ERR.NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (++withParam > 6) continue; // MODES=6
        const userId = userOfNick(session, param, snapshot.users, reply);
        if (userId === undefined || !mayChange()) continue;
        if (!hub.participants(room.id).includes(userId)) {
          reply.numeric(ERR.USERNOTINCHANNEL, param, channel, "They aren't on that channel");
          continue;
        }
        if (letter === 'v' && sign === '+' && type !== 'auditorium') {
          reply.fail('MODE', 'INVALID_PARAMS', channel, 'Only auditoriums (+m) have presenters (+v): set +m first');
          continue;
        }
        const ref: PrincipalRef = { kind: 'user', id: userId };
        const without = (l: PrincipalRef[]) => l.filter((r) => !(r.kind === 'user' && r.id === userId));
        if (letter === 'o') managers = sign === '+' ? [...without(managers), ref] : without(managers);
        else presenters = sign === '+' ? [...without(presenters), ref] : without(presenters);
        if (letter === 'o' && sign === '-') demoted.push(userId);
        touched.add(letter === 'o' ? 'managers' : 'presenters');
        continue;
      }
      default:
        reply.numeric(ERR.UNKNOWNMODE, letter, 'is unknown mode char to me');
    }
  }
  if (touched.size === 0) return;
  const patch: Record<string, unknown> = {};
  if (touched.has('privacy') && privacy !== room.privacy) patch.privacy = privacy;
  if (touched.has('type') && type !== room.type) patch.type = type;
  if (touched.has('managers')) patch.managers = managers;
  if (touched.has('presenters') || (touched.has('type') && type === 'normal')) patch.presenters = presenters;
  if (privacy !== 'open') {
    const members = keptInChannel(snapshot, room, privacy, demoted, hub.participants(room.id));
    if (members) patch.members = members;
  }
  if (Object.keys(patch).length === 0) return;
  registry.note(`room:${room.id}`, { nick: session.mask, reason: '' });
  await session.deps.app.rooms.update(await session.actor(), room.id, patch);
}

/**
 * The members a closed or secret room needs so that a MODE puts nobody out of the channel: when
 * an open room closes, the people in it (inside the category's scope, who do not manage or present
 * there; administrators enter every room); and managers losing +o.
 * Null when the list stays as it is. Built on the stored list (an open room's view hides it).
 */
function keptInChannel(snapshot: Snapshot, room: Room, privacy: Privacy, demoted: readonly number[], present: readonly number[]): PrincipalRef[] | null {
  const found = snapshot.roomWithCategory(room.id);
  if (!found) return null;
  const members = [...found.room.members];
  const add = (userId: number) => {
    if (!members.some((r) => r.kind === 'user' && r.id === userId)) members.push({ kind: 'user', id: userId });
  };
  for (const userId of demoted) add(userId);
  if (room.privacy === 'open' && privacy !== 'open') {
    for (const userId of present) {
      const actor = snapshot.actor(userId);
      if (!actor || actor.isAdmin || !inCategoryScope(actor, found.category)) continue;
      // Managers and presenters take part in a closed room already.
      const roles = effectiveRoles(actor, found.room, found.category);
      if (!roles.manager && !roles.presenter) add(userId);
    }
  }
  return members.length === found.room.members.length ? null : members;
}

/** User modes: +i is always on, +o comes from OPER and can be dropped. */
function userMode(session: IrcSession, params: readonly string[], reply: Reply): void {
  const target = params[0] ?? '';
  if (casefold(target) !== casefold(session.nick)) return reply.numeric(ERR.USERSDONTMATCH, "Can't change mode for other users");
  const modestring = params[1];
  if (modestring === undefined) return reply.numeric(RPL.UMODEIS, session.oper ? '+io' : '+i');
  let sign = '+';
  for (const letter of modestring) {
    if (letter === '+' || letter === '-') sign = letter;
    else if (letter === 'o' && sign === '-' && session.oper) {
      session.oper = false;
      reply.send({ source: session.mask, command: 'MODE', params: [session.nick, '-o'] });
    } else if (letter !== 'i' && letter !== 'o') reply.numeric(ERR.UMODEUNKNOWNFLAG, 'Unknown MODE flag');
  }
}

const mode: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  run: (session, params, reply) => ((params[0] ?? '').startsWith('#') ? channelMode(session, params, reply) : userMode(session, params, reply)),
};

/**
 * OPER <name> <password>: the name is the caller's own nick or login, the password their pchat
 * password (checked by sessions.verifyCredentials, with the login throttle), and the account must be a pchat
 * administrator. Being an operator changes no permission: administrators already manage
 * every room through the use cases. It shows in WHO, WHOIS and LUSERS.
 */
const oper: IrcCommand = {
  minParams: 2,
  needsRegistration: true,
  async run(session, params, reply) {
    const snapshot = await session.deps.app.directory.snapshot();
    const me = snapshot.users.get(session.userId);
    const name = params[0] ?? '';
    if (!me || (casefold(name) !== casefold(session.nick) && casefold(name) !== casefold(me.login))) {
      return reply.numeric(ERR.NOOPERHOST, 'OPER takes your own nick or login');
    }
    let admin: boolean;
    try {
      const actor = await session.deps.app.sessions.verifyCredentials(me.login, params[1] ?? '', session.address);
      admin = actor.userId === session.userId && actor.isAdmin;
    } catch (error) {
      return reply.numeric(ERR.PASSWDMISMATCH, error instanceof PchatError && error.code === 'rate_limited' ? error.message : 'Password incorrect');
    }
    if (!admin) return reply.numeric(ERR.NOOPERHOST, 'Only pchat administrators may be operators');
    session.oper = true;
    reply.numeric(RPL.YOUREOPER, 'You are now an IRC operator');
    reply.send({ source: session.mask, command: 'MODE', params: [session.nick, '+o'] });
  },
};

export const MODES: Readonly<Record<string, IrcCommand>> = { MODE: mode, OPER: oper };
