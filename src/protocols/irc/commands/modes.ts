import { PchatError } from '../../../core/errors.js';
import type { Privacy, PrincipalRef, RoomType } from '../../../core/model.js';
import { casefold, roomToChannel } from '../channels.js';
import { ERR, RPL } from '../numerics.js';
import { modesOf } from '../roster.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { userOfNick } from './channels.js';
import { resolveChannel } from './resolve.js';

/**
 * Channel modes are room settings, changed through rooms.update (so only managers and
 * administrators can): +s secret, +i closed (-i open), +m auditorium, +o manager, +v presenter.
 * Secret implies +i; -s leaves a room closed. n and t are fixed.
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
  let privacy: Privacy = room.privacy;
  let type: RoomType = room.type;
  let managers: PrincipalRef[] = [...room.managers];
  let presenters: PrincipalRef[] = [...room.presenters];
  const touched = new Set<string>();
  const args = params.slice(2);
  let sign: '+' | '-' = '+';
  let withParam = 0;
  for (const letter of modestring) {
    if (letter === '+' || letter === '-') {
      sign = letter;
      continue;
    }
    switch (letter) {
      case 'b':
      case 'e':
      case 'I': {
        // Ban, exception and invite lists do not exist in pchat: they are always empty.
        if (args.length > 0 && sign === '+') args.shift();
        const end = { b: [RPL.ENDOFBANLIST, 'End of channel ban list'], e: [RPL.ENDOFEXCEPTLIST, 'End of channel exception list'], I: [RPL.ENDOFINVEXLIST, 'End of channel invite list'] }[letter];
        reply.numeric(end[0] as string, channel, end[1] as string);
        continue;
      }
      case 's':
        privacy = sign === '+' ? 'secret' : privacy === 'secret' ? 'closed' : privacy;
        touched.add('privacy');
        continue;
      case 'i':
        privacy = sign === '+' ? (privacy === 'open' ? 'closed' : privacy) : 'open';
        touched.add('privacy');
        continue;
      case 'm':
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
        const nick = args.shift();
        if (nick === undefined) {
          reply.numeric(ERR.NEEDMOREPARAMS, 'MODE', 'Not enough parameters');
          continue;
        }
        if (++withParam > 6) continue; // MODES=6
        const userId = await userOfNick(session, nick, reply);
        if (userId === undefined) continue;
        const ref: PrincipalRef = { kind: 'user', id: userId };
        const without = (l: PrincipalRef[]) => l.filter((r) => !(r.kind === 'user' && r.id === userId));
        if (letter === 'o') managers = sign === '+' ? [...without(managers), ref] : without(managers);
        else presenters = sign === '+' ? [...without(presenters), ref] : without(presenters);
        touched.add(letter === 'o' ? 'managers' : 'presenters');
        continue;
      }
      default:
        reply.numeric(ERR.UNKNOWNMODE, letter, 'is an unknown mode char to me');
    }
  }
  if (touched.size === 0) return;
  const patch: Record<string, unknown> = {};
  if (touched.has('privacy') && privacy !== room.privacy) patch.privacy = privacy;
  if (touched.has('type') && type !== room.type) patch.type = type;
  if (touched.has('managers')) patch.managers = managers;
  if (touched.has('presenters') || (touched.has('type') && type === 'normal')) patch.presenters = presenters;
  if (Object.keys(patch).length === 0) return;
  session.deps.registry.note(`room:${room.id}`, { nick: session.mask, reason: '' });
  await session.deps.app.rooms.update(await session.actor(), room.id, patch);
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
