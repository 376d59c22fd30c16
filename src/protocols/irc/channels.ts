import { createHash } from 'node:crypto';
import { isGuest } from '../../app/guests.js';
import type { User } from '../../core/model.js';

/**
 * THE mapping between pchat names and IRC names (docs/irc.md, "Names"). Everything that turns
 * a room into a channel or a user into a nick goes through this file, so the rules cannot drift.
 */

/** CASEMAPPING=ascii: only A–Z fold, matching the store's COLLATE NOCASE on names. */
export const casefold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Longest channel name we emit (ISUPPORT CHANNELLEN), in bytes. */
export const CHANNELLEN = 200;
/** Longest nick we emit (ISUPPORT NICKLEN): a 30-character base, '`' and a user id. */
export const NICKLEN = 42;
const NICK_BASE_CHARS = 30;

// Characters IRC forbids or gives meaning to in channel names, our own escape characters, and
// anything invisible: these are written as %XX (UTF-8 bytes). A space reads better as '_'.
const ESCAPED = /[%_~,:\s\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]/u;

function percent(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * A room name as a channel name: '#', then the name with ' ' → '_', and '_', '%', '~', ',', ':',
 * other whitespace and invisible characters → %XX. Non-ASCII letters stay as they are (UTF-8).
 * Names whose channel would exceed CHANNELLEN bytes keep a prefix and end in '~' + 8 hex
 * digits of a hash of the full name; '~' never appears unescaped otherwise.
 */
export function roomToChannel(name: string): string {
  let out = '#';
  for (const ch of name) out += ch === ' ' ? '_' : ESCAPED.test(ch) ? percent(ch) : ch;
  if (Buffer.byteLength(out) <= CHANNELLEN) return out;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  const budget = CHANNELLEN - 9;
  let head = '';
  // Cut on a character boundary and never inside a %XX escape.
  for (const piece of out.match(/%[0-9A-F]{2}|[\s\S]/gu) ?? []) {
    if (Buffer.byteLength(head + piece) > budget) break;
    head += piece;
  }
  return `${head}~${hash}`;
}

export type ChannelName = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'hashed' } | { readonly kind: 'invalid' };

/**
 * The reverse of roomToChannel. Hashed (shortened) names cannot be decoded: the caller finds
 * the room whose channel name they equal. Anything not produced by this scheme is invalid.
 */
export function channelToRoom(channel: string): ChannelName {
  if (!channel.startsWith('#') || channel.length < 2) return { kind: 'invalid' };
  const body = channel.slice(1);
  if (body.includes('~')) return /~[0-9a-fA-F]{8}$/.test(body) ? { kind: 'hashed' } : { kind: 'invalid' };
  // eslint-disable-next-line no-control-regex
  if (/[\s,\0\x07]/.test(body)) return { kind: 'invalid' };
  let name = '';
  let bytes: number[] = [];
  const flush = (): boolean => {
    if (bytes.length === 0) return true;
    try {
      name += new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      return false;
    }
    bytes = [];
    return true;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '%') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { kind: 'invalid' };
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    if (!flush()) return { kind: 'invalid' };
    name += c === '_' ? ' ' : c;
  }
  if (!flush()) return { kind: 'invalid' };
  return { kind: 'name', name };
}

/** The same channel under CASEMAPPING=ascii. */
export const sameChannel = (a: string, b: string): boolean => casefold(a) === casefold(b);

const NICK = /^[A-Za-z[\]\\`^{}|_][A-Za-z0-9[\]\\`^{}|_-]*$/;
export const isValidNick = (nick: string): boolean => nick.length <= NICKLEN && NICK.test(nick);

/**
 * A login's nick before uniqueness: the part before '@' of an e-mail- or SIP-style login
 * (without "sip:"), every character IRC forbids in nicks replaced by '_', at most 30
 * characters, never starting with a digit or '-'. '`' is reserved for the suffix below.
 */
export function nickBase(login: string): string {
  const local = login.replace(/^sip:/i, '').split('@')[0] ?? '';
  let base = local.replace(/[^A-Za-z0-9[\]\\^{}|_-]/g, '_').slice(0, NICK_BASE_CHARS);
  if (base === '') base = 'user';
  if (/^[0-9-]/.test(base)) base = `_${base}`.slice(0, NICK_BASE_CHARS);
  return base;
}

/**
 * Every user's nick. When several logins share a base (case-insensitively), the oldest
 * account (lowest id) keeps it and the others get base + '`' + their id. Ids only grow, so a
 * new account never takes a nick away from an existing one, with one exception: IRC guests
 * (irc.guestGroup) come after every real account, so a guest never keeps a person's nick from
 * the account created for them later.
 */
export class NickTable {
  private readonly byId = new Map<number, string>();
  private readonly byFold = new Map<string, number>();

  constructor(users: Iterable<User>) {
    const sorted = [...users].sort((a, b) => Number(isGuest(a)) - Number(isGuest(b)) || a.id - b.id);
    const taken = new Set<string>();
    for (const user of sorted) {
      const base = nickBase(user.login);
      const nick = taken.has(casefold(base)) ? `${base}\`${user.id}` : base;
      taken.add(casefold(base));
      this.byId.set(user.id, nick);
      this.byFold.set(casefold(nick), user.id);
    }
  }

  nick(userId: number): string {
    return this.byId.get(userId) ?? `user\`${userId}`;
  }

  userId(nick: string): number | undefined {
    return this.byFold.get(casefold(nick));
  }
}

const tables = new WeakMap<object, NickTable>();

/** One table per directory snapshot (keyed by its users map), built on first use. */
export function nickTableFor(users: ReadonlyMap<number, User>): NickTable {
  let table = tables.get(users);
  if (!table) tables.set(users, (table = new NickTable(users.values())));
  return table;
}

/**
 * A user's account name (account-tag, extended-join, 900, WHOIS 330): the nick derived from the
 * login, which a session nick (NICK) never changes. Null for IRC guests, who are not logged in.
 */
export function accountName(users: ReadonlyMap<number, User>, userId: number): string | null {
  const user = users.get(userId);
  return user && isGuest(user) ? null : nickTableFor(users).nick(userId);
}
