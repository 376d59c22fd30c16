import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PchatError } from '../../core/errors.js';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

const rejectsWith = (code: string) => (error: unknown) => error instanceof PchatError && error.code === code;

/** Users, groups, categories, rooms, add-ins, policies and settings. */
export function directoryContract(factory: StoreFactory): void {
  describe(`${factory.name} store: directory`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    it('creates users with unique, case-insensitive logins and keeps password hashes apart', async () => {
      const u = await store.users.create({ login: 'Alice@Example.com', displayName: 'Alice', email: 'a@example.com', disabled: false, isAdmin: true, origin: { system: 'groupchat', id: '7' }, passwordHash: 'h1' });
      assert.equal((await store.users.getByLogin('alice@example.com'))?.id, u.id);
      assert.deepEqual((await store.users.get(u.id))?.origin, { system: 'groupchat', id: '7' });
      assert.equal(await store.users.passwordHash(u.id), 'h1');
      await store.users.setPasswordHash(u.id, 'h2');
      assert.equal(await store.users.passwordHash(u.id), 'h2');
      assert.equal(await store.users.countAdmins(), 1);
      await assert.rejects(
        store.users.create({ login: 'ALICE@example.com', displayName: 'x', email: null, disabled: false, isAdmin: false, origin: null, passwordHash: null }),
        rejectsWith('name_taken'),
      );
      await store.users.update({ ...u, disabled: true });
      assert.equal((await store.users.get(u.id))?.disabled, true);
      assert.equal(await store.users.countAdmins(), 0, 'a disabled admin does not count');
    });

    it('keeps group members in order and forgets a removed group everywhere', async () => {
      const { userId, categoryId, roomId } = await seedRoom(store);
      const inner = await store.groups.create({ name: 'inner', description: '', members: [{ kind: 'user', id: userId }], origin: null });
      const outer = await store.groups.create({ name: 'outer', description: 'd', members: [{ kind: 'group', id: inner.id }, { kind: 'user', id: userId }], origin: null });
      assert.deepEqual((await store.groups.get(outer.id))?.members, [{ kind: 'group', id: inner.id }, { kind: 'user', id: userId }]);
      const category = await store.categories.get(categoryId);
      await store.categories.update({ ...category!, allowed: [...category!.allowed, { kind: 'group', id: inner.id }] });
      const room = await store.rooms.get(roomId);
      await store.rooms.update({ ...room!, managers: [{ kind: 'group', id: inner.id }] });
      await store.policies.set({ scope: 'site', targetId: inner.id, enabled: false });

      await store.groups.remove(inner.id);
      assert.equal(await store.groups.get(inner.id), null);
      assert.deepEqual((await store.groups.get(outer.id))?.members, [{ kind: 'user', id: userId }]);
      assert.deepEqual((await store.categories.get(categoryId))?.allowed, [{ kind: 'user', id: userId }]);
      assert.deepEqual((await store.rooms.get(roomId))?.managers, []);
      assert.equal((await store.policies.list()).some((p) => p.scope === 'site'), false);
    });

    it('adds a member at the end of a group once, however often asked', async () => {
      const { userId } = await seedRoom(store);
      const other = await store.users.create({ login: 'other@example.com', displayName: 'Other', email: null, disabled: false, isAdmin: false, origin: null, passwordHash: null });
      const empty = await store.groups.create({ name: 'empty', description: '', members: [], origin: null });
      assert.equal(await store.groups.addMember(empty.id, { kind: 'user', id: userId }), true);
      assert.deepEqual((await store.groups.get(empty.id))?.members, [{ kind: 'user', id: userId }]);
      const both = await Promise.all([store.groups.addMember(empty.id, { kind: 'user', id: other.id }), store.groups.addMember(empty.id, { kind: 'user', id: userId })]);
      assert.deepEqual(both, [true, false], 'the second was a member already');
      assert.deepEqual((await store.groups.get(empty.id))?.members, [{ kind: 'user', id: userId }, { kind: 'user', id: other.id }]);
    });

    it('round-trips categories with their three lists and refuses to remove a non-empty one', async () => {
      const { userId, categoryId, roomId } = await seedRoom(store);
      const c = await store.categories.create({
        name: 'Trading',
        description: 'desk',
        allowed: [{ kind: 'user', id: userId }],
        denied: [{ kind: 'user', id: 999 }],
        creators: [{ kind: 'user', id: userId }],
        invitations: false,
        fileUpload: false,
        chatHistory: false,
        origin: null,
      });
      assert.deepEqual(await store.categories.get(c.id), c);
      assert.equal((await store.categories.getByName('TRADING'))?.id, c.id);
      await assert.rejects(store.categories.create({ ...c, name: 'trading' }), rejectsWith('name_taken'));
      await assert.rejects(store.categories.remove(categoryId), rejectsWith('category_not_empty'));
      await store.rooms.remove(roomId);
      await store.categories.remove(categoryId);
      assert.equal(await store.categories.get(categoryId), null);
      assert.deepEqual((await store.categories.list()).map((x) => x.name), ['Trading']);
    });

    it('round-trips rooms with role lists, unique names, and deletes their history with them', async () => {
      const { userId, roomId } = await seedRoom(store, 'Ops');
      const room = await store.rooms.get(roomId);
      const changed = { ...room!, privacy: 'secret' as const, type: 'auditorium' as const, presenters: [{ kind: 'user' as const, id: userId }], description: 'on call', invitations: 'false' as const };
      await store.rooms.update(changed);
      assert.deepEqual(await store.rooms.get(roomId), changed);
      assert.equal((await store.rooms.getByName('ops'))?.id, roomId);
      await assert.rejects(store.rooms.create({ ...changed, name: 'OPS' }), rejectsWith('name_taken'));
      await store.messages.append([post(roomId, userId, 'hello')]);
      assert.equal(await store.rooms.lastSeq(roomId), 1);
      await store.rooms.remove(roomId);
      assert.equal(await store.rooms.get(roomId), null);
      assert.deepEqual(await store.messages.history({ roomId, limit: 10 }), []);
    });

    it('keeps a room\'s legacy URI as written, unique ignoring case, and many rooms without one', async () => {
      const { roomId } = await seedRoom(store, 'legacy');
      const room = (await store.rooms.get(roomId))!;
      assert.equal(room.legacyUri, null);
      const uri = 'ma-chan://Example.com/7F525C3E-7d41-4ce5-895e-3e6ba72fd601';
      await store.rooms.update({ ...room, legacyUri: uri });
      assert.equal((await store.rooms.get(roomId))?.legacyUri, uri);
      const other = await store.rooms.create({ ...room, name: 'other', legacyUri: null });
      const third = await store.rooms.create({ ...room, name: 'third', legacyUri: 'ma-chan://example.com/b3f71199-4e2b-4132-8cc6-db5381a76324' });
      assert.equal((await store.rooms.get(third.id))?.legacyUri, 'ma-chan://example.com/b3f71199-4e2b-4132-8cc6-db5381a76324');
      assert.equal((await store.rooms.get(other.id))?.legacyUri, null);
      const clash = (error: unknown) => error instanceof PchatError && error.code === 'conflict' && error.field === 'legacyUri';
      await assert.rejects(store.rooms.create({ ...room, name: 'fourth', legacyUri: uri.toLowerCase() }), clash);
      await assert.rejects(store.rooms.update({ ...(await store.rooms.get(other.id))!, legacyUri: uri.toUpperCase() }), clash);
      await assert.rejects(store.rooms.create({ ...room, name: 'LEGACY', legacyUri: null }), rejectsWith('name_taken'), 'a name clash is still name_taken');
      assert.equal((await store.rooms.getByName('fourth')), null);
      assert.equal((await store.rooms.get(other.id))?.legacyUri, null);
      assert.deepEqual((await store.rooms.list()).map((r) => [r.name, r.legacyUri]), [['legacy', uri], ['other', null], ['third', 'ma-chan://example.com/b3f71199-4e2b-4132-8cc6-db5381a76324']]);
      // Cleared, the URI is free for another room.
      await store.rooms.update({ ...(await store.rooms.get(roomId))!, legacyUri: null });
      await store.rooms.update({ ...(await store.rooms.get(other.id))!, legacyUri: uri });
      assert.equal((await store.rooms.get(other.id))?.legacyUri, uri);
    });

    it('detaches a removed add-in from rooms', async () => {
      const { roomId } = await seedRoom(store);
      const addin = await store.addins.create({ name: 'Wiki', url: 'https://wiki.example.com/' });
      await assert.rejects(store.addins.create({ name: 'wiki', url: 'https://x.example.com/' }), rejectsWith('name_taken'));
      const room = await store.rooms.get(roomId);
      await store.rooms.update({ ...room!, addinId: addin.id });
      await store.addins.update({ ...addin, url: 'https://wiki2.example.com/' });
      assert.equal((await store.addins.get(addin.id))?.url, 'https://wiki2.example.com/');
      await store.addins.remove(addin.id);
      assert.equal((await store.rooms.get(roomId))?.addinId, null);
    });

    it('starts with chat enabled globally and upserts policy rules', async () => {
      assert.deepEqual(await store.policies.list(), [{ scope: 'global', targetId: null, enabled: true }]);
      await store.policies.set({ scope: 'global', targetId: null, enabled: false });
      await store.policies.set({ scope: 'user', targetId: 5, enabled: true });
      assert.deepEqual(
        (await store.policies.list()).sort((a, b) => a.scope.localeCompare(b.scope)),
        [
          { scope: 'global', targetId: null, enabled: false },
          { scope: 'user', targetId: 5, enabled: true },
        ],
      );
      assert.equal(await store.policies.remove('user', 5), true);
      assert.equal(await store.policies.remove('user', 5), false);
    });

    it('keeps chat configuration with defaults for what was never set', async () => {
      const defaults = await store.settings.chatConfig();
      assert.equal(defaults.defaultChatHistory, 30);
      assert.equal(defaults.participantUpdateLimit, 75);
      await store.settings.setChatConfig({ ...defaults, defaultChatHistory: 50 });
      assert.equal((await store.settings.chatConfig()).defaultChatHistory, 50);
    });

    it('appends audit entries and lists them by actor', async () => {
      await store.audit.append({ at: 1, actorId: 0, isAdmin: true, action: 'rooms.create', target: '4', input: { name: 'x' }, outcome: 'ok' });
      await store.audit.append({ at: 2, actorId: 7, isAdmin: false, action: 'rooms.update', target: '4', input: null, outcome: 'not_permitted' });
      const all = await store.audit.list({ limit: 10 });
      assert.deepEqual(all.map((e) => [e.action, e.actorId, e.isAdmin, e.target, e.outcome]), [
        ['rooms.create', 0, true, '4', 'ok'],
        ['rooms.update', 7, false, '4', 'not_permitted'],
      ]);
      assert.deepEqual(all[0]?.input, { name: 'x' });
      assert.deepEqual((await store.audit.list({ actorId: 7, limit: 10 })).map((e) => e.at), [2]);
      assert.deepEqual((await store.audit.list({ afterId: all[0]!.id, limit: 10 })).map((e) => e.at), [2]);
    });

    it('carries events between processes through the event log', async () => {
      const start = await store.events.lastId();
      await store.events.append('node-a', ['{"type":"x"}', '{"type":"y"}']);
      const rows = await store.events.after(start, 10);
      assert.deepEqual(rows.map((r) => [r.node, r.payload]), [
        ['node-a', '{"type":"x"}'],
        ['node-a', '{"type":"y"}'],
      ]);
      assert.ok((rows[1]?.id ?? 0) > (rows[0]?.id ?? 0));
      assert.equal(await store.events.lastId(), rows[1]?.id);
      await store.events.prune(Date.now() + 1000);
      assert.deepEqual(await store.events.after(start, 10), []);
    });

    it('registers pool nodes, keeps a drained node drained across re-registration, and heartbeats', async () => {
      const node = { name: 'web-1:8080', host: 'web-1', pid: 42, startedAt: 1000, heartbeatAt: 1000, connections: { websocket: 0, irc: 0 } };
      assert.equal((await store.nodes.register(node)).active, true);
      assert.equal(await store.nodes.setActive('web-1:8080', false), true);
      assert.equal(await store.nodes.setActive('nobody:1', false), false);
      const again = await store.nodes.register({ ...node, pid: 43, startedAt: 2000, heartbeatAt: 2000 });
      assert.deepEqual(again, { ...node, pid: 43, startedAt: 2000, heartbeatAt: 2000, active: false });
      assert.equal(await store.nodes.heartbeat('web-1:8080', 3000, { websocket: 5, irc: 2 }), false);
      assert.equal(await store.nodes.heartbeat('nobody:1', 3000, { websocket: 0, irc: 0 }), null);
      assert.deepEqual(await store.nodes.list(), [{ ...node, pid: 43, startedAt: 2000, heartbeatAt: 3000, connections: { websocket: 5, irc: 2 }, active: false }]);
    });

    it('keeps the read-only maintenance state apart from the chat configuration', async () => {
      assert.equal(await store.settings.maintenance(), null);
      await store.settings.setMaintenance({ message: 'frozen', since: 5 });
      assert.deepEqual(await store.settings.maintenance(), { message: 'frozen', since: 5 });
      assert.equal((await store.settings.chatConfig()).defaultChatHistory, 30);
      await store.settings.setMaintenance(null);
      assert.equal(await store.settings.maintenance(), null);
    });

    it('keeps one instance id per database and the last identity mark written', async () => {
      const id = await store.settings.instanceId();
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal(await store.settings.instanceId(), id, 'made once, then kept');
      assert.equal(await store.settings.identityMark(), null);
      await store.settings.setIdentityMark('mark-1');
      await store.settings.setIdentityMark('mark-2');
      assert.equal(await store.settings.identityMark(), 'mark-2');
      assert.equal(await store.settings.instanceId(), id, 'a mark does not change the identity');
    });

    it('keeps the decommission mark apart from maintenance, and clears it', async () => {
      assert.equal(await store.settings.decommissioned(), null);
      const mark = { message: 'moved', newAddress: 'https://chat.example.com', since: 7 };
      await store.settings.setDecommissioned(mark);
      await store.settings.setDecommissioned(mark); // idempotent: a resumed migration sets it again
      assert.deepEqual(await store.settings.decommissioned(), mark);
      assert.equal(await store.settings.maintenance(), null);
      await store.settings.setDecommissioned(null);
      assert.equal(await store.settings.decommissioned(), null);
    });
  });
}
