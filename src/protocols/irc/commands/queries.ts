import { accountName, roomToChannel } from '../channels.js';
import { identityOf } from '../identity.js';
import { ERR, RPL } from '../numerics.js';
import { highestPrefix, prefixesOf } from '../roster.js';
import type { IrcCommand } from '../session.js';
import { MONITOR } from './monitor.js';
import { isOper, WHO } from './who.js';

/** WHOIS [server] nick: who a nick is, the channels of theirs the caller may see, and their account. */
const whois: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const nick = (params.length > 1 ? params[1] : params[0]) ?? '';
    const { app, hub, registry, serverName, network } = session.deps;
    const snapshot = await app.directory.snapshot();
    const userId = registry.userOf(nick, snapshot.users);
    const user = userId === undefined ? undefined : snapshot.users.get(userId);
    if (userId === undefined || !user) {
      reply.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
      return reply.numeric(RPL.ENDOFWHOIS, nick, 'End of /WHOIS list');
    }
    const shown = registry.nickOf(userId, snapshot.users);
    const { username, realname } = identityOf(registry, userId, snapshot.users);
    reply.numeric(RPL.WHOISUSER, shown, username, session.host, '*', realname);
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
    // Guests have no account; an account's name is its own nick (channels.ts, accountName).
    const account = accountName(snapshot.users, userId);
    if (account !== null) reply.numeric(RPL.WHOISACCOUNT, shown, account, 'is logged in as');
    reply.numeric(RPL.ENDOFWHOIS, shown, 'End of /WHOIS list');
  },
};

/** WHOWAS nick [count]: the nick's past users, newest first; every entry when count is missing or not positive. */
const whowas: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  run(session, params, reply) {
    const nick = params[0] ?? '';
    const count = Number.parseInt(params[1] ?? '0', 10);
    const found = session.deps.registry.history.find(nick, Number.isFinite(count) ? count : 0);
    if (found.length === 0) reply.numeric(ERR.WASNOSUCHNICK, nick, 'There was no such nickname');
    for (const past of found) {
      reply.numeric(RPL.WHOWASUSER, past.nick, past.username, past.host, '*', past.realname);
      reply.numeric(RPL.WHOISSERVER, past.nick, past.server, new Date(past.at).toUTCString());
    }
    reply.numeric(RPL.ENDOFWHOWAS, nick, 'End of WHOWAS');
  },
};

/** INFO: what this server is, as RPL_INFO lines. */
const info: IrcCommand = {
  minParams: 0,
  needsRegistration: true,
  run(session, _params, reply) {
    const { version, serverName, registry } = session.deps;
    for (const line of [
      `pchat-${version}: persistent group chat, with this IRC endpoint for legacy clients.`,
      `Server ${serverName}, up since ${new Date(registry.startedAt).toUTCString()}.`,
      'Rooms are channels; history, permissions and accounts are pchat\'s.',
    ])
      reply.numeric(RPL.INFO, line);
    reply.numeric(RPL.ENDOFINFO, 'End of /INFO list');
  },
};

/** ISON: which of these nicks are connected to this IRC endpoint. */
const ison: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const { registry } = session.deps;
    const { users } = await session.deps.app.directory.snapshot();
    const online = params
      .flatMap((p) => p.split(' '))
      .filter((n) => n !== '')
      .map((n) => registry.userOf(n, users))
      .filter((id): id is number => id !== undefined && registry.online(id))
      .map((id) => registry.nickOf(id, users));
    reply.numeric(RPL.ISON, [...new Set(online)].join(' '));
  },
};

const userhost: IrcCommand = {
  minParams: 1,
  needsRegistration: true,
  async run(session, params, reply) {
    const snapshot = await session.deps.app.directory.snapshot();
    const { registry } = session.deps;
    const found = params.slice(0, 5).flatMap((n) => {
      const id = registry.userOf(n, snapshot.users);
      if (id === undefined) return [];
      const away = registry.awayOf(id) !== undefined;
      return [`${registry.nickOf(id, snapshot.users)}${isOper(session, id, snapshot) ? '*' : ''}=${away ? '-' : '+'}u${id}@${session.deps.serverName}`];
    });
    reply.numeric(RPL.USERHOST, found.join(' '));
  },
};

export const QUERIES: Readonly<Record<string, IrcCommand>> = { ...WHO, ...MONITOR, WHOIS: whois, WHOWAS: whowas, ISON: ison, USERHOST: userhost, INFO: info };
