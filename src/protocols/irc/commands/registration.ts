import { PchatError } from '../../../core/errors.js';
import { casefold, CHANNELLEN, isValidNick, NICKLEN, nickTableFor } from '../channels.js';
import { ERR, RPL } from '../numerics.js';
import type { IrcCommand, IrcSession, Reply } from '../session.js';

/** Capabilities offered in CAP LS (with their 302 values). cap-notify is implied by 302. */
export const CAPABILITIES: Readonly<Record<string, string>> = {
  'account-tag': '',
  'away-notify': '',
  batch: '',
  'cap-notify': '',
  'draft/chathistory': '',
  'echo-message': '',
  'extended-join': '',
  'labeled-response': '',
  'message-tags': '',
  'multi-prefix': '',
  sasl: 'PLAIN',
  'server-time': '',
  'userhost-in-names': '',
};

export const CHATHISTORY_MAX = 500;
export const AWAYLEN = 300;
export const TOPICLEN = 256;

/** RPL_ISUPPORT tokens: every one describes what this endpoint really does. */
export function isupport(network: string): string[] {
  return [
    `AWAYLEN=${AWAYLEN}`,
    'CASEMAPPING=ascii',
    'CHANLIMIT=#:',
    'CHANMODES=,,,imst',
    `CHANNELLEN=${CHANNELLEN}`,
    'CHANTYPES=#',
    `CHATHISTORY=${CHATHISTORY_MAX}`,
    'KICKLEN=300',
    'MAXTARGETS=4',
    'MODES=6',
    'MSGREFTYPES=msgid,timestamp',
    `NETWORK=${network.replace(/[\s=]/g, '_')}`,
    `NICKLEN=${NICKLEN}`,
    'PREFIX=(ov)@+',
    'TARGMAX=JOIN:,PART:,PRIVMSG:4,NOTICE:4,TAGMSG:4,NAMES:1,WHOIS:1,KICK:1,LIST:',
    `TOPICLEN=${TOPICLEN}`,
    'USERLEN=12',
    'UTF8ONLY',
  ];
}

export function sendIsupport(session: IrcSession, reply: Reply): void {
  const tokens = isupport(session.deps.network);
  for (let i = 0; i < tokens.length; i += 12) reply.numeric(RPL.ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
}

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
  const userId = nickTableFor(snapshot.users).userId(session.requestedNick ?? '');
  const login = userId === undefined ? undefined : snapshot.users.get(userId)?.login;
  return login ? signIn(session, login, pass) : false;
}

/** Completes registration once NICK, USER, capability negotiation and sign-in are done. */
export async function tryRegister(session: IrcSession, reply: Reply): Promise<void> {
  if (session.registered || session.isClosed || !session.requestedNick || !session.username || session.capNegotiating) return;
  const outcome = session.userId === 0 && session.password !== null ? await signInWithPass(session, session.password) : false;
  session.password = null;
  if (typeof outcome === 'object') {
    // Throttled: ERROR with the wait, as HTTP answers 429 with Retry-After.
    reply.numeric(ERR.PASSWDMISMATCH, outcome.limited);
    session.kill(outcome.limited);
    return;
  }
  if (session.userId === 0) {
    reply.numeric(ERR.PASSWDMISMATCH, 'Password incorrect: sign in with SASL PLAIN or PASS <login>:<password>');
    session.kill('Bad password');
    return;
  }
  const { app, hub, registry, serverName, version, network } = session.deps;
  const snapshot = await app.directory.snapshot();
  session.nick = nickTableFor(snapshot.users).nick(session.userId);
  session.registered = true;
  registry.add(session);
  hub.connect(session);
  // The connection is a session of its own: listed with the user's sessions, ended like them.
  if (!(await session.openSession())) return;
  reply.numeric(RPL.WELCOME, `Welcome to the ${network} IRC Network ${session.mask}`);
  reply.numeric(RPL.YOURHOST, `Your host is ${serverName}, running version pchat-${version}`);
  reply.numeric(RPL.CREATED, `This server was created ${new Date(registry.startedAt).toUTCString()}`);
  reply.numeric(RPL.MYINFO, serverName, `pchat-${version}`, 'io', 'imostv', 'ov');
  sendIsupport(session, reply);
  await lusers(session, reply);
  motd(session, reply);
}

export async function lusers(session: IrcSession, reply: Reply): Promise<void> {
  const { hub, registry, app } = session.deps;
  const snapshot = await app.directory.snapshot();
  // Counted as WHOIS shows them: only those who are administrators now.
  const opers = [...registry.sessions].filter((s) => s.oper && snapshot.actor(s.userId)?.isAdmin === true).length;
  const rooms = (await app.rooms.directory(await session.actor(), { limit: 1000 })).rooms.filter((v) => !v.room.disabled).length;
  reply.numeric(RPL.LUSERCLIENT, `There are ${hub.connections()} users and 0 invisible on 1 servers`);
  reply.numeric(RPL.LUSEROP, String(opers), 'operator(s) online');
  reply.numeric(RPL.LUSERUNKNOWN, String(registry.connections.size - registry.sessions.size), 'unknown connection(s)');
  reply.numeric(RPL.LUSERCHANNELS, String(rooms), 'channels formed');
  reply.numeric(RPL.LUSERME, `I have ${registry.connections.size} clients and 0 servers`);
}

export function motd(session: IrcSession, reply: Reply): void {
  const lines = session.deps.motd;
  if (!lines || lines.length === 0) return reply.numeric(ERR.NOMOTD, 'MOTD File is missing');
  reply.numeric(RPL.MOTDSTART, `- ${session.deps.serverName} Message of the day - `);
  for (const line of lines) reply.numeric(RPL.MOTD, `- ${line}`);
  reply.numeric(RPL.ENDOFMOTD, 'End of /MOTD command.');
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
    // Nicks are derived from pchat logins (docs/irc.md), so they cannot be changed here.
    if (casefold(wanted) !== casefold(session.nick)) {
      reply.numeric(ERR.ERRONEUSNICKNAME, wanted, `Nicks come from pchat logins; yours is ${session.nick}`);
    }
  },
};

const user: IrcCommand = {
  minParams: 4,
  needsRegistration: false,
  async run(session, params, reply) {
    if (session.registered) return reply.numeric(ERR.ALREADYREGISTERED, 'You may not reregister');
    session.username = (params[0] ?? '').slice(0, 12) || 'user';
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
    if (arg.length > 400 || session.sasl.buffer.length + arg.length > 2000) {
      session.sasl = null;
      return reply.numeric(ERR.SASLTOOLONG, 'SASL message too long');
    }
    if (arg !== '+') session.sasl.buffer += arg;
    if (arg.length === 400) return; // more chunks follow
    const [authzid, authcid, password] = Buffer.from(session.sasl.buffer, 'base64').toString('utf8').split('\0');
    session.sasl = null;
    const ok = authcid !== undefined && password !== undefined && (!authzid || authzid === authcid) && (await signIn(session, authcid, password));
    if (typeof ok === 'object') return reply.numeric(ERR.SASLFAIL, `SASL authentication failed: ${ok.limited}`);
    if (!ok) return reply.numeric(ERR.SASLFAIL, 'SASL authentication failed');
    const account = nickTableFor((await session.deps.app.directory.snapshot()).users).nick(session.userId);
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
