import { dayNumber, line, type LineParser, type ParsedLine, stripModePrefix } from './events.js';

/**
 * WeeChat's logger plugin (`irc.<server>.<#channel>.weechatlog`): every line is
 * `<time>\t<prefix>\t<message>` with the default time format `%Y-%m-%d %H:%M:%S`. The prefix is
 * the nick (with its mode character) for a message, ` *` for an action, `-->` for a join, `<--`
 * for a part, quit or kick, and `--` for the network's other lines (nick changes, topics,
 * notices, modes).
 */
const LINE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\t([^\t]*)\t(.*)$/s;

export const parseWeechat: LineParser = (text) => {
  const m = LINE.exec(text);
  if (!m) return null;
  const day = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day < 0) return null;
  const seconds = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  const prefix = m[7]!.trim();
  const rest = m[8]!;
  if (prefix === '*') {
    const a = /^(\S+) ?(.*)$/s.exec(rest);
    return a ? line('action', day, seconds, stripModePrefix(a[1]!), a[2]!) : null;
  }
  if (prefix === '-->') return joined(day, seconds, rest);
  if (prefix === '<--') return left(day, seconds, rest);
  if (prefix === '--') return network(day, seconds, rest);
  if (prefix === '' || /^[=!-]+$/.test(prefix)) return line('info', day, seconds, '', rest);
  return line('message', day, seconds, stripModePrefix(prefix), rest);
};

function joined(day: number, seconds: number, rest: string): ParsedLine {
  const m = /^(\S+) .*has joined/.exec(rest);
  return m ? line('join', day, seconds, m[1]!) : line('info', day, seconds, '', rest);
}

function left(day: number, seconds: number, rest: string): ParsedLine {
  const kick = /^(\S+) has kicked (\S+)/.exec(rest);
  if (kick) return line('kick', day, seconds, kick[2]!, '', kick[1]!);
  const m = /^(\S+) .*has (left|quit)/.exec(rest);
  if (m) return line(m[2] === 'left' ? 'part' : 'quit', day, seconds, m[1]!);
  return line('info', day, seconds, '', rest);
}

function network(day: number, seconds: number, rest: string): ParsedLine {
  let m = /^(\S+) is now known as (\S+)$/.exec(rest);
  if (m) return line('nick', day, seconds, m[1]!, '', m[2]!);
  m = /^(\S+) has changed topic for \S+ (?:from ".*" )?to "(.*)"$/s.exec(rest);
  if (m) return line('topic', day, seconds, m[1]!, m[2]!);
  m = /^(\S+) has unset topic for \S+/.exec(rest);
  if (m) return line('topic', day, seconds, m[1]!, '');
  m = /^Topic for \S+ is "(.*)"$/s.exec(rest);
  if (m) return line('topicShown', day, seconds, '', m[1]!);
  m = /^Notice\(([^)]+)\)(?: -> \S+)?: (.*)$/s.exec(rest);
  if (m) return line('notice', day, seconds, stripModePrefix(m[1]!), m[2]!);
  m = /^Mode \S+ \[.*\] by (\S+)$/.exec(rest);
  if (m) return line('mode', day, seconds, m[1]!);
  return line('info', day, seconds, '', rest);
}
