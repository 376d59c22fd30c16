import { dayNumber, line, type LineParser, type ParsedLine, stripModePrefix } from './events.js';

/**
 * The `[HH:MM] <nick> text` family: ZNC's log module (`[%H:%M:%S]`, one file per day named
 * `%Y-%m-%d.log` in a folder per channel, events as `*** Joins: nick (ident@host)`,
 * `*** Parts: …`, `*** Quits: …`, `*** nick is now known as new`, `*** nick changes topic to
 * 'topic'`, `*** nick was kicked by op (reason)`, `*** op sets mode: +o nick`, notices as
 * `-nick- text`), and the clients that write the same shape (mIRC, HexChat, Textual, …:
 * `[HH:MM]` or `[HH:MM:SS]`, also with the date inside the brackets, `* nick text` for an
 * action and `* nick has joined #chan`-style events).
 */
const STAMP = /^\[(?:(\d{4})-(\d{2})-(\d{2})[ T])?(\d{1,2}):(\d{2})(?::(\d{2}))?\] (.*)$/s;

export const parseBracket: LineParser = (text) => {
  const m = STAMP.exec(text);
  if (!m) return null;
  const day = m[1] === undefined ? -1 : dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  if (m[1] !== undefined && day < 0) return null;
  const seconds = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6] ?? 0);
  if (seconds >= 86_400) return null;
  return body(day, seconds, m[7]!);
};

function body(day: number, seconds: number, rest: string): ParsedLine | null {
  let m = /^<([^ >]+)> ?(.*)$/s.exec(rest);
  if (m) return line('message', day, seconds, stripModePrefix(m[1]!), m[2]!);
  m = /^-([^\s-]+)- ?(.*)$/s.exec(rest);
  if (m) return line('notice', day, seconds, stripModePrefix(m[1]!), m[2]!);
  if (rest.startsWith('*** ')) return event(day, seconds, rest.slice(4)) ?? line('info', day, seconds, '', rest);
  if (rest.startsWith('* ')) {
    const e = event(day, seconds, rest.slice(2));
    if (e) return e;
    m = /^\* (\S+) ?(.*)$/s.exec(rest);
    if (m) return line('action', day, seconds, stripModePrefix(m[1]!), m[2]!);
  }
  return null;
}

/** The event wordings of ZNC and the mIRC-like clients; null when the text is none of them. */
function event(day: number, seconds: number, rest: string): ParsedLine | null {
  let m = /^(Joins|Parts|Quits): (\S+)/.exec(rest);
  if (m) return line(m[1] === 'Joins' ? 'join' : m[1] === 'Parts' ? 'part' : 'quit', day, seconds, m[2]!);
  m = /^(\S+) (?:\([^)]*\) )?has (joined|left|quit)\b/.exec(rest);
  if (m) return line(m[2] === 'joined' ? 'join' : m[2] === 'left' ? 'part' : 'quit', day, seconds, m[1]!);
  m = /^(\S+) is now known as (\S+)$/.exec(rest);
  if (m) return line('nick', day, seconds, m[1]!, '', m[2]!);
  m = /^(\S+) changes topic to '(.*)'$/s.exec(rest);
  if (m) return line('topic', day, seconds, m[1]!, m[2]!);
  m = /^(\S+) was kicked (?:from \S+ )?by (\S+)/.exec(rest);
  if (m) return line('kick', day, seconds, m[1]!, '', m[2]!);
  m = /^(\S+) sets mode: /.exec(rest);
  if (m) return line('mode', day, seconds, m[1]!);
  return null;
}
