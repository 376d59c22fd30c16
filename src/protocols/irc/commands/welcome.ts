import { CHANNELLEN, NICKLEN } from '../channels.js';
import { MONITOR_LIMIT } from '../monitor.js';
import { ERR, RPL } from '../numerics.js';
import type { IrcSession, Reply } from '../session.js';

// The welcome burst after 001–004: ISUPPORT, LUSERS and the MOTD (also answers to LUSERS, MOTD, VERSION).

export const CHATHISTORY_MAX = 500;
export const AWAYLEN = 300;
export const TOPICLEN = 256;
/** Usernames are shown with IRC's `~` (no ident server vouched for them): USERLEN counts it. */
export const USERLEN = 12;

/** RPL_ISUPPORT tokens: every one describes what this endpoint really does. */
export function isupport(network: string): string[] {
  return [
    `AWAYLEN=${AWAYLEN}`,
    'CASEMAPPING=ascii',
    'CHANLIMIT=#:',
    'CHANMODES=,,,imnst',
    `CHANNELLEN=${CHANNELLEN}`,
    'CHANTYPES=#',
    `CHATHISTORY=${CHATHISTORY_MAX}`,
    'KICKLEN=300',
    'MAXTARGETS=4',
    'MODES=6',
    `MONITOR=${MONITOR_LIMIT}`,
    'MSGREFTYPES=msgid,timestamp',
    `NETWORK=${network.replace(/[\s=]/g, '_')}`,
    `NICKLEN=${NICKLEN}`,
    'PREFIX=(ov)@+',
    'TARGMAX=JOIN:,PART:,PRIVMSG:4,NOTICE:4,TAGMSG:4,NAMES:1,WHOIS:1,KICK:1,LIST:',
    `TOPICLEN=${TOPICLEN}`,
    `USERLEN=${USERLEN}`,
    'UTF8ONLY',
  ];
}

export function sendIsupport(session: IrcSession, reply: Reply): void {
  const tokens = isupport(session.deps.network);
  for (let i = 0; i < tokens.length; i += 12) reply.numeric(RPL.ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
}

export async function lusers(session: IrcSession, reply: Reply): Promise<void> {
  const { registry, app } = session.deps;
  const snapshot = await app.directory.snapshot();
  // Counted as WHOIS shows them: only those who are administrators now.
  const opers = [...registry.sessions].filter((s) => s.oper && snapshot.actor(s.userId)?.isAdmin === true).length;
  const rooms = (await app.rooms.directory(await session.actor(), { limit: 1000 })).rooms.filter((v) => !v.room.disabled).length;
  // Users are this endpoint's registered connections, all invisible (+i is always on); one
  // server, so the local and global counts are the same.
  const users = registry.sessions.size;
  const peak = String(registry.peakSessions);
  reply.numeric(RPL.LUSERCLIENT, `There are 0 users and ${users} invisible on 1 servers`);
  reply.numeric(RPL.LUSEROP, String(opers), 'operator(s) online');
  reply.numeric(RPL.LUSERUNKNOWN, String(registry.connections.size - registry.sessions.size), 'unknown connection(s)');
  reply.numeric(RPL.LUSERCHANNELS, String(rooms), 'channels formed');
  reply.numeric(RPL.LUSERME, `I have ${users} clients and 0 servers`);
  reply.numeric(RPL.LOCALUSERS, String(users), peak, `Current local users ${users}, max ${peak}`);
  reply.numeric(RPL.GLOBALUSERS, String(users), peak, `Current global users ${users}, max ${peak}`);
}

export function motd(session: IrcSession, reply: Reply): void {
  const lines = session.deps.motd;
  if (!lines || lines.length === 0) return reply.numeric(ERR.NOMOTD, 'MOTD File is missing');
  reply.numeric(RPL.MOTDSTART, `- ${session.deps.serverName} Message of the day - `);
  for (const line of lines) reply.numeric(RPL.MOTD, `- ${line}`);
  reply.numeric(RPL.ENDOFMOTD, 'End of /MOTD command.');
}
