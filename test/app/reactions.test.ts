import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { PchatError } from '../../src/core/errors.js';
import type { Actor } from '../../src/core/permissions.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import type { DomainEvent } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

const fails = (code: string, words?: RegExp, field?: string) => (error: unknown) => {
  assert.ok(error instanceof PchatError, String(error));
  assert.equal(error.code, code, error.message);
  if (words) assert.match(error.message, words);
  if (field !== undefined) assert.equal(error.field, field);
  return true;
};

/** Emoji reactions through the application every door uses: the gate, the emoji rule, the cap, the event. */
describe('emoji reactions (app)', () => {
  let dir: string;
  let store: Store;
  let app: Application;
  const events: DomainEvent[] = [];
  const ids: Record<string, number> = {};
  let room: number;
  let secret: number;
  const actor = (name: string): Promise<Actor> => app.sessions.actorFor(ids[name] as number);
  const say = async (name: string, roomId: number, text: string) => (await app.messages.post(await actor(name), roomId, { text })).message;
  const reactionEvents = () => events.filter((e): e is DomainEvent & { type: 'message.reactions' } => e.type === 'message.reactions');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-reactions-app-'));
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    const bus = new LocalEventBus();
    bus.subscribe((e) => events.push(e));
    app = createApplication({ store, bus, clock: { now: () => 1_000 + events.length } });
    for (const name of ['alice', 'bob', 'eve', 'admin']) {
      ids[name] = (await app.users.create(SYSTEM_ACTOR, { login: `${name}@example.com`, displayName: name, isAdmin: name === 'admin' })).id;
    }
    const member = (name: string) => ({ kind: 'user' as const, id: ids[name] as number });
    const category = await app.categories.create(SYSTEM_ACTOR, { name: 'Desk', allowed: [member('alice'), member('bob')] });
    room = (await app.rooms.create(SYSTEM_ACTOR, { name: 'desk', categoryId: category.id, members: [member('alice'), member('bob')] })).room.id;
    secret = (await app.rooms.create(SYSTEM_ACTOR, { name: 'hidden', categoryId: category.id, privacy: 'secret', members: [member('alice')] })).room.id;
  });
  after(async () => {
    await app.flush();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
      await assert.rejects(app.reactions.add(alice, room, m.seq, bad), fails('invalid_input', /one Unicode emoji .* custom emoji name between colons .* at most 64 characters/, 'emoji'), String(bad));
    }
  });

  it('gates like reading the room: room_not_found to outsiders, not found for no such message, refused in maintenance and to the CLI', async () => {
    const m = await say('alice', room, 'members only');
    const hidden = await say('alice', secret, 'secret');
    await assert.rejects(app.reactions.add(await actor('eve'), secret, hidden.seq, '👀'), fails('room_not_found'));
    await assert.rejects(app.reactions.add(await actor('bob'), secret, hidden.seq, '👀'), fails('room_not_found'), 'a member of the category, not of the secret room');
    await assert.rejects(app.reactions.add(await actor('alice'), room, 9_999, '👀'), fails('not_found', /No such message/));
    await assert.rejects(app.reactions.add(await actor('alice'), room, m.seq, '👀', m.id + 1), fails('not_found'), 'a msgid whose id and seq disagree');
    await assert.rejects(app.reactions.add(SYSTEM_ACTOR, room, m.seq, '👀'), fails('not_permitted', /no chat identity/));

    const { room: { id: direct } } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    const dm = await say('alice', direct, 'just us');
    assert.equal((await app.reactions.add(await actor('bob'), direct, dm.seq, '🙂')).changed, true, 'a participant reacts in the conversation');
    await assert.rejects(app.reactions.add(await actor('admin'), direct, dm.seq, '🙂'), fails('room_not_found'), 'an administrator is not a participant');

    await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: true, message: 'upgrading' });
    try {
      await assert.rejects(app.reactions.add(await actor('alice'), room, m.seq, '👀'), fails('read_only', /upgrading/));
    } finally {
      await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: false });
    }
  });

  it('caps a message at 20 different emoji, naming the cap, while known ones still add', async () => {
    const m = await say('alice', room, 'poll');
    const alice = await actor('alice');
    const twenty = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
    for (const e of twenty) await app.reactions.add(alice, room, m.seq, e);
    await assert.rejects(app.reactions.add(alice, room, m.seq, '🤩'), fails('conflict', /at most 20 different reactions/));
    assert.equal((await app.reactions.add(await actor('bob'), room, m.seq, '😀')).changed, true);
    assert.equal((await store.messages.getBySeq(room, m.seq))?.reactions?.length, 20);
  });
});
