import { PchatError } from '../../../core/errors.js';
import { isGuest } from '../../../app/guests.js';
import type { Snapshot } from '../../../app/directory.js';
import { accountName, casefold, isValidNick, nickTableFor } from '../channels.js';
import { cleanUsername } from '../identity.js';
import { neighboursOf } from '../neighbours.js';
import { ERR, RPL } from '../numerics.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';
import { watchDirectConversations } from '../../direct.js';
import { lusers, motd, sendIsupport, USERLEN } from './welcome.js';

/** Capabilities offered in CAP LS (with their 302 values). cap-notify is implied by 302. */
export const CAPABILITIES: Readonly<Record<string, string>> = {
  'account-tag': '',
  'away-notify': '',
  batch: '',
  'cap-notify': '',
  'draft/chathistory': '',
  'draft/message-redaction': '',
  'echo-message': '',
  'extended-join': '',
  'labeled-response': '',
  'message-tags': '',
  'multi-prefix': '',
  sasl: 'PLAIN',
  'server-time': '',
  'userhost-in-names': '',
};

/** The most base64 a SASL PLAIN exchange may carry in all. */
const SASL_MAX_BYTES = 2000;

/**
 * Signs in with a pchat login and password; the throttle (by the client's address and the
 * login) and disabled-account checks are the use case's. No session row (bearer token) is
 * created: the connection is the session. Answers true, false (wrong credentials), or the
 * throttle's refusal, whose text names the wait.
 */
export async function signIn(session: IrcSession, login: string, password: string): Promise<true | false | { limited: string }> {
  try {
    const actor = await session.deps.app.sessions.verifyCredentials(login, password, session.address);
    session.userId = actor.userId;
    return true;
  } catch (error) {
    if (error instanceof PchatError && error.code === 'rate_limited') return { limited: error.message };
    return false;
  }
}

/**
 * "PASS login:password" (the split is at the first ':' after an optional "sip:"), or
 * "PASS password" with the nick of the account as NICK.
 */
async function signInWithPass(session: IrcSession, pass: string): Promise<true | false | { limited: string }> {
  const skip = /^sip:/i.test(pass) ? 4 : 0;
  const colon = pass.indexOf(':', skip);
  if (colon > 0) return signIn(session, pass.slice(0, colon), pass.slice(colon + 1));
  const snapshot = await session.deps.app.directory.snapshot();
  // The nick the account shows now, or its own (login-derived) one, which stays its own while it shows another.
  const nick = session.requestedNick ?? '';
  const userId = session.deps.registry.userOf(nick, snapshot.users) ?? nickTableFor(snapshot.users).userId(nick);
  const login = userId === undefined ? undefined : snapshot.users.get(userId)?.login;
  return login ? signIn(session, login, pass) : false;
}

/**
 * A connection that did not sign in, when the endpoint takes guests (irc.guestGroup): the guest
 * account of its nick. A nick that belongs to an account, or is shown by a connected user,
 * answers 433 and registration waits for another NICK, as on any IRC server.
 */
async function signInAsGuest(session: IrcSession, reply: Reply, group: string): Promise<boolean> {
  const nick = session.requestedNick ?? '';
  const { app, registry } = session.deps;
  const users = (await app.directory.snapshot()).users;
  const owner = nickTableFor(users).userId(nick);
  const ownerUser = owner === undefined ? undefined : users.get(owner);
  if (ownerUser && !isGuest(ownerUser)) {
    reply.numeric(ERR.NICKNAMEINUSE, nick, 'Nickname is registered to an account: sign in with SASL or PASS, or choose another nick');
    return false;
  }
  const shownBy = registry.userOf(nick, users);
  if ((shownBy !== undefined && registry.online(shownBy)) || (owner !== undefined && registry.online(owner))) {
    reply.numeric(ERR.NICKNAMEINUSE, nick, 'Nickname is already in use');
    return false;
  }
  try {
    session.userId = (await app.guests.signIn(nick, group)).userId;
    return true;
  } catch (error) {
    if (!(error instanceof PchatError)) throw error;
    reply.numeric(ERR.PASSWDMISMATCH, error.message);
    session.kill(error.message);
    return false;
  }
}

/**
 * The nick a newly registered connection shows: its account's session nick when the account is
 * already connected (one nick per account, as a bouncer shares one), else the nick it asked for
 * when nobody else shows or owns it, else the account's own nick.
 */
function chooseNick(session: IrcSession, users: Snapshot['users']): string {
  const { registry } = session.deps;
  if (registry.online(session.userId)) return registry.nickOf(session.userId, users);
  const wanted = session.requestedNick;
  return wanted && registry.nickFree(session.userId, wanted, users) ? wanted : nickTableFor(users).nick(session.userId);
}

/** Completes registration once NICK, USER, capability negotiation and sign-in are done. */
export async function tryRegister(session: IrcSession, reply: Reply): Promise<void> {
  if (session.registered || session.isClosed || !session.requestedNick || !session.username || session.capNegotiating) return;
  const outcome = session.userId === 0 && session.password !== null ? await signInWithPass(session, session.password) : false;
  const triedPassword = session.password !== null;
  session.password = null;
  if (typeof outcome === 'object') {
    // Throttled: ERROR with the wait, as HTTP answers 429 with Retry-After.
    reply.numeric(ERR.PASSWDMISMATCH, outcome.limited);
    session.kill(outcome.limited);
    return;
  }
  const guests = session.deps.guestGroup;
  if (session.userId === 0 && !triedPassword && guests !== null && !(await signInAsGuest(session, reply, guests))) return;
  if (session.userId === 0) {
    reply.numeric(ERR.PASSWDMISMATCH, 'Password incorrect: sign in with SASL PLAIN or PASS <login>:<password>');
    session.kill('Bad password');
    return;
  }
  const { app, hub, registry, serverName, version, network } = session.deps;
  const snapshot = await app.directory.snapshot();
  session.nick = chooseNick(session, snapshot.users);
  session.registered = true;
  registry.add(session);
  registry.setNick(session.userId, session.nick, snapshot.users);
  hub.connect(session);
  // Private messages reach the connection without a JOIN: subscribe it to its user's direct conversations (../direct.ts).
  await watchDirectConversations(app, hub, session).catch((error: unknown) => session.deps.logger.error({ err: error }, 'subscribing to direct conversations failed'));
  // The connection is a session of its own: listed with the user's sessions, ended like them.
  if (!(await session.openSession())) return;
  reply.numeric(RPL.WELCOME, `Welcome to the ${network} IRC Network ${session.mask}`);
  reply.numeric(RPL.YOURHOST, `Your host is ${serverName}, running version pchat-${version}`);
  reply.numeric(RPL.CREATED, `This server was created ${new Date(registry.startedAt).toUTCString()}`);
  reply.numeric(RPL.MYINFO, serverName, `pchat-${version}`, 'io', 'imnostv', 'ov');
  sendIsupport(session, reply);
  await lusers(session, reply);
  motd(session, reply);
}

function capList(session: IrcSession, names: string[]): string[] {
  // Values only for CAP LS 302; several lines when long, all but the last marked '*'.
  const words = names.map((n) => (session.capVersion >= 302 && CAPABILITIES[n] ? `${n}=${CAPABILITIES[n]}` : n));
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > 380) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines;
}

const cap: IrcCommand = {
  minParams: 1,
  needsRegistration: false,
  async run(session, params, reply) {
    const sub = (params[0] ?? '').toUpperCase();
    const me = session.nickOrStar;
    const server = session.deps.serverName;
    const send = (...p: string[]) => reply.send({ source: server, command: 'CAP', params: [me, ...p] });
    switch (sub) {
      case 'LS': {
        if (!session.registered) session.capNegotiating = true;
        const version = Number(params[1] ?? 0);
        if (version >= 302) {
          session.capVersion = 302;
          session.caps.add('cap-notify');
        }
        const lines = capList(session, Object.keys(CAPABILITIES));
        lines.forEach((line, i) => (i < lines.length - 1 && session.capVersion >= 302 ? send('LS', '*', line) : send('LS', line)));
        return;
      }
      case 'LIST':
        return send('LIST', [...session.caps].join(' '));
      case 'REQ': {
        if (!session.registered) session.capNegotiating = true;
        const wanted = (params[1] ?? '').split(' ').filter((w) => w !== '');
        const known = wanted.every((w) => Object.hasOwn(CAPABILITIES, w.replace(/^-/, '')));
        if (!known || wanted.length === 0) return send('NAK', params[1] ?? '');
        for (const w of wanted) {
          if (w.startsWith('-')) session.caps.delete(w.slice(1));
          else session.caps.add(w);
        }
        return send('ACK', params[1] ?? '');
      }
      case 'END':
        if (session.registered) return;
        session.capNegotiating = false;
        if (session.sasl) {
          session.sasl = null;
          reply.numeric(ERR.SASLABORTED, 'SASL authentication aborted');
        }
        return tryRegister(session, reply);
      default:
        reply.numeric('410', params[0] ?? '*', 'Invalid CAP command');
    }
  },
};

const nick: IrcCommand = {
  minParams: 0,
  needsRegistration: false,
  async run(session, params, reply) {
    const wanted = params[0];
    if (!wanted) return reply.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given');
    if (!isValidNick(wanted)) return reply.numeric(ERR.ERRONEUSNICKNAME, wanted, 'Erroneous nickname');
    if (!session.registered) {
      session.requestedNick = wanted;
      return tryRegister(session, reply);
    }
    if (wanted === session.nick) return;
    const { registry, app, serverName } = session.deps;
    const users = (await app.directory.snapshot()).users;
    if (!registry.nickFree(session.userId, wanted, users)) return reply.numeric(ERR.NICKNAMEINUSE, wanted, 'Nickname is already in use');
    // One nick per account: every connection of the account changes, and everyone who sees one of them is told once.
    const line = { source: `${session.nick}!u${session.userId}@${serverName}`, command: 'NICK', params: [wanted] };
    registry.setNick(session.userId, wanted, users);
    if (casefold(session.nick) !== casefold(wanted)) {
      // WHOWAS remembers the nick left behind; MONITOR watchers see one go and the other come.
      registry.recordPastNick(session, session.nick);
      registry.monitors.notify(session.nick, null);
      registry.monitors.notify(wanted, `${wanted}!u${session.userId}@${serverName}`);
    }
    const own = [...registry.sessionsOf(session.userId)];
    for (const other of neighboursOf(registry, session.deps.hub, session.userId)) other.write(line);
    for (const mine of own) {
      mine.nick = wanted;
      if (mine !== session) mine.write(line);
    }
    reply.send(line);
  },
};

const user: IrcCommand = {
  minParams: 4,
  needsRegistration: false,
  async run(session, params, reply) {
    if (session.registered) return reply.numeric(ERR.ALREADYREGISTERED, 'You may not reregister');
    // An empty username or real name is no parameter (modern.ircdocs.horse, USER).
    const username = cleanUsername(params[0] ?? '', USERLEN - 1);
    if (username === undefined || (params[3] ?? '') === '') return reply.numeric(ERR.NEEDMOREPARAMS, 'USER', 'Not enough parameters: USER <username> 0 * :<real name>, neither empty');
    session.username = username;
    session.realname = params[3] ?? '';
    await tryRegister(session, reply);
  },
};

const pass: IrcCommand = {
  minParams: 1,
  needsRegistration: false,
  run(session, params, reply) {
    if (session.registered) return reply.numeric(ERR.ALREADYREGISTERED, 'You may not reregister');
    session.password = params[0] ?? null;
  },
};

/** SASL PLAIN (ircv3.net/specs/extensions/sasl-3.1): base64 in chunks of 400, '+' for empty. */
const authenticate: IrcCommand = {
  minParams: 1,
  needsRegistration: false,
  async run(session, params, reply) {
    const arg = params[0] ?? '';
    // A registered connection keeps its account: signing in again would change whose session it is.
    if (session.registered) return reply.numeric(ERR.ALREADYREGISTERED, 'You may not reregister: SASL is available before registration only');
    if (session.userId !== 0) return reply.numeric(ERR.SASLALREADY, 'You have already authenticated using SASL');
    // SASL is negotiated (ircv3 sasl-3.1): without the capability there is no exchange to take part in.
    if (!session.caps.has('sasl')) return reply.numeric(ERR.SASLFAIL, 'SASL authentication failed: request the sasl capability first (CAP REQ :sasl)');
    if (arg === '*') {
      session.sasl = null;
      return reply.numeric(ERR.SASLABORTED, 'SASL authentication aborted');
    }
    if (!session.sasl) {
      if (arg.toUpperCase() !== 'PLAIN') {
        reply.numeric(RPL.SASLMECHS, 'PLAIN', 'are available SASL mechanisms');
        return reply.numeric(ERR.SASLFAIL, 'SASL authentication failed');
      }
      session.sasl = { buffer: '' };
      return reply.send({ source: session.deps.serverName, command: 'AUTHENTICATE', params: ['+'] });
    }
    if (arg.length > 400) {
      session.sasl = null;
      return reply.numeric(ERR.SASLTOOLONG, 'SASL message too long');
    }
    // PLAIN's login and password fit in far less: more is not a sign-in, and is not kept.
    if (session.sasl.buffer.length + arg.length > SASL_MAX_BYTES) {
      session.sasl = null;
      return reply.numeric(ERR.SASLFAIL, `SASL authentication failed: more than ${SASL_MAX_BYTES} bytes of credentials`);
    }
    if (arg !== '+') session.sasl.buffer += arg;
    if (arg.length === 400) return; // more chunks follow
    const [authzid, authcid, password] = Buffer.from(session.sasl.buffer, 'base64').toString('utf8').split('\0');
    session.sasl = null;
    const ok = authcid !== undefined && password !== undefined && (!authzid || authzid === authcid) && (await signIn(session, authcid, password));
    if (typeof ok === 'object') return reply.numeric(ERR.SASLFAIL, `SASL authentication failed: ${ok.limited}`);
    if (!ok) return reply.numeric(ERR.SASLFAIL, 'SASL authentication failed');
    const account = accountName((await session.deps.app.directory.snapshot()).users, session.userId) ?? '*';
    const shownNick = session.requestedNick ?? account;
    reply.numeric(RPL.LOGGEDIN, `${shownNick}!u${session.userId}@${session.host}`, account, `You are now logged in as ${account}`);
    reply.numeric(RPL.SASLSUCCESS, 'SASL authentication successful');
  },
};

export const REGISTRATION: Readonly<Record<string, IrcCommand>> = {
  CAP: cap,
  NICK: nick,
  USER: user,
  PASS: pass,
  AUTHENTICATE: authenticate,
  PING: {
    minParams: 1,
    needsRegistration: false,
    run(session, params, reply) {
      reply.send({ source: session.deps.serverName, command: 'PONG', params: [session.deps.serverName, params[0] ?? ''] });
    },
  },
  PONG: { minParams: 0, needsRegistration: false, run: () => undefined },
  QUIT: {
    minParams: 0,
    needsRegistration: false,
    run(session, params) {
      session.kill(params[0] ? `Quit: ${params[0]}` : 'Client quit');
    },
  },
  LUSERS: { minParams: 0, needsRegistration: true, run: (session, _p, reply) => lusers(session, reply) },
  MOTD: { minParams: 0, needsRegistration: true, run: (session, _p, reply) => motd(session, reply) },
  VERSION: {
    minParams: 0,
    needsRegistration: true,
    run(session, _p, reply) {
      reply.numeric(RPL.VERSION, `pchat-${session.deps.version}`, session.deps.serverName, 'pchat IRC endpoint');
      sendIsupport(session, reply);
    },
  },
  TIME: {
    minParams: 0,
    needsRegistration: true,
    run(session, _p, reply) {
      reply.numeric(RPL.TIME, session.deps.serverName, new Date().toUTCString());
    },
  },
};
