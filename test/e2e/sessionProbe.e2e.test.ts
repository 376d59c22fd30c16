import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * GET /api/v1/session tells a page whether it is signed in without a 401 (which browsers log as
 * an error on every load before sign-in); it grants nothing, and the other routes keep their 401.
 */
describe('HTTP: the session probe and user principals', () => {
  let server: TestServer;
  let admin: Api;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  it('answers signedIn: false with 200 without a session, with a forged one and with an ended one', async () => {
    assert.deepEqual(expectStatus(await new Api(server.url).get('/api/v1/session'), 200), { signedIn: false });
    assert.deepEqual(expectStatus(await new Api(server.url, 'forged-token').get('/api/v1/session'), 200), { signedIn: false });
    const cookie = await fetch(`${server.url}/api/v1/session`, { headers: { cookie: 'pchat_session=forged' } });
    assert.equal(cookie.status, 200);
    assert.deepEqual(await cookie.json(), { signedIn: false });

    const alice = await createUser(admin, 'probe-alice@example.com', { displayName: 'Alice Probe' });
    const signedIn = expectStatus(await alice.api.get('/api/v1/session'), 200);
    assert.equal(signedIn.signedIn, true);
    assert.equal(signedIn.user.id, alice.id);
    assert.equal(signedIn.user.displayName, 'Alice Probe');
    assert.deepEqual(signedIn.user, expectStatus(await alice.api.get('/api/v1/me'), 200), 'the user as GET /me gives it');

    expectStatus(await alice.api.delete('/api/v1/sessions/current'), 204);
    assert.deepEqual(expectStatus(await alice.api.get('/api/v1/session'), 200), { signedIn: false }, 'a revoked token is not signed in');
  });

  it('grants nothing: every other route still answers 401 to the same request', async () => {
    for (const api of [new Api(server.url), new Api(server.url, 'forged-token')]) {
      for (const path of ['/api/v1/me', '/api/v1/rooms', '/api/v1/me/rooms']) {
        const res = await api.get(path);
        assert.equal(res.status, 401, path);
        assert.equal(res.body.error.code, 'unauthenticated');
      }
    }
  });

  it('says signedIn: false for a disabled account', async () => {
    const bob = await createUser(admin, 'probe-bob@example.com', { displayName: 'Bob Probe' });
    assert.equal(expectStatus(await bob.api.get('/api/v1/session'), 200).signedIn, true);
    expectStatus(await admin.patch(`/api/v1/users/${bob.id}`, { disabled: true }), 200);
    assert.deepEqual(expectStatus(await bob.api.get('/api/v1/session'), 200), { signedIn: false });
  });

  it('describes users in principal lists by display name and whether they are disabled; groups by name only', async () => {
    const carol = await createUser(admin, 'probe-carol@example.com', { displayName: 'Carol Presenter' });
    const dave = await createUser(admin, 'probe-dave@example.com', { displayName: 'Dave Gone' });
    const staff = expectStatus(await admin.post('/api/v1/groups', { name: 'probe staff', members: [user(carol.id)] }), 201);
    const category = await createCategory(admin, 'Probe talks', { allowed: [user(carol.id), user(dave.id), { kind: 'group', id: staff.id }] });
    const hall = await createRoom(admin, 'probe hall', category, { type: 'auditorium', presenters: [user(carol.id), user(dave.id), { kind: 'group', id: staff.id }] });
    expectStatus(await admin.patch(`/api/v1/users/${dave.id}`, { disabled: true }), 200);
    const room = expectStatus(await carol.api.get(`/api/v1/rooms/${hall}`), 200);
    assert.deepEqual(room.presenters, [
      { kind: 'user', id: carol.id, name: 'probe-carol@example.com', displayName: 'Carol Presenter', disabled: false },
      { kind: 'user', id: dave.id, name: 'probe-dave@example.com', displayName: 'Dave Gone', disabled: true },
      { kind: 'group', id: staff.id, name: 'probe staff' },
    ]);
  });
});
