import { nickTableFor, roomToChannel } from '../channels.js';
import { ERR, RPL } from '../numerics.js';
import { highestPrefix, prefixesOf } from '../roster.js';
import type { Snapshot } from '../../../app/directory.js';
import type { IrcCommand, IrcSession } from '../session.js';
import { resolveChannel } from './resolve.js';

/**
 * Whether a user shows as an IRC operator: one of their connections took OPER and they are an
 * administrator now (the snapshot of this moment), so a demoted administrator stops showing
 * as one at once, whatever their connection did earlier.
 */
export const isOper = (session: IrcSession, userId: number, snapshot: Snapshot): boolean =>
  snapshot.actor(userId)?.isAdmin === true && [...session.deps.registry.sessionsOf(userId)].some((s) => s.oper);

/** WHO #channel (the people in it, if the caller may find the room) or WHO nick. */
const who: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  async run(session, params, reply) {
    const mask = params[0] ?? '*';
    const { app, hub, registry, serverName } = session.deps;
    const snapshot = await app.directory.snapshot();
    const nicks = nickTableFor(snapshot.users);
    const line = (channel: string, userId: number, prefixes: string) => {
      const user = snapshot.users.get(userId);
      const flags = (registry.awayOf(userId) === undefined ? 'H' : 'G') + (isOper(session, userId, snapshot) ? '*' : '') + (session.caps.has('multi-prefix') ? prefixes : highestPrefix(prefixes));
      reply.numeric(RPL.WHOREPLY, channel, `u${userId}`, serverName, serverName, nicks.nick(userId), flags, `0 ${user?.displayName ?? nicks.nick(userId)}`);
    };
    if (mask.startsWith('#')) {
      try {
        const view = await resolveChannel(session, mask);
        const channel = roomToChannel(view.room.name);
        for (const uid of hub.participants(view.room.id)) line(channel, uid, prefixesOf(snapshot, view.room, view.category, uid));
      } catch {
        // A room the caller may not find has nobody in it, exactly like no room at all.
      }
    } else {
      const userId = nicks.userId(mask);
      if (userId !== undefined) line('*', userId, '');
    }
    reply.numeric(RPL.ENDOFWHO, mask, 'End of WHO list');
  },
};

/** WHOIS nick: the account behind a nick, and the channels of it the caller may see. */
const whois: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const nick = (params.length > 1 ? params[1] : params[0]) ?? '';
    const { app, hub, registry, serverName, network } = session.deps;
    const snapshot = await app.directory.snapshot();
    const nicks = nickTableFor(snapshot.users);
    const userId = nicks.userId(nick);
    const user = userId === undefined ? undefined : snapshot.users.get(userId);
    if (userId === undefined || !user) {
      reply.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
      return reply.numeric(RPL.ENDOFWHOIS, nick, 'End of /WHOIS list');
    }
    const shown = nicks.nick(userId);
    reply.numeric(RPL.WHOISUSER, shown, `u${userId}`, serverName, '*', user.displayName);
    const channels: string[] = [];
    let after = 0;
    for (;;) {
      const page = await app.rooms.directory(await session.actor(), { after, limit: 1000 });
      for (const v of page.rooms) {
        if (v.room.disabled || !hub.participants(v.room.id).includes(userId)) continue;
        channels.push(highestPrefix(prefixesOf(snapshot, v.room, v.category, userId)) + roomToChannel(v.room.name));
      }
      if (page.next === null || channels.length > 50) break;
      after = page.next;
    }
    if (channels.length > 0) reply.numeric(RPL.WHOISCHANNELS, shown, channels.join(' '));
    reply.numeric(RPL.WHOISSERVER, shown, serverName, `${network} (pchat)`);
    if (isOper(session, userId, snapshot)) reply.numeric(RPL.WHOISOPERATOR, shown, 'is an IRC operator (a pchat administrator)');
    const away = registry.awayOf(userId);
    if (away !== undefined) reply.numeric(RPL.AWAY, shown, away);
    reply.numeric(RPL.WHOISACCOUNT, shown, shown, 'is logged in as');
    reply.numeric(RPL.WHOISSPECIAL, shown, `is pchat user ${user.login}${user.disabled ? ' (disabled)' : ''}`);
    reply.numeric(RPL.ENDOFWHOIS, shown, 'End of /WHOIS list');
  },
};

/** ISON: which of these nicks are connected to this IRC endpoint. */
const ison: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const nicks = nickTableFor((await session.deps.app.directory.snapshot()).users);
    const online = params
      .flatMap((p) => p.split(' '))
      .filter((n) => n !== '')
      .map((n) => nicks.userId(n))
      .filter((id): id is number => id !== undefined && session.deps.registry.online(id))
      .map((id) => nicks.nick(id));
    reply.numeric(RPL.ISON, [...new Set(online)].join(' '));
  },
};

const userhost: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const snapshot = await session.deps.app.directory.snapshot();
    const nicks = nickTableFor(snapshot.users);
    const found = params.slice(0, 5).flatMap((n) => {
      const id = nicks.userId(n);
      if (id === undefined) return [];
      const away = session.deps.registry.awayOf(id) !== undefined;
      return [`${nicks.nick(id)}${isOper(session, id, snapshot) ? '*' : ''}=${away ? '-' : '+'}u${id}@${session.deps.serverName}`];
    });
    reply.numeric(RPL.USERHOST, found.join(' '));
  },
};

export const QUERIES: Readonly<Record<string, IrcCommand>> = { WHO: who, WHOIS: whois, ISON: ison, USERHOST: userhost };
