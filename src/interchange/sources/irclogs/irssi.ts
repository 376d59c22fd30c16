import { line, type LineParser, type ParsedLine, stripModePrefix, textDay } from './events.js';

/**
 * irssi's logs (`autolog_path`, default `~/irclogs/$tag/$0.log`, often with `%Y-%m-%d` in it):
 * lines start with the `log_timestamp` (default `%H:%M `, seconds when configured), and the day is
 * written on `--- Log opened <date>` and `--- Day changed <date>` lines. The default theme writes
 * `< nick> text` (the space or `@`/`+` is the nick's mode), ` * nick text` for an action,
 * `-nick:#chan- text` for a notice, and `-!- ` before joins, parts, quits, kicks, nick changes,
 * topic changes and modes.
 */
const DAY = /^--- (Log opened|Log closed|Day changed) (.*)$/;
const STAMP = /^(\d{2}):(\d{2})(?::(\d{2}))? (.*)$/s;

export const parseIrssi: LineParser = (text) => {
  const d = DAY.exec(text);
  if (d) {
    if (d[1] === 'Log closed') return line('info', -1, -1, '', text);
    const day = textDay(d[2]!);
    return day < 0 ? null : line('day', day, -1, '', d[1]!);
  }
  const m = STAMP.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (seconds >= 86_400) return null;
  return body(seconds, m[4]!);
};

function body(seconds: number, rest: string): ParsedLine | null {
  // First: `-!-` would otherwise read as a notice from "!".
  if (rest.startsWith('-!- ')) return event(seconds, rest.slice(4));
  let m = /^<[ ~&@%+!]?([^ >]+)> ?(.*)$/s.exec(rest);
  if (m) return line('message', -1, seconds, m[1]!, m[2]!);
  m = /^ \* (\S+) ?(.*)$/s.exec(rest);
  if (m) return line('action', -1, seconds, stripModePrefix(m[1]!), m[2]!);
  m = /^-([^\s:-]+)(?::\S+)?- ?(.*)$/s.exec(rest);
  if (m) return line('notice', -1, seconds, stripModePrefix(m[1]!), m[2]!);
  return null;
}

function event(seconds: number, rest: string): ParsedLine {
  let m = /^(\S+) \[[^\]]*\] has (joined|left|quit)/.exec(rest);
  if (m) return line(m[2] === 'joined' ? 'join' : m[2] === 'left' ? 'part' : 'quit', -1, seconds, m[1]!);
  m = /^(\S+) was kicked from \S+ by (\S+)/.exec(rest);
  if (m) return line('kick', -1, seconds, m[1]!, '', m[2]!);
  m = /^(\S+) is now known as (\S+)$/.exec(rest);
  if (m) return line('nick', -1, seconds, m[1]!, '', m[2]!);
  m = /^(\S+) changed the topic of \S+ to: ?(.*)$/s.exec(rest);
  if (m) return line('topic', -1, seconds, m[1]!, m[2]!);
  m = /^Topic unset by (\S+) on \S+$/.exec(rest);
  if (m) return line('topic', -1, seconds, m[1]!, '');
  m = /^Topic for \S+: (.*)$/s.exec(rest);
  if (m) return line('topicShown', -1, seconds, '', m[1]!);
  m = /^mode\/\S+ \[.*\] by (\S+)$/.exec(rest);
  if (m) return line('mode', -1, seconds, m[1]!);
  return line('info', -1, seconds, '', rest);
}
