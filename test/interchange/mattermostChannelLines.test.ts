import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mattermostSource } from '../../src/interchange/sources/mattermost/source.js';
import { line, T, writeMattermostJsonl } from './mattermostFixture.js';
import { all, notesByCode } from '../helpers/records.js';

// Issue 18: channel lines out of the usual shape. A channel declared twice (the same team and
// name) is one room, the later line's attributes over the earlier's, as Mattermost's bulk import
// updates a channel it already has; posts placed before their channel's line are imported all the
// same (nothing read from them depends on the order), and only posts of a channel no line declares
// are left out, each with a note that says which.

const work = mkdtempSync(join(tmpdir(), 'pchat-mattermost-channels-'));
after(() => rmSync(work, { recursive: true, force: true }));

const LINES: unknown[] = [
  line('version', null),
  line('team', { name: 'eng', display_name: 'Engineering' }),
  line('post', { team: 'eng', channel: 'late', user: 'alice', message: 'before its channel', create_at: T + 1000, replies: [{ user: 'bob', message: 'reply before it too', create_at: T + 1500 }] }), // line 3
  line('channel', { team: 'eng', name: 'general', display_name: 'General', type: 'O', purpose: 'Old purpose' }), // line 4
  line('post', { team: 'eng', channel: 'general', user: 'alice', message: 'between the two lines', create_at: T + 2000 }),
  line('channel', { team: 'eng', name: 'general', display_name: 'General Chat', type: 'P', header: 'a header' }), // line 6: no purpose, so the first one's stays
  line('channel', { team: 'eng', name: 'late', display_name: 'Late', type: 'O' }), // line 7
  line('user', { username: 'alice', teams: [{ name: 'eng', channels: [{ name: 'general' }, { name: 'late' }] }] }),
  line('user', { username: 'bob', teams: [{ name: 'eng', channels: [{ name: 'late' }] }] }),
  line('post', { team: 'eng', channel: 'general', user: 'bob', message: 'after both lines', create_at: T + 3000 }),
  line('post', { team: 'eng', channel: 'nowhere', user: 'bob', message: 'in no channel', create_at: T + 4000 }),
];

describe('mattermost channel lines', () => {
  it('a repeated channel is one room; posts before their channel line are imported; each said in a note', async () => {
    const source = await mattermostSource(writeMattermostJsonl(work, LINES, false));
    try {
      const rooms = await all(source, 'rooms');
      assert.deepEqual(rooms.map((r) => r.id), ['eng/general', 'eng/late'], 'one room per channel, in the order first declared');
      const general = rooms[0]!;
      assert.deepEqual({ name: general.name, privacy: general.privacy, description: general.description, members: general.members }, { name: 'General Chat', privacy: 'secret', description: 'Old purpose', members: [{ kind: 'user', id: 'alice' }] }, 'the later line\'s name and type, the earlier\'s purpose it does not replace');
      const messages = await all(source, 'messages');
      assert.deepEqual(messages.filter((m) => m.room === 'eng/general').map((m) => m.text), ['between the two lines', 'after both lines']);
      const late = messages.filter((m) => m.room === 'eng/late');
      assert.deepEqual(late.map((m) => m.text), ['before its channel', 'reply before it too']);
      assert.equal(late[1]!.replyTo, late[0]!.id, 'the reply still answers its post');
      assert.ok(!messages.some((m) => m.text === 'in no channel'));

      const notes = await all(source, 'notes');
      const coded = notesByCode(notes);
      assert.deepEqual(coded('mattermost_channel_repeated'), ['the channel "eng/general" is declared by 2 channel lines (lines 4, 6): one room, each later line\'s attributes over the earlier ones\' (as Mattermost\'s bulk import updates a channel it already has)']);
      assert.deepEqual(coded('mattermost_posts_before_channel'), ['1 post (2 messages with its replies) of the channel "eng/late" comes before its channel line (line 7), first on line 3: imported all the same (Mattermost\'s own bulk import needs the channel line first)']);
      assert.deepEqual(coded('mattermost_channel_unknown'), ['1 message of the channel "eng/nowhere", which no channel line declares: not imported']);
      assert.equal(coded('mattermost_replies')[0], '1 reply: imported as replies to their thread\'s first post', 'the early post\'s reply counted as the records carry it');
    } finally {
      await source.close();
    }
  });

  it('a channel before its team\'s line is imported in that team\'s category, with its posts; one of a team no line declares is not', async () => {
    const source = await mattermostSource(writeMattermostJsonl(join(work, 'team-later'), [
      line('version', null),
      line('channel', { team: 'ops', name: 'early', display_name: 'Early', type: 'O' }), // line 2
      line('channel', { team: 'nope', name: 'lost', display_name: 'Lost', type: 'O' }), // line 3: no team line at all
      line('post', { team: 'ops', channel: 'early', user: 'alice', message: 'between channel and team', create_at: T + 1000, replies: [{ user: 'alice', message: 'its reply', create_at: T + 1100 }] }),
      line('post', { team: 'nope', channel: 'lost', user: 'alice', message: 'lost post', create_at: T + 1200 }),
      line('team', { name: 'ops', display_name: 'Operations' }), // line 6
      line('user', { username: 'alice', teams: [{ name: 'ops', channels: [{ name: 'early' }] }] }),
      line('post', { team: 'ops', channel: 'early', user: 'alice', message: 'after the team', create_at: T + 2000 }),
    ], false));
    try {
      assert.deepEqual((await all(source, 'rooms')).map((r) => [r.id, r.category]), [['ops/early', 'team:ops']]);
      const messages = await all(source, 'messages');
      assert.deepEqual(messages.map((m) => [m.room, m.text]), [['ops/early', 'between channel and team'], ['ops/early', 'its reply'], ['ops/early', 'after the team']]);
      assert.equal(messages[1]!.replyTo, messages[0]!.id);
      const notes = await all(source, 'notes');
      const coded = notesByCode(notes);
      assert.deepEqual(coded('mattermost_channel_before_team'), ['the channel "ops/early" (line 2) comes before its team\'s line (line 6): imported all the same, in the team\'s category (Mattermost\'s own bulk import needs the team line first)']);
      assert.deepEqual(coded('mattermost_posts_before_channel'), [], 'its posts come after its channel line');
      assert.deepEqual(coded('mattermost_team_unknown'), ['1 message of the channel "nope/lost", whose team "nope" no team line declares: not imported']);
    } finally {
      await source.close();
    }
  });
});
