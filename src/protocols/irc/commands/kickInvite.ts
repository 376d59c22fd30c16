import type { Snapshot } from '../../../app/directory.js';
import type { RoomView } from '../../../app/rooms.js';
import type { PrincipalRef } from '../../../core/model.js';
import { accountName, roomToChannel } from '../channels.js';
import { kickFromRoom } from '../membership.js';
import { ERR, RPL } from '../numerics.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { list, resolveChannel, userOfNick } from './resolve.js';

const isUser = (id: number) => (r: PrincipalRef) => r.kind === 'user' && r.id === id;

/** Someone is in the channel: present in the room now, over any door. */
const present = (session: IrcSession, roomId: number, userId: number): boolean => session.deps.hub.participants(roomId).includes(userId);

/**
 * The caller is "on the channel" for KICK and INVITE (442 otherwise): present in the room, or,
 * in a closed or secret room, taking part in it (member, presenter, manager) even while away.
 */
function onChannel(session: IrcSession, view: RoomView): boolean {
  if (session.rooms.has(view.room.id) || present(session, view.room.id, session.userId)) return true;
  const { roles } = view;
  return view.room.privacy !== 'open' && (roles.member || roles.manager || roles.presenter || view.can.manage);
}

/**
 * KICK: managers (and administrators: `can.manage`, decided by the use cases) only. In a closed or
 * secret room the target's direct membership (and presenter role) goes through rooms.update, so
 * they cannot come back; in every room the target's IRC connections of this server leave the
 * channel. In an open room that is all a KICK does: the target may join again (pchat has no bans).
 */
const kick: IrcCommand = {
  minParams: 2,
  needsRegistration: true,
  async run(session, params, reply) {
    const { app, hub, registry } = session.deps;
    const snapshot = await app.directory.snapshot();
    const view = await resolveChannel(session, params[0] ?? '');
    const roomId = view.room.id;
    const channel = roomToChannel(view.room.name);
    const targetNick = list(params[1])[0] ?? '';
    // RFC 2812: without a comment, the kicker's nick.
    const reason = (params[2] || session.nick).slice(0, 300);
    const target = userOfNick(session, targetNick, snapshot.users, reply);
    if (target === undefined) return;
    if (!onChannel(session, view)) return reply.numeric(ERR.NOTONCHANNEL, channel, "You're not on that channel");
    if (!view.can.manage) return reply.numeric(ERR.CHANOPRIVSNEEDED, channel, "You're not a channel operator: only the room's managers may KICK");
    const { members, presenters } = view.room;
    const holdsRole = view.room.privacy !== 'open' && (members.some(isUser(target)) || presenters.some(isUser(target)));
    if (!present(session, roomId, target) && !holdsRole) return reply.numeric(ERR.USERNOTINCHANNEL, targetNick, channel, "They aren't on that channel");
    registry.note(`kick:${roomId}:${target}`, { nick: session.mask, reason });
    if (holdsRole) {
      await app.rooms.update(await session.actor(), roomId, {
        members: members.filter((r) => !isUser(target)(r)),
        ...(view.room.type === 'auditorium' && { presenters: presenters.filter((r) => !isUser(target)(r)) }),
      });
    }
    // The room change re-checks access (events.ts) and may already have kicked some connections.
    let kickedHere = false;
    for (const s of registry.sessionsOf(target)) if (kickFromRoom(s, roomId, session.mask, reason) && s === session) kickedHere = true;
    // Others in the channel, the kicker included, see the KICK when the target's presence ends
    // (events.ts, deliverPresence): unless the kicker is elsewhere, the target is still present
    // over another door, or the room is above participantUpdateLimit, the kicker is told here.
    const still = hub.participants(roomId);
    const heard = kickedHere || (session.rooms.has(roomId) && !still.includes(target) && still.length <= snapshot.config.participantUpdateLimit);
    if (!heard) reply.send({ source: session.mask, command: 'KICK', params: [channel, targetNick, reason] });
    if (holdsRole && (await app.rooms.recheck(target, [roomId])).get(roomId) === 'ok') {
      reply.send({ source: session.deps.serverName, command: 'NOTE', params: ['KICK', 'STILL_ALLOWED', channel, `${targetNick} lost the membership but may still enter (a group or the manager role)`] });
    }
  },
};

/**
 * INVITE: from someone on the channel (442), for someone not in it (443). A closed or secret room
 * (+i) needs a manager (482, decided by rooms.update), and the invitation adds the invitee as a
 * member; pchat sends it when invitations are enabled. An open room needs nobody's leave, so the
 * invitation is only passed on to the invitee's IRC connections, as it is to someone already a member.
 */
const invite: IrcCommand = {
  minParams: 2,
  needsRegistration: true,
  async run(session, params, reply) {
    const { app, registry } = session.deps;
    const snapshot = await app.directory.snapshot();
    const targetNick = params[0] ?? '';
    const view = await resolveChannel(session, params[1] ?? '').catch((error: unknown) => reply.error('INVITE', params[1] ?? null, error));
    if (!view) return;
    const roomId = view.room.id;
    const channel = roomToChannel(view.room.name);
    const target = userOfNick(session, targetNick, snapshot.users, reply);
    if (target === undefined) return;
    if (!onChannel(session, view)) return reply.numeric(ERR.NOTONCHANNEL, channel, "You're not on that channel");
    if (present(session, roomId, target)) return reply.numeric(ERR.USERONCHANNEL, targetNick, channel, 'is already on channel');
    if (view.room.privacy === 'open' || view.room.members.some(isUser(target))) {
      if (view.room.privacy !== 'open' && !view.can.manage) return reply.numeric(ERR.CHANOPRIVSNEEDED, channel, "You're not a channel operator: only the room's managers may INVITE to a +i channel");
      return passOn(session, reply, snapshot, roomId, channel, target, targetNick);
    }
    registry.note(`invite:${roomId}:${target}`, { nick: session.mask, reason: '' });
    try {
      await app.rooms.update(await session.actor(), roomId, { members: [...view.room.members, { kind: 'user', id: target }] });
    } catch (error) {
      // The channel, not the nick (the first parameter), is what 482 and the others name.
      return reply.error('INVITE', channel, error);
    }
    reply.numeric(RPL.INVITING, targetNick, channel);
  },
};

/** Sends INVITE to the invitee's IRC connections, if the use cases let them enter the room. */
async function passOn(session: IrcSession, reply: Reply, snapshot: Snapshot, roomId: number, channel: string, target: number, targetNick: string): Promise<void> {
  const { app, registry } = session.deps;
  const actor = snapshot.actor(target);
  const theirs = actor && (await app.rooms.get(actor, roomId).catch(() => null));
  if (!theirs?.can.enter) return reply.fail('INVITE', 'CANNOT_JOIN', channel, `${targetNick} may not enter this room`);
  const connections = [...registry.sessionsOf(target)];
  if (connections.length === 0) return reply.fail('INVITE', 'NOT_CONNECTED', channel, `${targetNick} has no IRC connection to pass the invitation to`);
  const account = accountName(snapshot.users, session.userId);
  const tags: Record<string, string> = account === null ? {} : { account };
  for (const s of connections) s.write({ tags, source: session.mask, command: 'INVITE', params: [s.nick, channel] });
  reply.numeric(RPL.INVITING, targetNick, channel);
}

export const KICK_INVITE: Readonly<Record<string, IrcCommand>> = { KICK: kick, INVITE: invite };
