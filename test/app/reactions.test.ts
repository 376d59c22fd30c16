import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import type { Application } from '../../src/app/index.js';
import type { Actor } from '../../src/core/permissions.js';
import type { DomainEvent } from '../../src/ports/events.js';
import { type DeskApp, openDeskApp, refusal } from '../helpers/deskApp.js';

/** Emoji reactions through the application every door uses: the gate, the emoji rule, the cap, the event. */
describe('emoji reactions (app)', () => {
  let desk: DeskApp;
  let app: Application;
  let ids: DeskApp['ids'];
  let room: number;
  let secret: number;
  const events: DomainEvent[] = [];
  const actor = (name: keyof DeskApp['ids']): Promise<Actor> => desk.actor(name);
  const say = (name: keyof DeskApp['ids'], roomId: number, text: string) => desk.say(name, roomId, text);
  const reactionEvents = () => events.filter((e): e is DomainEvent & { type: 'message.reactions' } => e.type === 'message.reactions');

  before(async () => {
    desk = await openDeskApp({ now: () => 1_000 + events.length, onEvent: (e) => events.push(e) });
    ({ app, ids, room, secret } = desk);
  });
  after(() => desk.close());

  it('adds and removes, publishes the whole new set only when something changed, and history carries it', async () => {
    const m = await say('bob', room, 'lunch at noon?');
    events.length = 0;
    const view = await app.reactions.add(await actor('alice'), room, m.seq, '👍');
    assert.deepEqual(view, { roomId: room, seq: m.seq, messageId: m.id, reactions: [{ emoji: '👍', userIds: [ids.alice] }], changed: true });
    await app.reactions.add(await actor('bob'), room, m.seq, '👍');
    assert.equal((await app.reactions.add(await actor('bob'), room, m.seq, '👍')).changed, false);
    assert.deepEqual(
      reactionEvents().map((e) => [e.roomId, e.seq, e.messageId, e.change, e.reactions]),
      [
        [room, m.seq, m.id, { userId: ids.alice, emoji: '👍', added: true }, [{ emoji: '👍', userIds: [ids.alice] }]],
        [room, m.seq, m.id, { userId: ids.bob, emoji: '👍', added: true }, [{ emoji: '👍', userIds: [ids.alice, ids.bob] }]],
      ],
      'one event per change, none for a repeat',
    );
    const removed = await app.reactions.remove(await actor('alice'), room, m.seq, '👍');
    assert.deepEqual(removed.reactions, [{ emoji: '👍', userIds: [ids.bob] }]);
    assert.deepEqual(reactionEvents().at(-1)?.change, { userId: ids.alice, emoji: '👍', added: false });
    const page = await app.messages.history(await actor('alice'), room, {});
    assert.deepEqual(page.messages.find((x) => x.id === m.id)?.reactions, [{ emoji: '👍', userIds: [ids.bob] }]);
  });

  it('takes one emoji by the rule (normalising a bare pictograph) and says the rule otherwise', async () => {
    const m = await say('alice', room, 'rules');
    const alice = await actor('alice');
    assert.equal((await app.reactions.add(alice, room, m.seq, '❤')).reactions[0]?.emoji, '❤️', '❤ is stored as ❤️');
    assert.equal((await app.reactions.add(alice, room, m.seq, '❤️')).changed, false, 'so both are one reaction');
    for (const ok of ['👍🏽', '🏳️‍🌈', '🇫🇷', '1️⃣', ':party-parrot:', ':+1::skin-tone-2:']) assert.equal((await app.reactions.add(alice, room, m.seq, ok)).changed, true, ok);
    for (const bad of ['', 'a', 'l😃l', '👍👍', ' 👍', ':two words:', `:${'x'.repeat(63)}:`, 12]) {
      await assert.rejects(app.reactions.add(alice, room, m.seq, bad), refusal('invalid_input', { words: /one Unicode emoji .* custom emoji name between colons .* at most 64 characters/, field: 'emoji' }), String(bad));
    }
  });

  it('gates like reading the room: room_not_found to outsiders, not found for no such message, refused in maintenance and to the CLI', async () => {
    const m = await say('alice', room, 'members only');
    const hidden = await say('alice', secret, 'secret');
    await assert.rejects(app.reactions.add(await actor('eve'), secret, hidden.seq, '👀'), refusal('room_not_found'));
    await assert.rejects(app.reactions.add(await actor('bob'), secret, hidden.seq, '👀'), refusal('room_not_found'), 'a member of the category, not of the secret room');
    await assert.rejects(app.reactions.add(await actor('alice'), room, 9_999, '👀'), refusal('not_found', { words: /No such message/ }));
    await assert.rejects(app.reactions.add(await actor('alice'), room, m.seq, '👀', m.id + 1), refusal('not_found'), 'a msgid whose id and seq disagree');
    await assert.rejects(app.reactions.add(SYSTEM_ACTOR, room, m.seq, '👀'), refusal('not_permitted', { words: /no chat identity/ }));

    const { room: { id: direct } } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    const dm = await say('alice', direct, 'just us');
    assert.equal((await app.reactions.add(await actor('bob'), direct, dm.seq, '🙂')).changed, true, 'a participant reacts in the conversation');
    await assert.rejects(app.reactions.add(await actor('admin'), direct, dm.seq, '🙂'), refusal('room_not_found'), 'an administrator is not a participant');

    await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: true, message: 'upgrading' });
    try {
      await assert.rejects(app.reactions.add(await actor('alice'), room, m.seq, '👀'), refusal('read_only', { words: /upgrading/ }));
    } finally {
      await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: false });
    }
  });

  it('caps a message at 20 different emoji, naming the cap, while known ones still add', async () => {
    const m = await say('alice', room, 'poll');
    const alice = await actor('alice');
    const twenty = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
    for (const e of twenty) await app.reactions.add(alice, room, m.seq, e);
    await assert.rejects(app.reactions.add(alice, room, m.seq, '🤩'), refusal('conflict', { words: /at most 20 different reactions/ }));
    assert.equal((await app.reactions.add(await actor('bob'), room, m.seq, '😀')).changed, true);
    assert.equal((await desk.store.messages.getBySeq(room, m.seq))?.reactions?.length, 20);
  });
});
