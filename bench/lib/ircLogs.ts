// A generated IRC logs directory for the irc-logs benchmark: channels logged by weechat (one
// file per channel), irssi (one file per channel, day lines) and ZNC (a folder per channel, a
// file per day), in their documented shapes, with about one line in ten an event (join, part,
// quit, nick change, topic) and one line in a thousand in cp1252.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rng, vocabulary } from './words.js';

const DAY_MS = 86_400_000;
const START = Date.UTC(2020, 0, 1);
const FORMATS = ['weechat', 'irssi', 'znc'] as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => String(n).padStart(2, '0');
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const irssiDay = (ms: number) => {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${d.getUTCFullYear()}`;
};

export interface GeneratedLogs {
  readonly lines: number;
  readonly messages: number;
  readonly channels: number;
  readonly nicks: number;
}

/** Writes `lines` log lines over `channels` channels under `dir`; returns what it wrote. */
export async function writeBenchLogs(dir: string, lines: number, { channels = 30, nicks = 400 } = {}): Promise<GeneratedLogs> {
  const random = rng(7);
  const vocab = vocabulary(4000, random);
  const nick = (i: number) => `user${i}`;
  let messages = 0;
  const perChannel = Math.ceil(lines / channels);
  let written = 0;
  for (let c = 0; c < channels && written < lines; c++) {
    const format = FORMATS[c % FORMATS.length]!;
    const channel = `#chan${c}`;
    const count = Math.min(perChannel, lines - written);
    // About 2,000 lines a day: a channel's lines spread over count / 2000 days.
    let at = START;
    let day = -1;
    let out: ReturnType<typeof createWriteStream> | null = null;
    let buffer = '';
    const flush = async (end = false) => {
      if (!out) return;
      if (buffer) {
        const ok = out.write(buffer);
        buffer = '';
        if (!ok) await new Promise<void>((r) => out!.once('drain', () => r()));
      }
      if (end) await new Promise<void>((r) => out!.end(() => r()));
    };
    const open = async (path: string) => {
      await flush(true);
      mkdirSync(join(path, '..'), { recursive: true });
      out = createWriteStream(path);
    };
    if (format === 'weechat') await open(join(dir, 'weechat', `irc.benchnet.${channel}.weechatlog`));
    if (format === 'irssi') await open(join(dir, 'irssi', 'benchnet', `${channel}.log`));
    for (let i = 0; i < count; i++) {
      at += Math.floor(random() * 86_000) + 1000;
      const today = Math.floor(at / DAY_MS);
      if (today !== day) {
        day = today;
        if (format === 'znc') await open(join(dir, 'znc', 'benchnet', channel, `${isoDay(at)}.log`));
        if (format === 'irssi') buffer += i === 0 ? `--- Log opened ${irssiDay(at)} 00:00:00\n` : `--- Day changed ${irssiDay(at)}\n`;
      }
      const d = new Date(at);
      const hms = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
      const who = nick(Math.floor(random() * nicks));
      const event = random() < 0.1;
      let text = '';
      if (!event) {
        const n = 3 + Math.floor(random() * 12);
        const parts: string[] = [];
        for (let w = 0; w < n; w++) parts.push(vocab.words[vocab.draw()]!);
        text = parts.join(' ');
        messages += 1;
      }
      if (format === 'weechat') buffer += event ? `${isoDay(at)} ${hms}\t-->\t${who} (~${who}@host.example) has joined ${channel}\n` : `${isoDay(at)} ${hms}\t${who}\t${text}\n`;
      else if (format === 'irssi') buffer += event ? `${hms} -!- ${who} [~${who}@host.example] has quit [Quit: bye]\n` : `${hms} < ${who}> ${text}\n`;
      else buffer += event ? `[${hms}] *** ${who} changes topic to 'topic ${i}'\n` : `[${hms}] <${who}> ${text}\n`;
      if (i % 1000 === 999) {
        // One line in a thousand written by a cp1252 client: é is one byte 0xE9.
        await flush();
        out!.write(Buffer.from(`[${hms}] <${who}> caf\u00e9 legacy\n`.replace(/^\[(\S+)\] <(\S+)>/, format === 'weechat' ? `${isoDay(at)} $1\t$2\t` : format === 'irssi' ? '$1 < $2>' : '[$1] <$2>'), 'latin1'));
        messages += 1;
        i += 1;
      }
      if (buffer.length > 1 << 20) await flush();
    }
    await flush(true);
    written += count;
  }
  return { lines: written, messages, channels, nicks };
}
