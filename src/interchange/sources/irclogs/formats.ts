import { basename, dirname, sep } from 'node:path';
import { parseBracket } from './bracket.js';
import { dayNumber, type LineParser } from './events.js';
import { parseIrssi } from './irssi.js';
import { parseWeechat } from './weechat.js';

export const LOG_FORMATS = ['auto', 'weechat', 'irssi', 'znc', 'bracket'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type DetectedFormat = Exclude<LogFormat, 'auto'>;

/** ZNC and the `[HH:MM]` family share one parser: they differ in file naming, not in lines. */
export const PARSERS: Readonly<Record<DetectedFormat, LineParser>> = { weechat: parseWeechat, irssi: parseIrssi, znc: parseBracket, bracket: parseBracket };

/**
 * The format of one file from its first lines: the one whose parser reads most of them (ties in
 * the order weechat, irssi, bracket). A ZNC log is a bracket log with seconds in its stamps and a
 * date for a name. Null when no parser reads any line.
 */
export function detectFormat(lines: readonly string[], path: string): DetectedFormat | null {
  const scores = { weechat: 0, irssi: 0, bracket: 0 };
  let seconds = 0;
  for (const text of lines) {
    if (text === '') continue;
    if (parseWeechat(text)) scores.weechat += 1;
    if (parseIrssi(text)) scores.irssi += 1;
    if (parseBracket(text)) {
      scores.bracket += 1;
      if (/^\[\d{1,2}:\d{2}:\d{2}\]/.test(text)) seconds += 1;
    }
  }
  const best = (Object.entries(scores) as [keyof typeof scores, number][]).reduce((a, b) => (b[1] > a[1] ? b : a));
  if (best[1] === 0) return null;
  if (best[0] === 'bracket' && seconds === best[1] && /^\d{4}-?\d{2}-?\d{2}\.log$/.test(basename(path))) return 'znc';
  return best[0];
}

/** What a log's path says: its channel, the network when it shows, and the day when its name carries one. */
export interface LogName {
  /** The buffer the file logs, e.g. `#pchat`; a name without a channel prefix is a query or server buffer. */
  readonly channel: string;
  /** The network (weechat's server, irssi's tag, ZNC's network folder), or '' when the path does not show it. */
  readonly network: string;
  /** Days since the epoch of the date in the file name, or -1. */
  readonly day: number;
}

const DATE_IN_NAME = /(?:^|[._-])(\d{4})-?(\d{2})-?(\d{2})(?=[._-]|$)/;
export const isChannel = (name: string): boolean => /^[#&+!]/.test(name);

/**
 * The channel, network and day of a log file by its path relative to the logs directory:
 * - weechat: `irc.<server>.<#channel>.weechatlog` (the default mask `$plugin.$name.weechatlog`),
 *   also with a date added to the mask;
 * - ZNC: `<network>/<#channel>/2024-01-31.log` (its default `$USER/$NETWORK/$WINDOW/%Y-%m-%d.log`),
 *   or the older `<network>_<#channel>_20240131.log`;
 * - irssi and the others: `<tag>/<#channel>.log`, `<#channel>.2024-01-31.log`, `<#channel>_20240131.log`.
 */
export function logName(relative: string): LogName {
  const file = basename(relative);
  const parent = dirname(relative) === '.' ? '' : basename(dirname(relative));
  const grandparent = dirname(dirname(relative));
  const dated = DATE_IN_NAME.exec(file);
  const day = dated ? dayNumber(Number(dated[1]), Number(dated[2]), Number(dated[3])) : -1;
  const weechat = /^irc\.(.+?)\.([#&+!].*?)(?:\.\d{4}-?\d{2}-?\d{2})?\.weechatlog$/.exec(file);
  if (weechat) return { channel: weechat[2]!, network: weechat[1]!, day };
  const bare = file.replace(/\.(log|txt)$/i, '');
  // ZNC: the file is only a date, the channel is its folder and the network the folder above.
  if (/^\d{4}-?\d{2}-?\d{2}$/.test(bare)) return { channel: parent, network: grandparent === '.' ? '' : basename(grandparent), day };
  const znc = /^(.+?)_([#&+!][^_]*(?:_[^_]+)*?)_\d{8}$/.exec(bare);
  if (znc) return { channel: znc[2]!, network: znc[1]!, day };
  const channel = dated ? bare.slice(0, dated.index).replace(/[._-]$/, '') || bare : bare.replace(/\.weechatlog$/, '');
  return { channel, network: parent, day };
}

/** The path separator of this system, for ids that must read the same on every system. */
export const portable = (relative: string): string => relative.split(sep).join('/');
