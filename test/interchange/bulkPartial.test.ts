import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { cliWorkDir } from './longNames.js';
import { ts, writeSlackExport } from './slackFixture.js';

// The bulk copy links replies and copies reactions by message id when a slice of the spool went
// in whole, and by identity when some of its messages were stored already (a later, larger export
// of the same workspace). This runs the second way: an import of an export whose channel "random"
// ends two messages early, then of the whole export, whose two more are a reply to a message
// stored before and a message with a reaction.

const RANDOM = [
  { type: 'message', ts: ts(200), user: 'U2', text: 'random thought' },
  { type: 'message', ts: ts(210), user: 'U1', text: 'a random thread', thread_ts: ts(210), reply_count: 1 },
  { type: 'message', ts: ts(220), user: 'U2', text: 'a late answer', thread_ts: ts(210), parent_user_id: 'U1' },
  { type: 'message', ts: ts(230), user: 'U1', text: 'react to me', reactions: [{ name: 'eyes', users: ['U2'], count: 1 }] },
];

describe('a Slack import over an earlier import of the same channels', () => {
  const { path, ok } = cliWorkDir('bulk-partial');

  it('links the replies and copies the reactions of the messages it adds, as an import of everything at once does', async () => {
    const earlier = writeSlackExport(path('earlier'), { 'random/2021-03-01.json': RANDOM.slice(0, 2) });
    const whole = writeSlackExport(path('whole'), { 'random/2021-03-01.json': RANDOM });
    const target = path('target');
    assert.match(await ok(['import', `slack:${earlier}`, '--yes', '--create-users', '--data-dir', target]), /18 messages added/);
    const second = await ok(['import', `slack:${whole}`, '--yes', '--create-users', '--data-dir', target]);
    assert.match(second, /2 messages added/);
    assert.match(second, /Written in one transaction while the source was checked/, 'the bulk path');

    const d = new Database(join(target, 'pchat.db'), { readonly: true });
    try {
      const row = (text: string) => d.prepare('SELECT id, reply_to AS replyTo, has_reactions AS hasReactions FROM messages WHERE text = ?').get(text) as { id: number; replyTo: number | null; hasReactions: number };
      assert.equal(row('a late answer').replyTo, row('a random thread').id, 'the added reply answers the message stored before');
      const parent = d.prepare('SELECT reply_count FROM messages WHERE id = ?').pluck().get(row('a random thread').id);
      assert.equal(parent, 1, "the stored parent's count of replies");
      assert.equal(row('react to me').hasReactions, 1);
      const reactions = d.prepare('SELECT r.emoji AS emoji, u.login AS login FROM message_reactions r JOIN users u ON u.id = r.user_id WHERE r.message_id = ?').all(row('react to me').id);
      assert.deepEqual(reactions, [{ emoji: '👀', login: 'bob' }]);
    } finally {
      d.close();
    }
    assert.match(await ok(['verify', '--source', `slack:${whole}`, '--data-dir', target]), /No unexplained difference/);
  });
});
