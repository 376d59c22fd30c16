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

const fails = (code: string, field?: string) => (error: unknown) => {
  assert.ok(error instanceof PchatError, String(error));
  assert.equal(error.code, code, error.message);
  if (field !== undefined) assert.equal(error.field, field, error.message);
  return true;
};

/** Topic feeds through the application over a real SQLite store: the matcher, the permission model, validation. */
describe('topic feeds (app)', () => {
  let dir: string;
  let store: Store;
  let app: Application;
  const events: DomainEvent[] = [];
  const ids: Record<string, number> = {};
  let open = 0;
  let secret = 0;
  const actor = (name: string): Promise<Actor> => app.sessions.actorFor(ids[name] as number);
  const hitsOf = (name: string) =>
    events.flatMap((e) => (e.type === 'feed.hits' ? e.hits.filter((h) => h.userId === ids[name]).map((h) => e.messages.find((m) => m.id === h.messageId)?.text) : []));
  const say = async (name: string, roomId: number, text: string) => {
    await app.messages.post(await actor(name), roomId, { text });
    await app.feeds.matcher.flush();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-feeds-app-'));
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    const bus = new LocalEventBus();
    bus.subscribe((e) => events.push(e));
    app = createApplication({ store, bus, clock: { now: () => Date.now() } });
    for (const name of ['alice', 'bob', 'carol', 'admin']) {
      ids[name] = (await app.users.create(SYSTEM_ACTOR, { login: `${name}@example.com`, displayName: name.toUpperCase(), isAdmin: name === 'admin' })).id;
    }
    const member = (name: string) => ({ kind: 'user' as const, id: ids[name] as number });
    const category = await app.categories.create(SYSTEM_ACTOR, { name: 'Desk', allowed: ['alice', 'bob', 'carol', 'admin'].map(member) });
    open = (await app.rooms.create(SYSTEM_ACTOR, { name: 'desk', categoryId: category.id, members: ['alice', 'bob', 'carol', 'admin'].map(member) })).room.id;
    secret = (await app.rooms.create(SYSTEM_ACTOR, { name: 'hidden', categoryId: category.id, privacy: 'secret', members: [member('alice'), member('bob')] })).room.id;
    await app.feeds.matcher.start();
  });
  after(async () => {
    await app.flush();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds messages with every word, by others, only where the owner may read; never a conversation the owner is not in', async () => {
    const carolFeed = await app.feeds.create(await actor('carol'), { words: 'Release NOTES' });
    const adminFeed = await app.feeds.create(await actor('admin'), { words: 'release notes' });
    assert.deepEqual(carolFeed.words, ['release', 'notes']);
    assert.equal(carolFeed.name, 'release notes');
    await say('alice', open, 'The notes for the Rélease are out');
    await say('alice', open, 'release day');
    await say('alice', secret, 'secret release notes');
    const direct = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    await say('alice', direct.room.id, 'direct release notes');
    await say('carol', open, 'my own release notes');
    assert.deepEqual(hitsOf('carol'), ['The notes for the Rélease are out'], 'no secret room, no direct conversation, not her own message');
    assert.deepEqual(
      hitsOf('admin'),
      ['The notes for the Rélease are out', 'secret release notes', 'my own release notes'],
      "an administrator may read secret rooms, never other people's conversations",
    );
    const [view] = await app.feeds.list(await actor('carol'));
    assert.equal(view?.unread, 1);
    const page = await app.feeds.messages(await actor('carol'), carolFeed.id);
    assert.deepEqual(page.hits.map((h) => [h.message.text, h.roomName, h.authorName]), [['The notes for the Rélease are out', 'desk', 'ALICE']]);
    await app.feeds.markRead(await actor('carol'), carolFeed.id, { hitId: page.hits[0]?.hitId });
    assert.equal((await app.feeds.get(await actor('carol'), carolFeed.id)).unread, 0);
    await app.feeds.remove(await actor('admin'), adminFeed.id);
  });

  it('holds the author and room constraints, and follows changes and deletion at once', async () => {
    const bob = await actor('bob');
    const feed = await app.feeds.create(bob, { words: 'deploy', authorId: ids.alice, roomIds: [secret] });
    assert.deepEqual(feed.rooms, [{ id: secret, name: 'hidden' }]);
    await say('carol', open, 'deploy now');
    await say('alice', open, 'deploy here');
    await say('alice', secret, 'deploy there');
    assert.deepEqual(hitsOf('bob'), ['deploy there']);
    assert.deepEqual((await app.feeds.messages(bob, feed.id)).hits.map((h) => h.message.text), ['deploy there']);
    // Out of the secret room: its hits are neither listed nor counted any more.
    await app.rooms.update(SYSTEM_ACTOR, secret, { members: [{ kind: 'user', id: ids.alice as number }] });
    const outside = await actor('bob');
    assert.deepEqual((await app.feeds.messages(outside, feed.id)).hits, []);
    assert.equal((await app.feeds.get(outside, feed.id)).unread, 0);
    assert.deepEqual((await app.feeds.get(outside, feed.id)).rooms, [], 'nor is the room named');
    await app.rooms.update(SYSTEM_ACTOR, secret, { members: [{ kind: 'user', id: ids.alice as number }, { kind: 'user', id: ids.bob as number }] });
    assert.equal((await app.feeds.get(await actor('bob'), feed.id)).unread, 1, 'back in: counted again');
    await app.feeds.update(bob, feed.id, { words: 'rollback' });
    await say('carol', open, 'rollback now; deploy later');
    await app.feeds.remove(bob, feed.id);
    await say('carol', open, 'rollback again');
    assert.deepEqual(hitsOf('bob'), ['deploy there', 'rollback now; deploy later']);
  });

  it('learns of filters changed by another process through feed.changed events', async () => {
    // Written straight to the store, as another node would, then announced as the shared event log delivers it.
    const elsewhere = await store.feeds.create({ userId: ids.carol as number, name: 'n', words: ['kubernetes'], authorId: null, roomIds: null, createdAt: 1 }, 100);
    assert.ok(elsewhere);
    await say('alice', open, 'kubernetes before the event');
    await app.context.bus.publish({ type: 'feed.changed', userId: ids.carol as number, filterId: elsewhere.id });
    await new Promise((resolve) => setImmediate(resolve));
    await say('alice', open, 'kubernetes after the event');
    await store.feeds.remove(elsewhere.id, ids.carol as number);
    await app.context.bus.publish({ type: 'feed.changed', userId: ids.carol as number, filterId: elsewhere.id });
    await new Promise((resolve) => setImmediate(resolve));
    await say('alice', open, 'kubernetes after the deletion');
    assert.deepEqual(hitsOf('carol').filter((t) => t?.startsWith('kubernetes')), ['kubernetes after the event']);
  });

  it('refuses bad filters with the field named, and keeps a user\'s filters to that user', async () => {
    const carol = await actor('carol');
    await assert.rejects(app.feeds.create(carol, { words: ' ,;- ' }), fails('invalid_input', 'words'));
    await assert.rejects(app.feeds.create(carol, { words: 'a b c d e f g h i' }), fails('invalid_input', 'words'));
    await assert.rejects(app.feeds.create(carol, { words: 'x'.repeat(65) }), fails('invalid_input', 'words'));
    await assert.rejects(app.feeds.create(carol, { words: 'x', roomIds: [open, secret] }), fails('invalid_input', 'roomIds.1'));
    await assert.rejects(app.feeds.create(carol, { words: 'x', authorId: 99_999 }), fails('invalid_input', 'authorId'));
    await assert.rejects(app.feeds.create(carol, { words: 'x', authorId: ids.carol }), fails('invalid_input', 'authorId'));
    await assert.rejects(app.feeds.create(carol, { words: 'x', colour: 'red' }), fails('invalid_input', 'colour'));
    const mine = await app.feeds.create(carol, { words: 'mine' });
    const bob = await actor('bob');
    await assert.rejects(app.feeds.get(bob, mine.id), fails('not_found'));
    await assert.rejects(app.feeds.messages(bob, mine.id), fails('not_found'));
    await assert.rejects(app.feeds.update(bob, mine.id, { words: 'x' }), fails('not_found'));
    await assert.rejects(app.feeds.remove(bob, mine.id), fails('not_found'));
    for (let i = (await app.feeds.list(carol)).length; i < 100; i++) await app.feeds.create(carol, { words: `w${i}` });
    await assert.rejects(app.feeds.create(carol, { words: 'one more' }), fails('conflict'));
  });
});
