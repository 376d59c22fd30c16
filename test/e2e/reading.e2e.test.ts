import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, group, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { PASSWORD } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('reading state: followed rooms, unread counts, eligible principals', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let category: number;
  let room: number;
  let secret: number;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice');
    bob = await createUser(admin, 'bob');
    category = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id)] });
    room = await createRoom(admin, 'general', category, { members: [user(alice.id), user(bob.id)] });
    secret = await createRoom(admin, 'hidden', category, { privacy: 'secret', members: [user(bob.id)] });
  });
  after(() => server.stop());

  it('stores followed rooms on the server, so a second sign-in finds them', async () => {
    expectStatus(await alice.api.put(`/api/v1/me/rooms/${room}`, { followed: true }), 200);
    const elsewhere = await Api.login(server.url, 'alice', PASSWORD);
    const { rooms } = expectStatus(await elsewhere.get('/api/v1/me/rooms'), 200);
    assert.deepEqual(rooms.map((r: any) => [r.roomId, r.followed]), [[room, true]]);
  });

  it('counts unread messages after the last one read, and moves positions forward only', async () => {
    for (const text of ['one', 'two', 'three']) expectStatus(await bob.api.post(`/api/v1/rooms/${room}/messages`, { text }), 201);
    let view = expectStatus(await alice.api.get('/api/v1/me/rooms'), 200).rooms[0];
    assert.deepEqual([view.lastRead, view.lastSeq, view.unread], [0, 3, 3]);
    view = expectStatus(await alice.api.put(`/api/v1/me/rooms/${room}/read`, { seq: 2 }), 200);
    assert.equal(view.unread, 1);
    view = expectStatus(await alice.api.put(`/api/v1/me/rooms/${room}/read`, { seq: 1 }), 200);
    assert.equal(view.lastRead, 2, 'an older position does not move it back');
    view = expectStatus(await alice.api.put(`/api/v1/me/rooms/${room}/read`, { seq: 99 }), 200);
    assert.deepEqual([view.lastRead, view.unread], [3, 0], 'a position past the end is clamped');
  });

  it('answers room_not_found for secret rooms, and explains bad input', async () => {
    const hidden = await alice.api.put(`/api/v1/me/rooms/${secret}`, { followed: true });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.error.code, 'room_not_found');
    const bad = await alice.api.put(`/api/v1/me/rooms/${room}/read`, { seq: -1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'seq');
  });

  it('drops rooms the user may no longer read from the list', async () => {
    expectStatus(await bob.api.put(`/api/v1/me/rooms/${secret}`, { followed: true }), 200);
    expectStatus(await admin.patch(`/api/v1/rooms/${secret}`, { members: [] }), 200);
    const { rooms } = expectStatus(await bob.api.get('/api/v1/me/rooms'), 200);
    assert.equal(rooms.some((r: any) => r.roomId === secret), false);
  });

  it('lists the principals a category allows, minus the denied ones', async () => {
    const staff = expectStatus(await admin.post('/api/v1/groups', { name: 'staff', members: [user(alice.id)] }), 201).id;
    const walled = await createCategory(admin, 'Walled', { allowed: [group(staff), user(bob.id)], denied: [user(bob.id)] });
    const { principals } = expectStatus(await alice.api.get(`/api/v1/categories/${walled}/eligible`), 200);
    assert.deepEqual(principals.map((p: any) => `${p.kind}:${p.name}`).sort(), ['group:staff', 'user:alice']);
    assert.equal((await bob.api.get(`/api/v1/categories/${walled}/eligible`)).status, 404, 'bob is denied: the category is not his to see');
  });
});
