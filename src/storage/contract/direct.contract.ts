import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DIRECT_CATEGORY_ID } from '../../core/direct.js';
import { PchatError } from '../../core/errors.js';
import type { Room } from '../../core/model.js';
import type { Store } from '../../ports/store.js';
import { post, seedRoom, type StoreFactory } from './harness.js';

const rejectsWith = (code: string, field?: string) => (error: unknown) =>
  error instanceof PchatError && error.code === code && (field === undefined || error.field === field);

/** A direct conversation as the application creates one (app/direct.ts). */
function conversation(userIds: readonly number[], name: string): Omit<Room, 'id' | 'createdAt'> {
  return {
    name,
    description: '',
    categoryId: DIRECT_CATEGORY_ID,
    privacy: 'secret',
    type: 'normal',
    members: userIds.map((id) => ({ kind: 'user' as const, id })),
    managers: [],
    presenters: [],
    invitations: 'false',
    addinId: null,
    disabled: false,
    origin: null,
    legacyUri: null,
    direct: true,
  };
}

/** Direct conversations (migration 0015): the marker, the unique pair, the hidden category, the policy list. */
export function directContract(factory: StoreFactory): void {
  describe(`${factory.name} store: direct conversations`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(() => factory.destroy(store));

    const user = async (login: string): Promise<number> =>
      (await store.users.create({ login, displayName: login, email: null, disabled: false, isAdmin: false, origin: null, passwordHash: null })).id;

    it('keeps the direct marker and the participants; ordinary rooms are not direct', async () => {
      const { roomId } = await seedRoom(store);
      const [a, b, c] = [await user('a@x'), await user('b@x'), await user('c@x')];
      const pair = await store.rooms.create(conversation([a, b], ' direct one'));
      const group = await store.rooms.create(conversation([a, b, c], ' direct two'));
      assert.equal((await store.rooms.get(pair.id))?.direct, true);
      assert.deepEqual((await store.rooms.get(group.id))?.members.map((m) => m.id), [a, b, c]);
      assert.equal((await store.rooms.get(roomId))?.direct, false);
      const listed = await store.rooms.list();
      assert.deepEqual(listed.filter((r) => r.direct).map((r) => r.id), [pair.id, group.id]);
      assert.equal(listed.find((r) => r.id === pair.id)?.categoryId, DIRECT_CATEGORY_ID);
      // Messages, history and search work as in any room.
      await store.messages.append([post(pair.id, a, 'hello there'), post(pair.id, b, 'hi back')]);
      assert.deepEqual((await store.messages.history({ roomId: pair.id, limit: 10 })).map((m) => m.text), ['hello there', 'hi back']);
      assert.deepEqual((await store.messages.search({ terms: ['back'], roomIds: [pair.id], limit: 10 })).map((m) => m.text), ['hi back']);
      assert.deepEqual((await store.compliance.list({ roomId: pair.id, limit: 10 })).map((e) => e.type), ['CHAT', 'CHAT']);
    });

    it('allows one one-to-one conversation per pair, in either order, and any number of groups', async () => {
      const [a, b, c] = [await user('a@x'), await user('b@x'), await user('c@x')];
      await store.rooms.create(conversation([a, b], ' direct 1'));
      await assert.rejects(store.rooms.create(conversation([b, a], ' direct 2')), rejectsWith('conflict', 'participants'));
      await store.rooms.create(conversation([a, b, c], ' direct 3'));
      await store.rooms.create(conversation([a, b, c], ' direct 4'));
      await store.rooms.create(conversation([a, c], ' direct 5'));
      // An ordinary room with the same two members is no conversation and does not count.
      const { categoryId } = await seedRoom(store, 'plain');
      await store.rooms.create({ ...conversation([a, b], 'ordinary'), categoryId, direct: false, privacy: 'closed' });
      assert.equal((await store.rooms.list()).filter((r) => r.direct).length, 4);
    });

    it('never lists or finds the hidden category of direct conversations', async () => {
      const { categoryId } = await seedRoom(store);
      assert.deepEqual((await store.categories.list()).map((c) => c.id), [categoryId]);
      assert.equal(await store.categories.get(DIRECT_CATEGORY_ID), null);
      assert.equal(await store.categories.getByName(' direct conversations'), null);
      // Its name cannot be taken by a validated name, and a new category never gets its id.
      const other = await store.categories.create({ name: 'direct conversations', description: '', allowed: [], denied: [], creators: [], invitations: true, fileUpload: true, chatHistory: true, origin: null });
      assert.notEqual(other.id, DIRECT_CATEGORY_ID);
    });

    it('keeps the direct-message policy apart from the chat policy, and forgets a removed site', async () => {
      const a = await user('a@x');
      const site = await store.groups.create({ name: 'interns', description: '', members: [{ kind: 'user', id: a }], origin: null });
      assert.deepEqual(await store.directPolicies.list(), [], 'no rule: enabled by default');
      await store.directPolicies.set({ scope: 'global', targetId: null, enabled: false });
      await store.directPolicies.set({ scope: 'site', targetId: site.id, enabled: true });
      await store.directPolicies.set({ scope: 'user', targetId: a, enabled: false });
      await store.directPolicies.set({ scope: 'user', targetId: a, enabled: true });
      assert.deepEqual(await store.directPolicies.list(), [
        { scope: 'global', targetId: null, enabled: false },
        { scope: 'site', targetId: site.id, enabled: true },
        { scope: 'user', targetId: a, enabled: true },
      ]);
      assert.deepEqual(await store.policies.list(), [{ scope: 'global', targetId: null, enabled: true }], 'the chat policy is untouched');
      assert.equal(await store.directPolicies.remove('user', a), true);
      assert.equal(await store.directPolicies.remove('user', a), false);
      await store.groups.remove(site.id);
      assert.deepEqual(await store.directPolicies.list(), [{ scope: 'global', targetId: null, enabled: false }]);
    });
  });
}
