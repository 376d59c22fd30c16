import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { DIRECT_DISABLED_MESSAGE } from '../../src/core/direct.js';
import { PchatError } from '../../src/core/errors.js';
import type { Actor } from '../../src/core/permissions.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import type { DomainEvent } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

const fails = (code: string, field?: string, words?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof PchatError, String(error));
  assert.equal(error.code, code, error.message);
  if (field !== undefined) assert.equal(error.field, field, error.message);
  if (words) assert.match(error.message, words);
  return true;
};

/** Direct conversations through the application: opening, listing, the permission model and the policy. */
describe('direct conversations (app)', () => {
  let dir: string;
  let store: Store;
  let app: Application;
  let events: DomainEvent[];
  const ids: Record<string, number> = {};
  const actor = async (name: string): Promise<Actor> => app.sessions.actorFor(ids[name] as number);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-direct-app-'));
    store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
    const bus = new LocalEventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    app = createApplication({ store, bus, clock: { now: () => Date.now() } });
    for (const name of ['alice', 'bob', 'carol', 'dave', 'admin', 'gone', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']) {
      const user = await app.users.create(SYSTEM_ACTOR, { login: `${name}@example.com`, displayName: name.toUpperCase(), isAdmin: name === 'admin' });
      ids[name] = user.id;
    }
    await app.users.update(SYSTEM_ACTOR, ids.gone as number, { disabled: true });
  });
  afterEach(async () => {
    await app.flush();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens one conversation per pair, by id or login, whoever opens it again', async () => {
    const first = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    assert.equal(first.created, true);
    assert.deepEqual(first.participants.map((u) => u.login), ['alice@example.com', 'bob@example.com']);
    const again = await app.direct.open(await actor('alice'), { participants: ['BOB@example.com'] });
    const fromBob = await app.direct.open(await actor('bob'), { participants: ['alice@example.com', ids.bob] });
    assert.deepEqual([again.created, fromBob.created], [false, false]);
    assert.equal(again.room.id, first.room.id);
    assert.equal(fromBob.room.id, first.room.id);
    const opened = events.filter((e) => e.type === 'direct.opened');
    assert.deepEqual(opened, [{ type: 'direct.opened', roomId: first.room.id, userIds: [ids.alice, ids.bob] }]);
    // Groups are not unique: two groups of the same people are two conversations.
    const g1 = await app.direct.open(await actor('alice'), { participants: [ids.bob, ids.carol] });
    const g2 = await app.direct.open(await actor('alice'), { participants: [ids.bob, ids.carol] });
    assert.notEqual(g1.room.id, g2.room.id);
  });

  it('opens one conversation when both people open it at the same moment', async () => {
    const [alice, bob] = [await actor('alice'), await actor('bob')];
    const [x, y] = await Promise.all([app.direct.open(alice, { participants: [ids.bob] }), app.direct.open(bob, { participants: [ids.alice] })]);
    assert.equal(x.room.id, y.room.id, 'both get the same conversation');
    assert.deepEqual([x.created, y.created].filter(Boolean), [true], 'exactly one of them created it');
    assert.equal((await app.direct.list(alice)).length, 1);
    assert.equal((await app.direct.list(bob)).length, 1);
  });

  it('refuses bad participant lists with the field at fault', async () => {
    const alice = await actor('alice');
    await assert.rejects(app.direct.open(alice, { participants: [ids.alice] }), fails('invalid_input', 'participants', /you alone/));
    await assert.rejects(app.direct.open(alice, { participants: [] }), fails('invalid_input', 'participants'));
    await assert.rejects(app.direct.open(alice, { participants: [ids.bob, 'nobody@example.com'] }), fails('invalid_input', 'participants.1', /nobody@example.com/));
    await assert.rejects(app.direct.open(alice, { participants: [987654] }), fails('invalid_input', 'participants.0', /987654/));
    await assert.rejects(app.direct.open(alice, { participants: [ids.gone] }), fails('invalid_input', 'participants.0', /disabled/));
    const eight = ['bob', 'carol', 'dave', 'e1', 'e2', 'e3', 'e4', 'e5'].map((n) => ids[n] as number);
    await assert.rejects(app.direct.open(alice, { participants: eight }), fails('invalid_input', 'participants', /at most 8/));
    assert.equal((await app.direct.open(alice, { participants: eight.slice(0, 7) })).participants.length, 8, 'eight people in all is the most');
    await assert.rejects(app.direct.open(alice, { participants: [ids.bob], name: 'x' }), fails('invalid_input', 'name'));
  });

  it('shows a conversation to its participants only: everyone else, administrators included, gets room_not_found', async () => {
    const { room } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    await app.messages.post(await actor('alice'), room.id, { text: 'secret plans for friday' });
    await app.messages.post(await actor('bob'), room.id, { text: 'count me in' });
    const bob = await actor('bob');
    for (const name of ['carol', 'admin']) {
      const other = await actor(name);
      await assert.rejects(app.direct.get(other, room.id), fails('room_not_found'), name);
      await assert.rejects(app.rooms.get(other, room.id), fails('room_not_found'), name);
      await assert.rejects(app.messages.history(other, room.id), fails('room_not_found'), name);
      await assert.rejects(app.messages.open(other, room.id, null), fails('room_not_found'), name);
      await assert.rejects(app.messages.post(other, room.id, { text: 'hi' }), fails('room_not_found'), name);
      await assert.rejects(app.search.search(other, { q: 'plans', roomId: room.id }), fails('room_not_found'), name);
      assert.deepEqual((await app.search.search(other, { q: 'plans' })).hits, [], name);
      await assert.rejects(app.reading.markRead(other, room.id, { seq: 1 }), fails('room_not_found'), name);
      await assert.rejects(app.reading.follow(other, room.id, { followed: true }), fails('room_not_found'), name);
      await assert.rejects(app.rooms.update(other, room.id, { description: 'mine now' }), fails('room_not_found'), name);
      assert.equal((await app.rooms.directory(other)).rooms.some((v) => v.room.id === room.id), false, name);
      assert.deepEqual(await app.direct.list(other), [], name);
    }
    await assert.rejects(app.rooms.remove(await actor('admin'), room.id), fails('room_not_found'));
    await assert.rejects(app.rooms.get(SYSTEM_ACTOR, room.id), fails('room_not_found'), 'the CLI administrator');
    assert.equal((await app.rooms.directory(SYSTEM_ACTOR)).rooms.some((v) => v.room.id === room.id), false, 'pchat room list');
    await assert.rejects(app.rooms.getByName(bob, room.name), fails('room_not_found'), 'not by its internal name either');
    assert.equal((await app.categories.list(SYSTEM_ACTOR)).some((c) => c.id === room.categoryId), false, 'its category is listed nowhere');
    await assert.rejects(app.moderation.clearRoom(SYSTEM_ACTOR, room.id, { upTo: new Date().toISOString() }), fails('room_not_found'));
    // Moderation by author neither counts nor touches direct messages.
    const swept = await app.moderation.removeMessages(SYSTEM_ACTOR, { authorId: ids.alice, action: 'remove', dryRun: true });
    assert.deepEqual(swept, { matched: 0, rooms: [] });
    // Participants read, search and post; nobody manages, not even them; it is no room of the directory.
    assert.deepEqual((await app.messages.history(bob, room.id)).messages.map((m) => m.text), ['secret plans for friday', 'count me in']);
    const hits = (await app.search.search(bob, { q: 'plans' })).hits;
    assert.deepEqual(hits.map((h) => [h.message.text, h.roomName]), [['secret plans for friday', 'ALICE']]);
    await assert.rejects(app.rooms.update(bob, room.id, { description: 'ours' }), fails('not_permitted'));
    assert.equal((await app.rooms.directory(bob)).rooms.some((v) => v.room.id === room.id), false);
    assert.equal((await app.rooms.get(bob, room.id)).can.manage, false);
    // Compliance records it like any room's messages.
    const chat = (await app.compliance.list(SYSTEM_ACTOR, { roomId: room.id, type: 'CHAT' })).events;
    assert.deepEqual(chat.map((e) => [e.userId, (e.data as { text: string }).text]), [[ids.alice, 'secret plans for friday'], [ids.bob, 'count me in']]);
    // The compliance export names the conversation by its participants, never by its internal name.
    await app.flush();
    const parts: string[] = [];
    await app.complianceExport.export(SYSTEM_ACTOR, { format: 'jsonl' }, { write: async (chunk) => void parts.push(chunk) });
    const exported = parts.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; room: { id: number; name: string } });
    const names = new Set(exported.filter((l) => l.room.id === room.id).map((l) => l.room.name));
    assert.deepEqual([...names], ['direct: alice@example.com, bob@example.com']);
  });

  it('lists my conversations with unread counts and the last message, most recent first', async () => {
    const withBob = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    const withCarol = await app.direct.open(await actor('carol'), { participants: [ids.alice] });
    await app.messages.post(await actor('bob'), withBob.room.id, { text: 'one' });
    await app.messages.post(await actor('bob'), withBob.room.id, { text: 'two' });
    await app.messages.post(await actor('carol'), withCarol.room.id, { text: 'three' });
    const alice = await actor('alice');
    let list = await app.direct.list(alice);
    assert.deepEqual(list.map((v) => [v.room.id, v.unread, v.lastMessage?.text]), [[withCarol.room.id, 1, 'three'], [withBob.room.id, 2, 'two']]);
    await app.reading.markRead(alice, withBob.room.id, { seq: 2 });
    list = await app.direct.list(alice);
    assert.deepEqual(list.map((v) => v.unread), [1, 0]);
    assert.deepEqual((await app.direct.list(await actor('bob'))).map((v) => [v.room.id, v.unread]), [[withBob.room.id, 2]]);
  });

  it('switches direct messages off by policy (global, site, user): no starting, no posting, still reading', async () => {
    const { room } = await app.direct.open(await actor('alice'), { participants: [ids.bob] });
    await app.messages.post(await actor('bob'), room.id, { text: 'before the switch' });
    await app.settings.setPolicy(SYSTEM_ACTOR, { kind: 'direct', scope: 'global', enabled: false });
    const alice = await actor('alice');
    assert.equal(alice.directEnabled, false);
    assert.equal(alice.chatEnabled, true, 'the chat policy is another switch');
    await assert.rejects(app.direct.open(alice, { participants: [ids.carol] }), fails('not_permitted', undefined, /switched off/));
    await assert.rejects(app.messages.post(alice, room.id, { text: 'after' }), (e) => fails('not_permitted')(e) && (e as Error).message === DIRECT_DISABLED_MESSAGE);
    assert.equal((await app.messages.history(alice, room.id)).messages.length, 1, 'reading stays allowed');
    assert.equal((await app.direct.get(alice, room.id)).canPost, false);
    // A site rule wins over the global one, a user rule over both.
    const site = await app.groups.create(SYSTEM_ACTOR, { name: 'talkers', members: [{ kind: 'user', id: ids.alice }, { kind: 'user', id: ids.bob }] });
    await app.settings.setPolicy(SYSTEM_ACTOR, { kind: 'direct', scope: 'site', targetId: site.id, enabled: true });
    await app.messages.post(await actor('alice'), room.id, { text: 'the site may' });
    await app.settings.setPolicy(SYSTEM_ACTOR, { kind: 'direct', scope: 'user', targetId: ids.bob, enabled: false });
    await assert.rejects(app.messages.post(await actor('bob'), room.id, { text: 'bob may not' }), fails('not_permitted'));
    // Starting a conversation with someone whose policy is off says so, naming the field.
    await assert.rejects(app.direct.open(await actor('alice'), { participants: [ids.carol] }), fails('invalid_input', 'participants.0', /policy/));
    assert.deepEqual((await app.settings.listPolicies(SYSTEM_ACTOR, 'direct')).map((r) => [r.scope, r.enabled]), [['global', false], ['site', true], ['user', false]]);
    assert.deepEqual((await app.settings.listPolicies(SYSTEM_ACTOR)).map((r) => [r.scope, r.enabled]), [['global', true]], 'the chat policy is untouched');
    await app.settings.removePolicy(SYSTEM_ACTOR, { kind: 'direct', scope: 'global' });
    await app.direct.open(await actor('carol'), { participants: [ids.dave] });
    // Without persistent chat at all, no direct conversation either, not even to read.
    await app.settings.setPolicy(SYSTEM_ACTOR, { scope: 'user', targetId: ids.alice, enabled: false });
    await assert.rejects(app.messages.history(await actor('alice'), room.id), fails('room_not_found'));
  });
});
