import { readFile } from 'node:fs/promises';
import { PchatError } from '../../core/errors.js';
import { csvFields } from '../csvFields.js';

/**
 * The administrator's people mapping (`--users users.csv`): who each source user is in pchat.
 *
 *     source,pchat
 *     U024BE7LH,alice          a source id → an existing pchat login
 *     bob_,robert              an IRC nick → an existing pchat login
 *     alice*,alice             a nick and its aliases (alice_, alice|away, alice-work, alice^, alice2 …)
 *     carol,new                create an account for this person (login: the source's)
 *     carol_,carol             → the account the line above creates
 *
 * A header line, then `source,pchat` per line (CSV as the rename file: fields may be quoted).
 * The source column is a source user's id or login (an IRC nick), compared ignoring case; with a
 * trailing `*` it also covers the nick's aliases: the nick followed by `_`, `-`, `|`, `^`, `` ` ``,
 * `[` or `{` and anything after, or by digits only. The pchat column is an account's login, or
 * `new`. Every line is checked and every error names its line.
 */
export interface UserMapping {
  readonly source: string;
  /** A pchat login, or null for `new`. */
  readonly login: string | null;
  /** Covers the nick's aliases (`alice*`). */
  readonly aliases: boolean;
  readonly line: number;
}

export interface UsersFile {
  readonly file: string;
  /** The file's text as read (a migration plan keeps it). */
  readonly text: string;
  readonly list: readonly UserMapping[];
  /** The line naming this source user (by id, then by login), exact names before alias patterns. */
  find(id: string, login: string): UserMapping | undefined;
}

const HEADER = ['source', 'pchat'];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\s]/u;

const fail = (file: string, line: number, message: string): never => {
  throw new PchatError('invalid_input', `${file} line ${line}: ${message}`, { field: '--users' });
};

/** Whether `nick` (folded) is `base` (folded) or one of its aliases. */
export function isAliasOf(nick: string, base: string): boolean {
  if (nick === base) return true;
  if (!nick.startsWith(base)) return false;
  const rest = nick.slice(base.length);
  return /^[_\-|^`[{]/.test(rest) || /^\d+$/.test(rest);
}

export async function readUsersFile(file: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PchatError('invalid_input', `--users: cannot read ${file}: ${(error as Error).message}`, { field: '--users' });
  }
  return parseUsersFile(text, file);
}

export function parseUsersFile(text: string, file: string): UsersFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const list: UserMapping[] = [];
  const seen = new Map<string, number>();
  let header = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === '') return;
    const fields = csvFields(raw, file, lineNo, '--users');
    if (!header) {
      if (fields.length !== 2 || fields.some((f, i) => f.trim().toLowerCase() !== HEADER[i])) fail(file, lineNo, `the first line must be the header "source,pchat", not "${raw}"`);
      header = true;
      return;
    }
    if (fields.length !== 2) fail(file, lineNo, `${fields.length} fields; a line is "source,pchat" (source id or nick, then a pchat login or new)`);
    const source = fields[0]!.trim();
    const target = fields[1]!.trim();
    const aliases = source.endsWith('*');
    const name = aliases ? source.slice(0, -1) : source;
    if (name === '') fail(file, lineNo, 'the source column is empty');
    if (name.includes('*')) fail(file, lineNo, `"${source}": a * may only end the source column (a nick and its aliases)`);
    if (target === '') fail(file, lineNo, `the pchat column is empty for "${source}" (write a pchat login, or new)`);
    if (CONTROL.test(target)) fail(file, lineNo, `"${target}" is not a pchat login (no spaces or control characters)`);
    const key = source.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(file, lineNo, `"${source}" is mapped on line ${earlier} already`);
    seen.set(key, lineNo);
    list.push({ source: name, login: target.toLowerCase() === 'new' ? null : target, aliases, line: lineNo });
  });
  if (!header) fail(file, 1, 'the file is empty; it needs the header "source,pchat"');
  const byId = new Map(list.filter((m) => !m.aliases).map((m) => [m.source, m]));
  const exact = new Map(list.filter((m) => !m.aliases).map((m) => [m.source.toLowerCase(), m]));
  // Longer bases first: `alice_*` is more specific than `alice*`.
  const patterns = list.filter((m) => m.aliases).sort((a, b) => b.source.length - a.source.length);
  return {
    file,
    text,
    list,
    find(id, login) {
      const same = byId.get(id);
      if (same) return same;
      const folded = login.toLowerCase();
      return exact.get(folded) ?? exact.get(id.toLowerCase()) ?? patterns.find((m) => isAliasOf(folded, m.source.toLowerCase()));
    },
  };
}
