import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A logs directory in the shapes the clients document: a weechat logger file, an irssi log (day
 * lines, one missing, a line in cp1252 among UTF-8 ones, a line that is no log line), ZNC's log
 * module (a folder per channel, a file per day), a `[HH:MM] <nick>` log, and an irssi query log
 * (a private conversation, not a channel). Written in their time zone, Europe/Berlin.
 */
export const ZONE = 'Europe/Berlin';

const WEECHAT = [
  '2024-01-31 09:59:00\t-->\talice (~alice@host.example) has joined #pchat',
  '2024-01-31 10:00:00\t--\tTopic for #pchat is "old topic"',
  '2024-01-31 10:00:05\t@alice\thello from weechat',
  '2024-01-31 10:00:06\t *\talice waves',
  '2024-01-31 10:00:07\t--\talice is now known as alice|away',
  '2024-01-31 10:00:08\talice|away\tbrb',
  '2024-01-31 10:00:09\t--\talice|away has changed topic for #pchat from "old topic" to "Release 2.0 on Friday"',
  '2024-01-31 10:00:10\t--\tNotice(bob) -> #pchat: the build is green',
  '2024-01-31 10:00:11\t<--\tbob (~bob@host.example) has quit (Quit: bye)',
  '2024-01-31 10:00:12\t+carol\tGrüße aus Köln',
];

/** The irssi log's lines; line 11 is written in cp1252. */
const IRSSI: (string | Buffer)[] = [
  '--- Log opened Tue Jan 30 23:50:00 2024',
  '23:50 -!- dave [~dave@host.example] has joined #ops',
  '23:58 < dave> late night deploy',
  '--- Day changed Wed Jan 31 2024',
  "00:01 <@erin> ok, it's the 31st",
  '23:59 < dave> still the 31st',
  '00:01 < dave> past midnight, and the day line is missing',
  '00:02 -!- erin changed the topic of #ops to: deploys only',
  '00:03  * dave stretches',
  '00:04 -erin:#ops- maintenance at noon',
  Buffer.concat([Buffer.from('00:05 < dave> caf'), Buffer.from([0xe9]), Buffer.from(' cr'), Buffer.from([0xe8]), Buffer.from('me \u0080', 'latin1')]),
  '00:06 < erin> naïve café',
  'this line is not a log line',
  '--- Log closed Thu Feb 01 00:10:00 2024',
];

const ZNC = [
  '[10:00:00] *** Joins: frank (~frank@host.example)',
  '[10:00:01] <frank> hi from znc',
  '[10:00:02] * frank dances',
  '[10:00:03] *** frank is now known as frank_',
  '[10:00:04] <frank_> still me',
  "[10:00:05] *** frank_ changes topic to 'Latest topic from ZNC'",
  '[10:00:06] -bob- notice via znc',
  '[10:00:07] *** Parts: frank_ (~frank@host.example) (later)',
];

const BRACKET = ['[09:15] <grace> plain bracket log', '[09:16] * grace has joined #random', '[09:17] <grace> \x02bold\x02 and \x0304red\x03 bye'];

const QUERY = ['--- Log opened Wed Jan 31 10:00:00 2024', '10:00 < bob> a private word'];

export function writeLogs(dir: string): void {
  const put = (path: string, lines: readonly (string | Buffer)[]) => {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l, 'utf8') : l, Buffer.from('\n')])));
  };
  put('weechat/irc.libera.#pchat.weechatlog', WEECHAT);
  put('irssi/libera/#ops.log', IRSSI);
  put('znc/libera/#pchat/2024-02-01.log', ZNC);
  put('other/#random_20240202.log', BRACKET);
  put('irssi/libera/bob.log', QUERY);
}

/** What the fixture holds, as the source must read it. */
export const EXPECTED = {
  /** Authors by their first nick: a nick taken with a nick change stays its taker's. */
  messagesBy: { alice: 3, bob: 2, carol: 1, dave: 5, erin: 3, frank: 3, grace: 2 } as Record<string, number>,
  messages: 19,
  rooms: { 'libera/#pchat': 'Latest topic from ZNC', 'libera/#ops': 'deploys only', 'other/#random': '' } as Record<string, string>,
};
