import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { directOptions } from '../../src/interchange/sources/direct.js';
import { mattermostSource } from '../../src/interchange/sources/mattermost/source.js';
import { ATTACHMENTS, MATTERMOST_LINES, T, writeMattermostJsonl, writeMattermostZip } from './mattermostFixture.js';
import { all, notesByCode } from '../helpers/records.js';

// Issue 18, point 2 (mattermost:<export>) and the awkward cases of point 5, on bulk exports made
// here in the shape Mattermost documents: the records, each checked by the archive's schema, and
// the attachments' bytes the source hands to export.

const work = mkdtempSync(join(tmpdir(), 'pchat-mattermost-'));
after(() => rmSync(work, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the mattermost source', () => {
  it('reads teams as categories, channels, users and each room\'s posts and replies in time order, with files, edits and reactions', async () => {
    const source = await mattermostSource(await writeMattermostZip(join(work, 'export.zip')));
    try {
      assert.deepEqual(source.description, { system: 'mattermost', version: 'bulk-1', instance: '' });
      const users = await all(source, 'users');
      assert.deepEqual(users.map((u) => [u.id, u.login, u.displayName, u.email, u.disabled]), [
        ['alice', 'alice', 'Alice Smith', 'alice@example.com', false],
        ['bob', 'bob', 'Bobby', 'bob@example.com', false],
        ['carol', 'carol', 'carol', 'carol@example.com', true],
        ['ci', 'ci', 'CI', null, true],
        ['zed', 'zed', 'zed', null, true],
      ]);
      assert.deepEqual((await all(source, 'categories')).map((c) => [c.id, c.name, c.description, c.allowed.map((p) => p.id)]), [['team:eng', 'Engineering', 'Builders', ['alice', 'bob']], ['team:ops', 'Operations', '', ['alice']]]);
      assert.deepEqual((await all(source, 'rooms')).map((r) => [r.id, r.name, r.category, r.privacy, r.description, r.members.map((m) => m.id), r.createdAt]), [
        ['eng/town-square', 'Town Square (Engineering)', 'team:eng', 'open', 'Everyone', [], iso(T + 1000)],
        ['ops/town-square', 'Town Square (Operations)', 'team:ops', 'open', '', [], iso(T + 100)],
        ['eng/secret', 'Secret', 'team:eng', 'secret', 'hush', ['alice', 'bob'], iso(T + 5000)],
      ]);
      const messages = await all(source, 'messages');
      const town = messages.filter((m) => m.room === 'eng/town-square');
      assert.deepEqual(town.map((m) => [m.seq, m.author, m.text, m.kind]), [
        [1, 'alice', 'Hello @bob', 'text'],
        [2, 'bob', 'with files', 'text'],
        [3, 'bob', '', 'text'],
        [4, 'bob', '[file: c.pdf]', 'text'],
        [5, 'ci', 'something odd', 'notice'],
        [6, 'bob', 'reply one', 'text'],
        [7, 'zed', 'who am I', 'text'],
      ]);
      const hello = town[0]!;
      assert.equal(hello.id, `eng/town-square/${T + 1000}/alice`);
      assert.deepEqual(hello.reactions, [{ emoji: '👍', users: ['bob'] }, { emoji: ':partyparrot:', users: ['carol'] }], 'ghost is nobody');
      assert.equal(town[5]!.replyTo, hello.id);
      assert.equal(town[5]!.editedAt, iso(T + 4000));
      assert.deepEqual(town[1]!.file, { name: 'a.txt', contentType: 'text/plain', size: 11, sha256: sha(ATTACHMENTS['20210301/teams/x/a.txt']!) });
      assert.equal(town[2]!.id, `eng/town-square/${T + 2000}/bob#2`);
      assert.deepEqual(town[2]!.file, { name: 'b.png', contentType: 'image/png', size: 11, sha256: sha(ATTACHMENTS['20210301/teams/x/b.png']!) });
      assert.equal(town[3]!.file, undefined);
      // The bytes export writes into the archive.
      const bytes: Buffer[] = [];
      for await (const chunk of (await source.openFile!(town[2]!.file!.sha256))!) bytes.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(bytes).equals(ATTACHMENTS['20210301/teams/x/b.png']!));
      assert.equal(await source.openFile!('0'.repeat(64)), null);
      assert.ok(!messages.some((m) => m.text.startsWith('hi ')), 'direct messages are skipped by default');

      const notes = await all(source, 'notes');
      const note = notesByCode(notes);
      assert.match(note('mattermost_events_counted')[0]!, /^Town Square \(Engineering\): 1 "system_join_channel"; system messages are not imported/);
      assert.match(note('mattermost_type_unknown')[0]!, /^1 post of type "custom_weird", which pchat does not know: imported as notices/);
      assert.match(note('mattermost_flags_counted')[0]!, /^1 post was flagged/);
      assert.match(note('mattermost_pins_counted')[0]!, /^1 post was pinned/);
      assert.match(note('mattermost_extra_attachments')[0]!, /^2 attachments past a post's first/);
      assert.match(note('mattermost_user_unknown')[0]!, /"zed" wrote 1 message but no user line/);
      assert.match(note('mattermost_channel_unknown')[0]!, /1 message of the channel "eng\/nochannel"/);
      assert.match(note('mattermost_direct_skipped')[0]!, /^1 direct conversation \(2 messages as --direct-messages as-rooms would import them/);
      assert.match(note('mattermost_lines_not_carried')[0]!, /^1 "emoji" line/);
      const missing = notes.find((n) => n.code === 'mattermost_attachment_missing')!;
      assert.equal(missing.severity, 'file');
      assert.match(missing.message, /"missing\/c\.pdf" is not in the export/);
      assert.deepEqual(await all(source, 'messages'), messages, 'a second pass converts alike');
    } finally {
      await source.close();
    }
  });

  it('reads the JSONL alone (attachments beside it), direct conversations as rooms when asked, and leaves out what is older than the start date', async () => {
    const file = writeMattermostJsonl(join(work, 'plain'));
    const source = await mattermostSource(file, { direct: directOptions('as-rooms', 'Direct'), startDate: new Date(T + 1500) });
    try {
      const rooms = await all(source, 'rooms');
      const direct = rooms.find((r) => r.category === 'mattermost-direct')!;
      assert.deepEqual([direct.id, direct.name, direct.privacy, direct.members.map((m) => m.id)], ['direct:alice,bob', 'alice, bob', 'secret', ['alice', 'bob']]);
      assert.deepEqual((await all(source, 'categories')).at(-1)!.allowed.map((p) => p.id), ['alice', 'bob']);
      const messages = await all(source, 'messages');
      assert.deepEqual(messages.filter((m) => m.room === 'direct:alice,bob').map((m) => [m.text, m.replyTo ?? null]), [['hi bob', null], ['hi alice', `direct:alice,bob/${T + 7000}/alice`]]);
      const town = messages.filter((m) => m.room === 'eng/town-square');
      assert.equal(town.find((m) => m.text === 'reply one')!.replyTo, undefined, 'its post is older than the start date: a plain message');
      assert.ok(town[0]!.file, 'the attachment found under data/ beside the JSONL');
      const notes = await all(source, 'notes');
      assert.match(notes.find((n) => n.code === 'older_than_start_date')!.message, /^2 messages older/, 'alice\'s post and carol\'s in ops; the older join is an event');
      assert.match(notes.find((n) => n.code === 'mattermost_events_counted')!.message, /: 1 "system_join_channel"; system messages are not imported/, 'the join older than the start date, counted as an event');
      assert.match(notes.find((n) => n.code === 'mattermost_reply_parent_missing')!.message, /^1 reply answers a post that is not imported/);
    } finally {
      await source.close();
    }
  });

  it('names the file and line of a bad line, and refuses what is not a bulk export', async () => {
    const badJson = [...MATTERMOST_LINES.slice(0, 5), '{"type": "user", "user": {"username": "x"', ...MATTERMOST_LINES.slice(5)];
    await assert.rejects(mattermostSource(writeMattermostJsonl(join(work, 'bad-json'), badJson)), /mattermost: .*bad-json\/export\.jsonl line 6: not valid JSON/);
    await assert.rejects(mattermostSource(await writeMattermostZip(join(work, 'bad.zip'), badJson)), /mattermost: .*bad\.zip: export_20210302\.jsonl line 6: not valid JSON/);
    await assert.rejects(mattermostSource(writeMattermostJsonl(join(work, 'no-version'), MATTERMOST_LINES.slice(1))), /line 1: the first line of a bulk export is the version line/);
    await assert.rejects(mattermostSource(writeMattermostJsonl(join(work, 'no-time'), [...MATTERMOST_LINES, { type: 'post', post: { team: 'eng', channel: 'secret', user: 'bob', message: 'when?' } }])), /no-time\/export\.jsonl line 22: a post without a numeric "create_at"/);
  });
});
