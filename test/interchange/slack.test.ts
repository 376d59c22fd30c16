import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MessageRecord, NoteRecord } from '../../src/interchange/archive/records.js';
import { directOptions } from '../../src/interchange/sources/direct.js';
import { emojiOf } from '../../src/interchange/sources/emoji.js';
import { slackSource } from '../../src/interchange/sources/slack/source.js';
import { slackText } from '../../src/interchange/sources/slack/text.js';
import { SLACK_FILES, ts, writeSlackExport, writeSlackZip } from './slackFixture.js';
import { all, notesByCode } from '../helpers/records.js';

// Issue 18, point 1 (slack:<export>) and the awkward cases of point 5, on exports made here in
// the shape Slack documents: the records the source produces, each checked by the archive's schema.

const work = mkdtempSync(join(tmpdir(), 'pchat-slack-'));
after(() => rmSync(work, { recursive: true, force: true }));

const byText = (messages: MessageRecord[], text: string) => {
  const m = messages.find((x) => x.text === text);
  assert.ok(m, `no message "${text}" in ${JSON.stringify(messages.map((x) => x.text))}`);
  return m;
};
const codes = (notes: NoteRecord[]) => notes.map((n) => n.code);

describe('the slack source', () => {
  const dir = writeSlackExport(join(work, 'export'));

  it('reads users, channels and messages with threads, edits, reactions, bots, files and subtypes', async () => {
    const source = await slackSource(dir);
    try {
      assert.deepEqual(source.description, { system: 'slack', version: 'export', instance: 'T0TEAM' });
      const users = await all(source, 'users');
      const user = (id: string) => users.find((u) => u.id === id)!;
      assert.deepEqual(users.map((u) => [u.id, u.login, u.disabled]), [['U1', 'alice', false], ['U2', 'bob', false], ['U3', 'carol', true], ['U4', 'dave', false], ['UB1', 'deploybot', true], ['B2', 'ci-bot', true], ['USLACKBOT', 'slackbot', true]]);
      assert.equal(user('U1').email, 'alice@example.com');
      assert.equal(user('U1').displayName, 'ALICE');
      const [category] = await all(source, 'categories');
      assert.equal(category!.name, 'Slack');
      assert.deepEqual(category!.allowed.map((p) => p.id), ['U1', 'U2'], 'neither the guest, the deactivated account nor bots');
      const rooms = await all(source, 'rooms');
      assert.deepEqual(rooms.map((r) => [r.id, r.name, r.privacy, r.disabled, r.members.map((m) => m.id)]), [
        ['C1', 'general', 'open', false, []],
        ['C2', 'random', 'open', false, []],
        ['C3', 'old-stuff', 'open', true, []],
        ['G1', 'secret-plans', 'secret', false, ['U1', 'U2']],
      ]);
      assert.equal(rooms[0]!.description, 'All things & more', 'the topic first, unescaped');
      assert.equal(rooms[1]!.description, 'Anything goes', 'purpose when there is no topic');

      const messages = await all(source, 'messages');
      const general = messages.filter((m) => m.room === 'C1');
      assert.deepEqual(general.map((m) => m.seq), general.map((_, i) => i + 1), 'seq counts the room\'s messages in time order');
      const hello = byText(general, 'Hello @bob, see #random, the site (https://example.com) & https://x.org <3 @here');
      assert.equal(hello.id, `C1/${ts(20)}`);
      assert.equal(hello.at, '2021-03-01T00:00:20.000Z');
      assert.deepEqual(hello.reactions, [{ emoji: '👍', users: ['U2', 'U3'] }, { emoji: ':partyparrot:', users: ['U1'] }], 'thumbsup and +1 are one emoji; U9 is nobody');
      const orphan = byText(general, 'answering something older');
      assert.equal(orphan.replyTo, undefined, 'its parent is outside the export: a plain message');
      assert.equal(byText(general, 'and is answered').replyTo, `C1/${ts(40)}`);
      assert.equal(byText(general, 'a thread starts').replyTo, undefined);
      const edited = byText(general, 'fixed text');
      assert.equal(edited.editedAt, '2021-03-01T00:01:30.000Z');
      assert.equal(byText(general, 'Deployed v1.2').author, 'UB1', 'the bot user that posts as B1');
      assert.equal(byText(general, 'build green').author, 'B2', 'a user made for an integration');
      assert.equal(byText(general, 'the report\n[file: report.pdf]').author, 'U1');
      const unknown = byText(general, 'something new');
      assert.equal(unknown.kind, 'notice');
      assert.equal(byText(general, '/me waves').author, 'U2');
      assert.equal(byText(general, 'from a deactivated account').author, 'U3');
      assert.equal(byText(general, 'Reminder: stand-up').author, 'USLACKBOT');
      assert.ok(!general.some((m) => /joined|topic|renamed/.test(m.text)), 'events are not messages');
      assert.equal(byText(general, 'day two').seq, general.length);
      assert.deepEqual(messages.filter((m) => m.room === 'G1').map((m) => m.text), ['the plan', 'a guest speaks']);
      assert.ok(!messages.some((m) => m.text === 'hi bob' || m.text === 'hi both'), 'direct messages are skipped by default');

      const notes = await all(source, 'notes');
      const note = notesByCode(notes);
      assert.match(note('slack_events_counted')[0]!, /^general: 1 join, 1 topic change, 1 rename; not imported/);
      assert.deepEqual(note('slack_subtype_unknown'), [
        '1 message of subtype "weird_new_thing", which pchat does not know: imported as notices with their text',
        '1 message of subtype "weird_new_thing", which pchat does not know, with no text or file: not imported',
      ]);
      assert.match(note('slack_thread_parent_missing')[0]!, /^1 thread reply answers a message that is not in the export/);
      assert.match(note('slack_edited')[0]!, /^1 message was edited/);
      assert.deepEqual(byText(general, 'pin me').reactions, [{ emoji: emojiOf('eyes'), users: ['USLACKBOT'] }], 'Slackbot is an author, met after it reacted');
      assert.match(note('slack_reactions')[0]!, /^4 reactions imported/, 'every reaction the messages carry, Slackbot\'s included');
      assert.match(note('slack_reactions_dropped')[0]!, /^1 reaction by users the export does not list/, 'U9 only: bob\'s +1 beside his thumbsup is the same reaction, not one left out');
      assert.match(note('slack_pins_counted')[0]!, /^1 message was pinned/);
      assert.match(note('slack_direct_skipped')[0]!, /^2 direct conversations \(2 messages\) not imported/);
      assert.match(note('slack_guest_left_out')[0]!, /"dave" is a Slack guest/);
      assert.match(note('slack_deleted_users')[0]!, /^1 deactivated Slack account is kept as disabled users/);
      assert.match(note('slack_channel_archived')[0]!, /^1 archived channel is imported as disabled rooms/);
      const file = notes.find((n) => n.code === 'slack_file_reference')!;
      assert.equal(file.severity, 'file');
      assert.deepEqual(file.item, { type: 'message', id: `C1/${ts(100)}`, name: 'report.pdf' });
      assert.match(file.message, /general on 2021-03-01: "report\.pdf", 1234 bytes, posted by alice.*https:\/\/files\.slack\.com\/files-pri\/T0TEAM-F1\/download\/report\.pdf/);
      assert.ok(codes(notes).includes('slack_bot_user') && codes(notes).includes('slack_user_unknown'));

      // A second pass converts alike (verify reads what export wrote).
      assert.deepEqual(await all(source, 'messages'), messages);
    } finally {
      await source.close();
    }
  });

  it('imports direct conversations as secret rooms of their participants only when asked, in the named category', async () => {
    assert.throws(() => directOptions('as-rooms', undefined), /--direct-messages as-rooms needs --direct-category <name>/);
    assert.throws(() => directOptions(undefined, 'DMs'), /--direct-category applies with --direct-messages as-rooms only/);
    const source = await slackSource(dir, { direct: directOptions('as-rooms', 'Slack DMs') });
    try {
      const categories = await all(source, 'categories');
      assert.deepEqual(categories.map((c) => [c.id, c.name, c.allowed.map((p) => p.id)]), [['slack', 'Slack', ['U1', 'U2']], ['slack-direct', 'Slack DMs', ['U1', 'U2', 'U3']]]);
      const rooms = (await all(source, 'rooms')).filter((r) => r.category === 'slack-direct');
      assert.deepEqual(rooms.map((r) => [r.id, r.name, r.privacy, r.members.map((m) => m.id)]), [['G2', 'alice, bob, carol', 'secret', ['U1', 'U2', 'U3']], ['D1', 'alice, bob', 'secret', ['U1', 'U2']]]);
      const messages = await all(source, 'messages');
      assert.deepEqual(messages.filter((m) => m.room === 'D1' || m.room === 'G2').map((m) => [m.room, m.text]), [['G2', 'hi both'], ['D1', 'hi bob']]);
      assert.ok(!(await all(source, 'notes')).some((n) => n.code === 'slack_direct_skipped'));
    } finally {
      await source.close();
    }
  });

  it('reads the zip Slack gives, also with everything one folder down, and leaves out what is older than the start date', async () => {
    for (const prefix of ['', 'my-export/']) {
      const source = await slackSource(await writeSlackZip(join(work, `export${prefix ? '-nested' : ''}.zip`), prefix), { startDate: new Date('2021-03-02T00:00:00Z') });
      try {
        const messages = await all(source, 'messages');
        assert.deepEqual(messages.map((m) => m.text), ['day two'], prefix);
        assert.match((await all(source, 'notes')).find((n) => n.code === 'older_than_start_date')!.message, /^16 messages older than the start date/, 'day one\'s, without its join, its topic change and its empty post of an unknown subtype (counted as what they are)');
      } finally {
        await source.close();
      }
    }
  });

  it('counts what the start date leaves out as what it is: an old event as an event, an old message by nothing it carries', async () => {
    // Only #random has messages: two old ones that would be imported, carrying an edit, a
    // reaction and a pin; an old join; an old post of an unknown subtype with nothing to show; an
    // old post naming nobody; then one new message. Start: day one, 300 s in.
    const empty = { 'general/2021-03-01.json': [], 'general/2021-03-02.json': [], 'secret-plans/2021-03-01.json': [] };
    const random = [
      { type: 'message', subtype: 'channel_join', ts: ts(100), user: 'U1', text: '<@U1> has joined the channel' },
      { type: 'message', ts: ts(110), user: 'U1', text: 'old and edited', edited: { user: 'U1', ts: ts(115) }, reactions: [{ name: 'eyes', users: ['U2'], count: 1 }], pinned_to: ['C2'] },
      { type: 'message', ts: ts(120), user: 'U2', text: 'old plain' },
      { type: 'message', subtype: 'weird_new_thing', ts: ts(130), user: 'U2', text: '' },
      { type: 'message', ts: ts(140), text: 'old, by nobody' },
      { type: 'message', ts: ts(400), user: 'U2', text: 'new' },
    ];
    const source = await slackSource(writeSlackExport(join(work, 'start-date'), { ...empty, 'random/2021-03-01.json': random }), { startDate: new Date((1614556800 + 300) * 1000) });
    try {
      assert.deepEqual((await all(source, 'messages')).map((m) => m.text), ['new']);
      const notes = await all(source, 'notes');
      const coded = notesByCode(notes);
      assert.deepEqual(coded('older_than_start_date'), ['2 messages older than the start date were left out'], 'only those that would have been imported');
      assert.deepEqual(coded('slack_events_counted'), ['random: 1 join; not imported as messages (the room\'s description is its current topic, else its purpose; its name the current one)']);
      assert.deepEqual(coded('slack_subtype_unknown'), ['1 message of subtype "weird_new_thing", which pchat does not know, with no text or file: not imported']);
      assert.deepEqual(coded('slack_message_without_author'), ['1 message names neither a user nor a bot: not imported']);
      for (const code of ['slack_edited', 'slack_reactions', 'slack_reactions_dropped', 'slack_pins_counted']) assert.deepEqual(coded(code), [], `nothing of a left-out message counted: ${code}`);
    } finally {
      await source.close();
    }
  });

  it('keeps a renamed channel\'s identity: the same room id and message ids under the new name', async () => {
    const renamed = writeSlackExport(join(work, 'renamed'), {
      'channels.json': (SLACK_FILES['channels.json'] as { id: string; name: string }[]).map((c) => (c.id === 'C2' ? { ...c, name: 'watercooler' } : c)),
      'random/2021-03-01.json': null,
      'watercooler/2021-03-01.json': SLACK_FILES['random/2021-03-01.json'],
    });
    const source = await slackSource(renamed);
    try {
      assert.deepEqual((await all(source, 'rooms')).filter((r) => r.id === 'C2').map((r) => r.name), ['watercooler']);
      assert.deepEqual((await all(source, 'messages')).filter((m) => m.room === 'C2').map((m) => m.id), [`C2/${ts(200)}`]);
      assert.ok(!(await all(source, 'notes')).some((n) => n.code === 'slack_folder_unknown'));
    } finally {
      await source.close();
    }
  });

  it('names the file of a bad export: a day file that is not JSON, a missing users.json, a message without ts', async () => {
    const bad = writeSlackExport(join(work, 'bad-json'), { 'random/2021-03-01.json': '[{"type": "message", "ts": ' });
    await assert.rejects(async () => {
      const source = await slackSource(bad);
      await source.close();
    }, /slack: random\/2021-03-01\.json in .*bad-json is not valid JSON/);
    const noUsers = writeSlackExport(join(work, 'no-users'), { 'users.json': null });
    await assert.rejects(slackSource(noUsers), /no-users holds no users\.json \(nor org_users\.json\): it is not a Slack workspace export/);
    const noTs = writeSlackExport(join(work, 'no-ts'), { 'random/2021-03-01.json': [{ type: 'message', user: 'U1', text: 'when?' }] });
    await assert.rejects(slackSource(noTs), /random\/2021-03-01\.json in .*no-ts, message 1: not a message object with a "ts" timestamp/);
    const notArray = join(work, 'not-array');
    writeSlackExport(notArray);
    writeFileSync(join(notArray, 'channels.json'), '{"id": "C1"}');
    await assert.rejects(slackSource(notArray), /channels\.json in .*not-array is not a JSON array/);
  });

  it('converts Slack\'s markup and emoji names', () => {
    const names = { user: (id: string) => ({ U1: 'alice' })[id] ?? null, channel: (id: string) => ({ C9: 'ops' })[id] ?? null };
    assert.equal(slackText('<@U1> <@U7|zed> <#C9> <#C8|dev> <!channel> <!subteam^S1|@oncall> <!date^1392734382^{date}|Feb 18> <mailto:a@b.c|a@b.c> <https://a.b/c?d=1&amp;e=2|docs>', names), '@alice @zed #ops #dev @channel @oncall Feb 18 a@b.c docs (https://a.b/c?d=1&e=2)');
    assert.equal(slackText('1 &lt; 2 &amp;&amp; 3 &gt; 2 <not a link', names), '1 < 2 && 3 > 2 <not a link');
    assert.equal(emojiOf('white_check_mark'), '✅');
    assert.equal(emojiOf('+1::skin-tone-3'), '👍\u{1F3FC}');
    assert.equal(emojiOf('custom emoji'), ':custom_emoji:');
  });
});
