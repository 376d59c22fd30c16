import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBracket } from '../../../src/interchange/sources/irclogs/bracket.js';
import { ZoneClock } from '../../../src/interchange/sources/irclogs/clock.js';
import { LineDecoder } from '../../../src/interchange/sources/irclogs/decode.js';
import { dayNumber } from '../../../src/interchange/sources/irclogs/events.js';
import { detectFormat, logName } from '../../../src/interchange/sources/irclogs/formats.js';
import { parseIrssi } from '../../../src/interchange/sources/irclogs/irssi.js';
import { parseWeechat } from '../../../src/interchange/sources/irclogs/weechat.js';

// Issue 18, point 1: each client's lines, as its documentation and default theme write them.

const day = dayNumber(2024, 1, 31);
const pick = (p: ReturnType<typeof parseWeechat>) => p && { kind: p.kind, nick: p.nick, text: p.text, other: p.other, seconds: p.seconds, day: p.day };

describe('IRC log line parsers', () => {
  it('weechat: messages with the nick mode, actions, joins, parts, quits, kicks, nick changes, topics, notices, modes', () => {
    const at = (rest: string) => pick(parseWeechat(`2024-01-31 10:00:05\t${rest}`));
    const s = 10 * 3600 + 5;
    assert.deepEqual(at('@alice\thello\tthere'), { kind: 'message', nick: 'alice', text: 'hello\tthere', other: '', seconds: s, day });
    assert.deepEqual(at(' *\talice waves'), { kind: 'action', nick: 'alice', text: 'waves', other: '', seconds: s, day });
    assert.equal(at('-->\tbob (~bob@h) has joined #c')?.kind, 'join');
    assert.equal(at('<--\tbob (~bob@h) has left #c (bye)')?.kind, 'part');
    assert.equal(at('<--\tbob (~bob@h) has quit (Ping timeout)')?.kind, 'quit');
    assert.deepEqual(at('<--\top has kicked bob (spam)'), { kind: 'kick', nick: 'bob', text: '', other: 'op', seconds: s, day });
    assert.deepEqual(at('--\talice is now known as alice_'), { kind: 'nick', nick: 'alice', text: '', other: 'alice_', seconds: s, day });
    assert.equal(at('--\talice has changed topic for #c from "a" to "b \\"c\\""')?.text, 'b \\"c\\"');
    assert.equal(at('--\talice has changed topic for #c to "first"')?.text, 'first');
    assert.deepEqual(at('--\talice has unset topic for #c'), { kind: 'topic', nick: 'alice', text: '', other: '', seconds: s, day });
    assert.deepEqual(at('--\tTopic for #c is "shown on join"'), { kind: 'topicShown', nick: '', text: 'shown on join', other: '', seconds: s, day }, 'shown, not changed');
    assert.deepEqual(at('--\tNotice(bob) -> #c: hi all'), { kind: 'notice', nick: 'bob', text: 'hi all', other: '', seconds: s, day });
    assert.equal(at('--\tMode #c [+o bob] by alice')?.kind, 'mode');
    assert.equal(at('--\tTopic set by alice on Wed, 31 Jan 2024')?.kind, 'info');
    assert.equal(parseWeechat('10:00 <alice> not weechat'), null);
    assert.equal(parseWeechat('2024-02-30 10:00:00\talice\tno such day'), null);
  });

  it('irssi: day lines, < nick> with its mode, actions, notices and the -!- events', () => {
    assert.deepEqual(pick(parseIrssi('--- Day changed Wed Jan 31 2024')), { kind: 'day', nick: '', text: 'Day changed', other: '', seconds: -1, day });
    assert.equal(parseIrssi('--- Log opened Wed Jan 31 23:50:00 2024')?.day, day);
    assert.equal(parseIrssi('--- Log closed Wed Jan 31 23:59:00 2024')?.kind, 'info');
    assert.deepEqual(pick(parseIrssi('10:00 < alice> hi')), { kind: 'message', nick: 'alice', text: 'hi', other: '', seconds: 36000, day: -1 });
    assert.equal(parseIrssi('10:00 <@alice> hi')?.nick, 'alice');
    assert.equal(parseIrssi('10:00:30 <+bob> with seconds')?.seconds, 36030);
    assert.deepEqual(pick(parseIrssi('10:00  * alice waves')), { kind: 'action', nick: 'alice', text: 'waves', other: '', seconds: 36000, day: -1 });
    assert.deepEqual(pick(parseIrssi('10:00 -bob:#c- hear ye')), { kind: 'notice', nick: 'bob', text: 'hear ye', other: '', seconds: 36000, day: -1 });
    assert.equal(parseIrssi('10:00 -!- bob [~b@h] has joined #c')?.kind, 'join');
    assert.equal(parseIrssi('10:00 -!- bob [~b@h] has left #c [bye]')?.kind, 'part');
    assert.equal(parseIrssi('10:00 -!- bob [~b@h] has quit [Quit: bye]')?.kind, 'quit');
    assert.equal(parseIrssi('10:00 -!- bob was kicked from #c by op [spam]')?.other, 'op');
    assert.equal(parseIrssi('10:00 -!- alice is now known as alice_')?.other, 'alice_');
    assert.equal(parseIrssi('10:00 -!- alice changed the topic of #c to: a new topic')?.text, 'a new topic');
    assert.equal(parseIrssi('10:00 -!- Topic unset by alice on #c')?.text, '');
    assert.deepEqual(pick(parseIrssi('10:00 -!- Topic for #c: shown on join')), { kind: 'topicShown', nick: '', text: 'shown on join', other: '', seconds: 36000, day: -1 }, 'shown, not changed');
    assert.equal(parseIrssi('10:00 -!- mode/#c [+o bob] by alice')?.kind, 'mode');
    assert.equal(parseIrssi('10:00 -!- Irssi: Join to #c was synced in 1 secs')?.kind, 'info');
    assert.equal(parseIrssi('25:00 < alice> no such time'), null);
    assert.equal(parseIrssi('hello'), null);
  });

  it('ZNC and the [HH:MM] family: messages, actions, notices, ZNC and mIRC-style events, dated stamps', () => {
    assert.deepEqual(pick(parseBracket('[10:00:01] <frank> hi')), { kind: 'message', nick: 'frank', text: 'hi', other: '', seconds: 36001, day: -1 });
    assert.equal(parseBracket('[10:00] <@frank> hi')?.nick, 'frank');
    assert.deepEqual(pick(parseBracket('[10:00] * frank dances')), { kind: 'action', nick: 'frank', text: 'dances', other: '', seconds: 36000, day: -1 });
    assert.equal(parseBracket('[10:00:00] *** Joins: frank (~f@h)')?.kind, 'join');
    assert.equal(parseBracket('[10:00:00] *** Parts: frank (~f@h) (bye)')?.kind, 'part');
    assert.equal(parseBracket('[10:00:00] *** Quits: frank (~f@h) (Quit: bye)')?.kind, 'quit');
    assert.equal(parseBracket('[10:00:00] *** frank is now known as frank_')?.other, 'frank_');
    assert.equal(parseBracket("[10:00:00] *** frank changes topic to 'it''s new'")?.text, "it''s new");
    assert.equal(parseBracket('[10:00:00] *** bob was kicked by op (spam)')?.other, 'op');
    assert.equal(parseBracket('[10:00:00] *** op sets mode: +o frank')?.kind, 'mode');
    assert.equal(parseBracket('[10:00:00] -bob- a notice')?.kind, 'notice');
    assert.equal(parseBracket('[10:00] * grace has joined #random')?.kind, 'join');
    assert.equal(parseBracket('[10:00] * grace is now known as gracie')?.kind, 'nick');
    assert.equal(parseBracket('[2024-01-31 10:00:00] <frank> dated')?.day, day);
    assert.equal(parseBracket('<frank> no stamp'), null);
  });

  it('tells each file\'s format from its lines, and channel, network and day from its path', () => {
    assert.equal(detectFormat(['2024-01-31 10:00:05\talice\thi', '2024-01-31 10:00:06\tbob\tho'], 'irc.libera.#c.weechatlog'), 'weechat');
    assert.equal(detectFormat(['--- Log opened Wed Jan 31 10:00:00 2024', '10:00 < alice> hi'], '#c.log'), 'irssi');
    assert.equal(detectFormat(['[10:00:00] <alice> hi', '[10:00:01] *** Joins: bob (~b@h)'], 'libera/#c/2024-01-31.log'), 'znc');
    assert.equal(detectFormat(['[10:00] <alice> hi'], '#c.log'), 'bracket');
    assert.equal(detectFormat(['just prose', 'more prose'], 'notes.txt'), null);
    assert.deepEqual(logName('irc.libera.#pchat.weechatlog'), { channel: '#pchat', network: 'libera', day: -1 });
    assert.deepEqual(logName('alice/libera/#pchat/2024-01-31.log'), { channel: '#pchat', network: 'libera', day });
    assert.deepEqual(logName('libera_#pchat_20240131.log'), { channel: '#pchat', network: 'libera', day });
    assert.deepEqual(logName('libera/#ops.2024-01-31.log'), { channel: '#ops', network: 'libera', day });
    assert.deepEqual(logName('#ops.log'), { channel: '#ops', network: '', day: -1 });
    assert.equal(logName('libera/bob.log').channel, 'bob');
  });

  it('decodes each line as UTF-8 and, alone, in the legacy encoding when it is not', () => {
    const d = new LineDecoder('cp1252');
    assert.equal(d.line(Buffer.from('naïve')), 'naïve');
    assert.equal(d.line(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80])), 'café €');
    assert.equal(d.legacyLines, 1);
    // Windows-1252's own characters at 0x80–0x9F (not C1 controls), whichever label names it.
    assert.equal(new LineDecoder('latin1').line(Buffer.from([0x80, 0x8a, 0x93, 0x94, 0x96, 0x99, 0x9f, 0xe4])), '€Š“”–™Ÿä');
    assert.equal(new LineDecoder('koi8-r').line(Buffer.from([0xf0, 0xd2, 0xc9])), 'При');
    assert.throws(() => new LineDecoder('no-such-encoding'), /--log-encoding: "no-such-encoding"/);
  });

  it('places wall times in the log\'s time zone, across summer time', () => {
    const berlin = new ZoneClock('Europe/Berlin');
    assert.equal(new Date(berlin.utc(day, 10 * 3600)).toISOString(), '2024-01-31T09:00:00.000Z');
    assert.equal(new Date(berlin.utc(dayNumber(2024, 7, 1), 10 * 3600)).toISOString(), '2024-07-01T08:00:00.000Z');
    // 31 March 2024: 02:00 → 03:00 in Berlin; 03:30 is already summer time.
    assert.equal(new Date(berlin.utc(dayNumber(2024, 3, 31), 3 * 3600 + 1800)).toISOString(), '2024-03-31T01:30:00.000Z');
    assert.equal(new Date(new ZoneClock('America/New_York').utc(day, 0)).toISOString(), '2024-01-31T05:00:00.000Z');
    assert.equal(new ZoneClock('UTC').utc(day, 61), Date.UTC(2024, 0, 31, 0, 1, 1));
    assert.throws(() => new ZoneClock('Mars/Olympus'), /--log-timezone: "Mars\/Olympus" is not a time zone/);
  });
});
