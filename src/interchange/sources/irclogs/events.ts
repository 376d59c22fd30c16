/**
 * What one line of an IRC channel log says, whatever client wrote it. The line parsers
 * (weechat.ts, irssi.ts, bracket.ts) turn a line into one of these; the file reader (logFile.ts)
 * places it in time and follows nick changes.
 */
export type LineKind =
  /** Said in the channel (PRIVMSG). */
  | 'message'
  /** `/me` (CTCP ACTION). */
  | 'action'
  | 'notice'
  /** The topic was set by `nick` or unset (text ''). */
  | 'topic'
  /** The log only shows the topic (on joining: weechat's "Topic for #c is", irssi's "Topic for #c:"), no change. */
  | 'topicShown'
  | 'join'
  | 'part'
  | 'quit'
  | 'kick'
  /** `nick` is now known as `other`. */
  | 'nick'
  | 'mode'
  /** Day-change and log-opened lines: `day` holds the date. */
  | 'day'
  /** The client's own lines that carry nothing of the channel (log closed, netsplits, errors, "Topic set by"). */
  | 'info';

/** The kinds that become pchat messages. */
export const MESSAGE_KINDS: ReadonlySet<LineKind> = new Set(['message', 'action', 'notice']);

/** The kinds counted in the report and not imported (never dropped silently). */
export const COUNTED_KINDS = ['join', 'part', 'quit', 'kick', 'nick', 'mode', 'info'] as const;

export interface ParsedLine {
  kind: LineKind;
  /** Days since 1970-01-01 when the line carries its date (weechat, a dated bracket stamp, a day line); else -1. */
  day: number;
  /** Seconds since midnight of the line's own time stamp; -1 when it has none (day lines). */
  seconds: number;
  nick: string;
  text: string;
  /** The new nick of a nick change. */
  other: string;
}

export const line = (kind: LineKind, day: number, seconds: number, nick = '', text = '', other = ''): ParsedLine => ({ kind, day, seconds, nick, text, other });

/** A line parser: null when the line is not in its format. */
export type LineParser = (text: string) => ParsedLine | null;

/** Days since the epoch of a calendar date, or -1 when it is not one. */
export function dayNumber(year: number, month: number, day: number): number {
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return -1;
  return ms / 86_400_000;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** `Wed Jan 31 2024` or `Wed Jan 31 10:00:00 2024` (irssi's day lines): its day number, or -1. */
export function textDay(text: string): number {
  const m = /^(?:\w{3} )?(\w{3}) +(\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)? (\d{4})\b/.exec(text);
  if (!m) return -1;
  const month = MONTHS[m[1]!.toLowerCase()];
  return month === undefined ? -1 : dayNumber(Number(m[3]), month, Number(m[2]));
}

/** IRC nick prefixes that show a channel mode (op, voice …), which logs write before the nick. */
export const stripModePrefix = (nick: string): string => nick.replace(/^[~&@%+!]+/, '');
