import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MessageRecord, NoteRecord } from '../../src/interchange/archive/records.js';
import { directOptions } from '../../src/interchange/sources/direct.js';
import { mattermostSource } from '../../src/interchange/sources/mattermost/source.js';
import { line, T, writeMattermostJsonl } from './mattermostFixture.js';
import { all, notesByCode } from '../helpers/records.js';

// Issue 18: every count in the Mattermost notes is what the records carry, on a small export
// with the cases a first pass can count differently from the message pass: reactions of users
// met only later as authors, of users no line names, repeated or malformed; a reply older than
// its post; an attachment without a path; a channel of an undeclared team; and a skipped
// direct conversation full of countable things.

const work = mkdtempSync(join(tmpdir(), 'pchat-mattermost-counts-'));
after(() => rmSync(work, { recursive: true, force: true }));

const LINES: unknown[] = [
  line('version', null),
  line('team', { name: 'eng', display_name: 'Engineering' }),
  line('channel', { team: 'eng', name: 'general', display_name: 'General', type: 'O' }),
  line('channel', { team: 'nope', name: 'lost', display_name: 'Lost', type: 'O' }),
  line('user', { username: 'alice', teams: [{ name: 'eng', channels: [{ name: 'general' }] }] }),
  line('user', { username: 'bob', teams: [{ name: 'eng', channels: [{ name: 'general' }] }] }),
  line('post', {
    team: 'eng', channel: 'general', user: 'alice', message: 'first', create_at: T + 1000,
    reactions: [
      { user: 'bob', emoji_name: '+1' },
      { user: 'bob', emoji_name: 'thumbsup' }, // the same emoji again: one reaction
      { user: 'ghost', emoji_name: 'smile' }, // nobody: left out
      { user: 'bob' }, // no emoji: left out
      { user: 'carol', emoji_name: 'heart' }, // carol becomes an author further down: kept
      { user: 'dora', emoji_name: 'eyes' }, // dora writes only in the direct conversation
    ],
    replies: [
      { user: 'bob', message: 'early reply', create_at: T + 500 }, // older than its post
      { user: 'carol', message: 'late reply', create_at: T + 3000, edit_at: T + 3500 },
    ],
  }),
  line('post', { team: 'eng', channel: 'general', user: 'bob', message: 'files', create_at: T + 2000, attachments: [{ path: 'a.txt' }, {}, { path: 'b.txt' }] }),
  line('post', { team: 'eng', channel: 'general', user: 'carol', message: 'hello', create_at: T + 2500 }),
  line('post', { team: 'nope', channel: 'lost', user: 'alice', message: 'in a channel of no team', create_at: T + 4000, is_pinned: true, reactions: [{ user: 'bob', emoji_name: '+1' }] }),
  line('direct_channel', { members: ['alice', 'dora'] }),
  line('direct_post', {
    channel_members: ['alice', 'dora'], user: 'dora', message: 'hi', create_at: T + 5000, edit_at: T + 5100, is_pinned: true, flagged_by: ['alice'],
    reactions: [{ user: 'alice', emoji_name: '+1' }], attachments: [{ path: 'c.txt' }, { path: 'd.txt' }],
    replies: [{ user: 'alice', message: 'yo', create_at: T + 6000 }],
  }),
  line('direct_post', { channel_members: ['alice', 'dora'], user: 'alice', type: 'custom_thing', message: 'odd', create_at: T + 7000 }),
];

/** The number a note of `code` starts with (0 when there is no such note). */
const counted = (notes: NoteRecord[], code: string): number => {
  const found = notes.filter((n) => n.code === code);
  assert.ok(found.length <= 1, `one ${code} note`);
  return found[0] ? Number(/^(\d+)/.exec(found[0].message)![1]) : 0;
};

/** What the records carry, as the notes count it. */
const carried = (messages: MessageRecord[]) => ({
  reactions: messages.reduce((n, m) => n + (m.reactions ?? []).reduce((k, r) => k + r.users.length, 0), 0),
  replies: messages.filter((m) => m.replyTo !== undefined && !m.id.includes('#')).length,
  edited: messages.filter((m) => m.editedAt !== undefined).length,
  extraAttachments: messages.filter((m) => m.id.includes('#')).length,
  notices: messages.filter((m) => m.kind === 'notice').length,
});

describe('the mattermost notes count what the records carry', () => {
  for (const mode of ['skip', 'as-rooms'] as const) {
    it(`with direct conversations ${mode === 'skip' ? 'skipped' : 'as rooms'}`, async () => {
      const file = writeMattermostJsonl(join(work, mode), LINES, false);
      const source = await mattermostSource(file, mode === 'skip' ? {} : { direct: directOptions('as-rooms', 'Direct') });
      try {
        const messages = await all(source, 'messages');
        const notes = await all(source, 'notes');
        const users = (await all(source, 'users')).map((u) => u.id);
        const records = carried(messages);
        assert.deepEqual(
          {
            reactions: counted(notes, 'mattermost_reactions'),
            replies: counted(notes, 'mattermost_replies'),
            edited: counted(notes, 'mattermost_edited'),
            extraAttachments: counted(notes, 'mattermost_extra_attachments'),
            notices: counted(notes, 'mattermost_type_unknown'),
          },
          records,
          'each count of the notes is what the records carry',
        );
        const direct = mode === 'as-rooms';
        assert.deepEqual(records, { reactions: direct ? 4 : 2, replies: direct ? 2 : 1, edited: direct ? 2 : 1, extraAttachments: direct ? 2 : 1, notices: direct ? 1 : 0 });
        const first = messages.find((m) => m.text === 'first')!;
        assert.deepEqual(first.reactions, [{ emoji: '👍', users: ['bob'] }, { emoji: '❤️', users: ['carol'] }, ...(direct ? [{ emoji: '👀', users: ['dora'] }] : [])]);
        const left = notes.find((n) => n.code === 'mattermost_reactions')!.message;
        assert.match(left, new RegExp(`; ${direct ? 2 : 3} left out \\(by users the export does not list, or naming no user or emoji\\)`), 'ghost\'s, the one without an emoji, and dora\'s unless she is an author');
        assert.equal(messages.find((m) => m.text === 'early reply')!.replyTo, undefined, 'older than its post: a plain message');
        assert.equal(counted(notes, 'mattermost_reply_parent_missing'), 1, 'the early reply');
        assert.equal(counted(notes, 'mattermost_pins_counted'), direct ? 1 : 0, 'the lost channel\'s pinned post is not imported');
        assert.equal(counted(notes, 'mattermost_flags_counted'), direct ? 1 : 0);
        assert.deepEqual(users, ['alice', 'bob', 'carol', ...(direct ? ['dora'] : [])], 'dora is made a user only when her messages are imported');
        assert.ok(!messages.some((m) => m.text === 'in a channel of no team'));
        assert.match(notes.find((n) => n.code === 'mattermost_team_unknown')?.message ?? '', /^1 message of the channel "nope\/lost", whose team "nope" no team line declares: not imported/);
        // The skipped conversation's count is what as-rooms imports of it: dora's post and its
        // second attachment, alice's reply and the post of an unknown type (a notice).
        const directMessages = messages.filter((m) => m.room.startsWith('direct:')).length;
        assert.equal(directMessages, direct ? 4 : 0);
        const skipped = notes.find((n) => n.code === 'mattermost_direct_skipped')?.message;
        if (direct) assert.equal(skipped, undefined);
        else assert.match(skipped ?? '', /^1 direct conversation \(4 messages as --direct-messages as-rooms would import them: each attachment past a post's first is a message of its own\) not imported/);
        const missing = notes.filter((n) => n.code === 'mattermost_attachment_missing').map((n) => n.item!.id);
        assert.deepEqual(missing, ['a.txt', 'b.txt', ...(direct ? ['c.txt', 'd.txt'] : [])], 'only the attachments of imported posts');
      } finally {
        await source.close();
      }
    });
  }
});

describe('what the start date leaves out', () => {
  it('counts only the messages it leaves out; an old system message is an event, nothing of an old post is counted by kind', async () => {
    const file = writeMattermostJsonl(join(work, 'start-date'), [
      line('version', null),
      line('team', { name: 'eng', display_name: 'Engineering' }),
      line('channel', { team: 'eng', name: 'general', display_name: 'General', type: 'O' }),
      line('user', { username: 'alice', teams: [{ name: 'eng', channels: [{ name: 'general' }] }] }),
      line('post', { team: 'eng', channel: 'general', user: 'alice', type: 'system_join_channel', message: 'alice joined the channel.', create_at: T + 100 }),
      line('post', { team: 'eng', channel: 'general', user: 'alice', message: 'old and edited', create_at: T + 200, edit_at: T + 250, is_pinned: true, flagged_by: ['alice'], reactions: [{ user: 'alice', emoji_name: '+1' }], attachments: [{ path: 'a.txt' }, { path: 'b.txt' }] }),
      line('post', { team: 'eng', channel: 'general', user: 'alice', type: 'custom_thing', message: 'old odd', create_at: T + 300 }),
      line('post', { team: 'eng', channel: 'general', user: 'alice', type: 'custom_empty', message: '', create_at: T + 400 }),
      line('post', { team: 'eng', channel: 'general', user: 'alice', message: 'new', create_at: T + 2000 }),
    ], false);
    const source = await mattermostSource(file, { startDate: new Date(T + 1000) });
    try {
      assert.deepEqual((await all(source, 'messages')).map((m) => m.text), ['new']);
      const notes = await all(source, 'notes');
      const coded = notesByCode(notes);
      assert.deepEqual(coded('older_than_start_date'), ['2 messages older than the start date were left out'], 'the edited post and the notice it would have been, not the join nor the empty post');
      assert.deepEqual(coded('mattermost_events_counted'), ['General: 1 "system_join_channel"; system messages are not imported']);
      assert.deepEqual(coded('mattermost_type_unknown'), ['1 post of type "custom_empty", which pchat does not know, with no text or file: not imported']);
      for (const code of ['mattermost_edited', 'mattermost_reactions', 'mattermost_pins_counted', 'mattermost_flags_counted', 'mattermost_extra_attachments', 'mattermost_attachment_missing']) assert.deepEqual(coded(code), [], `nothing of a left-out post counted: ${code}`);
    } finally {
      await source.close();
    }
  });
});
