import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ircLogsSource } from '../../../src/interchange/sources/irclogs/source.js';
import { EXPECTED, writeLogs, ZONE } from './fixture.js';
import { all, notesByCode } from '../../helpers/records.js';

// Issue 18, point 1: an irc-logs:<dir> source on generated logs of weechat, irssi, ZNC and the
// [HH:MM] family, with a mixed encoding, a missing day line, nick changes and topics.

describe('the irc-logs source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-irclogs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeLogs(dir);

  it('reads each client\'s log into rooms, people and messages, in the logs\' time zone', async () => {
    const source = await ircLogsSource(dir, { timezone: ZONE });
    assert.equal(source.description.system, 'irc-logs');
    const users = await all(source, 'users');
    assert.deepEqual(users.map((u) => u.login).sort(), Object.keys(EXPECTED.messagesBy).sort(), 'one user per person who wrote; frank_ and alice|away are their takers');
    const rooms = await all(source, 'rooms');
    assert.deepEqual(Object.fromEntries(rooms.map((r) => [r.id, r.description])), EXPECTED.rooms, 'a room per channel (weechat and ZNC logs of libera/#pchat are one), the latest topic its description');
    assert.deepEqual(rooms.map((r) => r.name).sort(), ['ops', 'pchat', 'random']);
    assert.ok(rooms.every((r) => r.privacy === 'open' && r.category === 'irc'));
    const [category] = await all(source, 'categories');
    assert.equal(category!.name, 'IRC');
    assert.equal(category!.allowed.length, users.length, 'the category allows every author');

    const messages = await all(source, 'messages');
    assert.equal(messages.length, EXPECTED.messages);
    const by = (author: string) => messages.filter((m) => m.author === author).length;
    for (const [nick, n] of Object.entries(EXPECTED.messagesBy)) assert.equal(by(nick), n, `${nick}'s messages`);
    const text = (t: string) => messages.find((m) => m.text === t);
    assert.equal(text('brb')!.author, 'alice', 'alice|away, after a nick change, is still alice');
    assert.equal(text('still me')!.author, 'frank');
    assert.equal(text('/me waves')!.kind, 'text', 'an action is a message written "/me …"');
    assert.equal(text('the build is green')!.kind, 'notice');
    assert.equal(text('notice via znc')!.kind, 'notice');
    assert.equal(text('café crème €')!.author, 'dave', 'the cp1252 line decoded alone');
    assert.ok(text('naïve café'), 'the UTF-8 lines around it stay UTF-8');
    assert.ok(text('bold and red bye'), 'mIRC formatting removed');
    assert.ok(!messages.some((m) => m.text.includes('private word')), 'a query log is not a channel');
    // Times: weechat's full stamps, irssi's day lines, ZNC's file name, in Europe/Berlin (UTC+1 in winter).
    assert.equal(text('hello from weechat')!.at, '2024-01-31T09:00:05.000Z');
    assert.equal(text('late night deploy')!.at, '2024-01-30T22:58:00.000Z');
    assert.equal(text("ok, it's the 31st")!.at, '2024-01-30T23:01:00.000Z');
    assert.equal(text('past midnight, and the day line is missing')!.at, '2024-01-31T23:01:00.000Z', 'the time went back: the next day');
    assert.equal(text('hi from znc')!.at, '2024-02-01T09:00:01.000Z');
    assert.equal(text('plain bracket log')!.at, '2024-02-02T08:15:00.000Z');
    // Ids are file and line; seqs ascend per room; the rooms come one after another.
    assert.equal(text('hello from weechat')!.id, 'weechat/irc.libera.#pchat.weechatlog:3');
    assert.equal(text('past midnight, and the day line is missing')!.id, 'irssi/libera/#ops.log:7');
    const pchatRoom = messages.filter((m) => m.room === 'libera/#pchat');
    assert.deepEqual(pchatRoom.map((m) => m.seq), pchatRoom.map((_, i) => i + 1));
    assert.equal(pchatRoom.at(-1)!.text, 'notice via znc', 'the ZNC day file after the undated weechat log');

    const notes = await all(source, 'notes');
    const coded = notesByCode(notes);
    assert.deepEqual(coded('irc_line_unparsed'), ['irssi/libera/#ops.log line 13: not a line of its log format, not imported: "this line is not a log line"']);
    assert.deepEqual(coded('irc_day_inferred'), ['irssi/libera/#ops.log line 7: the time goes back with no day-change line; taken as the next day']);
    assert.ok(coded('irc_legacy_encoding').includes('1 line in all decoded as cp1252'));
    assert.ok(coded('irc_legacy_encoding').includes('irssi/libera/#ops.log: 1 line was not UTF-8 and was decoded as cp1252'));
    assert.deepEqual(coded('irc_buffer_skipped'), ['irssi/libera/bob.log logs "bob", which is not a channel (a private conversation or a server buffer): not imported']);
    assert.ok(coded('irc_action').some((m) => m.startsWith('3 actions (/me)')));
    const pchatEvents = coded('irc_events_counted').find((m) => m.startsWith('#pchat'));
    assert.equal(pchatEvents, '#pchat (libera): 2 joins, 1 topic shown, 2 nick changes, 2 topic changes, 1 quit, 1 part; not imported as messages (the latest topic is the room\'s description)');
    await source.close();
  });

  it('gives the same records on every read and every open (ids from file and line)', async () => {
    const a = await ircLogsSource(dir, { timezone: ZONE });
    const b = await ircLogsSource(dir, { timezone: ZONE });
    assert.deepEqual(await all(a, 'messages'), await all(b, 'messages'));
    assert.deepEqual(await all(a, 'messages'), await all(a, 'messages'));
  });

  it('takes options: one format for every file, a category, a privacy, a start date; refuses a bad zone or encoding', async () => {
    const irssiOnly = await ircLogsSource(dir, { format: 'irssi', category: 'Old IRC', privacy: 'closed', startDate: new Date('2024-01-31T00:00:00Z') });
    const notes = await all(irssiOnly, 'notes');
    assert.ok(notes.some((n) => n.code === 'irc_line_unparsed' && n.message.startsWith('weechat/irc.libera.#pchat.weechatlog line 1:')), 'a weechat file read as irssi: every line reported');
    assert.equal((await all(irssiOnly, 'categories'))[0]!.name, 'Old IRC');
    assert.ok((await all(irssiOnly, 'rooms')).every((r) => r.privacy === 'closed'));
    assert.ok(notes.some((n) => n.code === 'older_than_start_date'));
    assert.ok((await all(irssiOnly, 'messages')).every((m) => m.at >= '2024-01-31T00:00:00.000Z'));
    await assert.rejects(ircLogsSource(dir, { timezone: 'Nowhere/Else' }), /--log-timezone/);
    await assert.rejects(ircLogsSource(dir, { encoding: 'bogus-1' }), /--log-encoding/);
    await assert.rejects(ircLogsSource(join(dir, 'missing')), /irc-logs: cannot read the directory/);
  });
});
