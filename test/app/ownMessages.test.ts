import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import type { Application } from '../../src/app/index.js';
import type { Actor } from '../../src/core/permissions.js';
import type { DomainEvent } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';
import { type DeskApp, openDeskApp, refusal as fails } from '../helpers/deskApp.js';

const MINUTE = 60_000;

/** Authors editing and deleting their own messages, through the application every door uses. */
describe("authors' own edits and deletions (app)", () => {
  let desk: DeskApp;
  let store: Store;
  let app: Application;
  let events: DomainEvent[];
  let now: number;
  let ids: DeskApp['ids'];
  let room: number;
  let secret: number;
  const actor = (name: keyof DeskApp['ids']): Promise<Actor> => desk.actor(name);
  const say = (name: keyof DeskApp['ids'], roomId: number, text: string) => desk.say(name, roomId, text);
  const setWindow = (editOwnMessages: unknown) => app.settings.updateChatConfig(SYSTEM_ACTOR, { editOwnMessages });

  beforeEach(async () => {
    events = [];
    now = Date.UTC(2026, 11, 6, 12);
    desk = await openDeskApp({ now: () => now, onEvent: (e) => events.push(e) });
    ({ app, store, ids, room, secret } = desk);
  });
  afterEach(() => desk.close());

  it('lets the author edit and delete for 15 minutes by default, then refuses naming the window', async () => {
    assert.equal((await app.settings.chatConfig(await actor('alice'))).editOwnMessages, 15);
    const alice = await actor('alice');
    const m = await say('alice', room, 'first draft');
    now += 14 * MINUTE;
    const edited = await app.ownMessages.edit(alice, room, m.seq, { text: 'second draft' });
    assert.equal(edited.text, 'second draft');
    assert.equal(edited.editedAt, now);
    assert.deepEqual((await store.messages.getBySeq(room, m.seq))?.editedAt, now);
    now += MINUTE + 1; // 15 minutes and 1 ms after posting
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'too late' }), fails('not_permitted', { rule: 'window', words: /15 minutes/ }));
    await assert.rejects(app.ownMessages.remove(alice, room, m.seq), fails('not_permitted', { rule: 'window' }));
    assert.equal((await store.messages.getBySeq(room, m.seq))?.text, 'second draft', 'nothing changed');

    await setWindow(1);
    const quick = await say('alice', room, 'quick one');
    now += 59_000;
    assert.equal((await app.ownMessages.remove(alice, room, quick.seq)).text, 'quick one');
    assert.equal(await store.messages.getBySeq(room, quick.seq), null);
  });

  it("'off' refuses every author (Lync's rule); 'always' allows a year later; the setting is checked", async () => {
    const alice = await actor('alice');
    const m = await say('alice', room, 'kept as said');
    await setWindow('off');
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'changed' }), fails('not_permitted', { rule: 'off' }));
    await assert.rejects(app.ownMessages.remove(alice, room, m.seq), fails('not_permitted', { rule: 'off' }));
    await setWindow('always');
    now += 365 * 24 * 60 * MINUTE;
    assert.equal((await app.ownMessages.edit(alice, room, m.seq, { text: 'changed a year on' })).text, 'changed a year on');
    for (const bad of [0, -5, 1.5, 'sometimes', null, 525_601]) {
      await assert.rejects(setWindow(bad), fails('invalid_input', { field: 'editOwnMessages', words: /"off", "always", or a number of minutes/ }), String(bad));
    }
    await assert.rejects(app.settings.updateChatConfig(await actor('alice'), { editOwnMessages: 'always' }), fails('not_permitted'), 'administrators only');
  });

  it('refuses everyone but the author, administrators included (their tool is moderation)', async () => {
    const m = await say('alice', room, "alice's words");
    await assert.rejects(app.ownMessages.edit(await actor('bob'), room, m.seq, { text: "bob's now" }), fails('not_permitted', { rule: 'author' }));
    await assert.rejects(app.ownMessages.remove(await actor('bob'), room, m.seq), fails('not_permitted', { rule: 'author' }));
    await assert.rejects(app.ownMessages.remove(await actor('admin'), room, m.seq), fails('not_permitted', { rule: 'author' }));
    assert.equal((await store.messages.getBySeq(room, m.seq))?.text, "alice's words");
  });

  it('answers not found to outsiders: secret rooms and direct conversations stay invisible; a missing seq is not found', async () => {
    const hidden = await say('alice', secret, 'between me and myself');
    await assert.rejects(app.ownMessages.edit(await actor('eve'), secret, hidden.seq, { text: 'x' }), fails('room_not_found'));
    await assert.rejects(app.ownMessages.remove(await actor('bob'), secret, hidden.seq), fails('room_not_found'), 'a member of the category who is not in the secret room');
    await assert.rejects(app.ownMessages.remove(await actor('eve'), room, 1), fails('room_not_found'), 'a room of a category eve is not allowed in');
    const { room: dm } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    const private1 = await say('alice', dm.id, 'just us');
    await assert.rejects(app.ownMessages.edit(await actor('eve'), dm.id, private1.seq, { text: 'x' }), fails('room_not_found'));
    await assert.rejects(app.ownMessages.edit(await actor('admin'), dm.id, private1.seq, { text: 'x' }), fails('room_not_found'), 'administrators do not see direct conversations either');
    await assert.rejects(app.ownMessages.edit(await actor('alice'), room, 999, { text: 'x' }), fails('not_found'));
    await assert.rejects(app.ownMessages.remove(await actor('alice'), room, 0), fails('invalid_input', { field: 'seq' }));
  });

  it('lets participants of a direct conversation edit and delete their own messages there', async () => {
    const { room: dm } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    const fromAlice = await say('alice', dm.id, 'see you at 5');
    const fromBob = await say('bob', dm.id, 'ok');
    assert.equal((await app.ownMessages.edit(await actor('alice'), dm.id, fromAlice.seq, { text: 'see you at 6' })).text, 'see you at 6');
    await assert.rejects(app.ownMessages.remove(await actor('alice'), dm.id, fromBob.seq), fails('not_permitted', { rule: 'author' }));
    await app.ownMessages.remove(await actor('bob'), dm.id, fromBob.seq);
    assert.deepEqual((await app.messages.history(await actor('bob'), dm.id)).messages.map((m) => m.text), ['see you at 6']);
  });

  it('validates the new text as a post is validated, and refuses during read-only maintenance', async () => {
    const alice = await actor('alice');
    const m = await say('alice', room, 'original');
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: '   ' }), fails('invalid_input', { field: 'text' }));
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'bell \u0007' }), fails('invalid_input', { field: 'text' }));
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'x'.repeat(16_001) }), fails('too_large', { field: 'text' }));
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'ok', title: 'no' }), fails('invalid_input', { field: 'title' }));
    await assert.rejects(app.ownMessages.remove(alice, room, m.seq, { reason: 'two\nlines' }), fails('invalid_input', { field: 'reason' }));
    await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: true, message: 'Upgrading until noon.' });
    await assert.rejects(app.ownMessages.edit(alice, room, m.seq, { text: 'during maintenance' }), fails('read_only', { words: /Upgrading/ }));
    await assert.rejects(app.ownMessages.remove(alice, room, m.seq), fails('read_only'));
    await app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: false });
    events.length = 0;
    const same = await app.ownMessages.edit(alice, room, m.seq, { text: 'original' });
    assert.equal(same.editedAt, undefined, 'the same text is no edit');
    assert.deepEqual(events, []);
    assert.deepEqual(await store.compliance.list({ type: 'EDIT', limit: 5 }), []);
  });

  it('records the previous text and the text removed, searches the new text only, and tells every door', async () => {
    const alice = await actor('alice');
    const bob = await actor('bob');
    const m = await say('alice', room, 'the launch code is swordfish');
    const other = await say('alice', room, 'lunch at noon');
    events.length = 0;
    now += 2 * MINUTE;
    const edited = await app.ownMessages.edit(alice, room, m.seq, { text: 'the launch is on friday' });
    assert.deepEqual(events, [{ type: 'messages.replaced', roomId: room, messages: [edited], byAuthor: true }]);
    const found = async (q: string) => (await app.search.search(bob, { q })).hits.map((h) => h.message.text);
    assert.deepEqual(await found('swordfish'), [], 'the old text is no longer found');
    assert.deepEqual(await found('friday'), ['the launch is on friday']);

    events.length = 0;
    const removed = await app.ownMessages.remove(alice, room, other.seq, { reason: 'not for this room' });
    assert.deepEqual(events, [{ type: 'messages.removed', roomId: room, seqs: [other.seq], byAuthor: { message: removed, reason: 'not for this room' } }]);
    assert.deepEqual(await found('lunch'), []);

    const records = (await app.compliance.list(SYSTEM_ACTOR, { roomId: room })).events.filter((e) => e.type !== 'JOIN' && e.type !== 'BACKCHAT');
    assert.deepEqual(
      records.map((e) => [e.type, e.userId, e.at, e.data?.previousText ?? null, e.data?.text, e.data?.reason ?? null]),
      [
        ['CHAT', ids.alice, m.createdAt, null, 'the launch code is swordfish', null],
        ['CHAT', ids.alice, other.createdAt, null, 'lunch at noon', null],
        ['EDIT', ids.alice, now, 'the launch code is swordfish', 'the launch is on friday', null],
        ['DELETE', ids.alice, now, null, 'lunch at noon', 'not for this room'],
      ],
    );
    assert.deepEqual((await app.messages.history(bob, room)).messages.map((x) => [x.text, x.editedAt ?? null]), [['the launch is on friday', now]]);
  });
});
