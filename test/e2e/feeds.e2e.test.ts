import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

/** Topic feeds over real sockets: HTTP CRUD, the live hit on every device of the user, privacy between users. */
describe('topic feeds over HTTP and WebSocket', () => {
  let server: TestServer;
  /** The administrator posts and plays the other user (one account fewer to create). */
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let roomId: number;
  let adminName: string;
  const open: WsClient[] = [];

  before(async () => {
    server = await startTestServer();
    const admin = await adminApi(server.url);
    alice = { id: expectStatus(await admin.get('/api/v1/me'), 200).id, api: admin };
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob B' });
    adminName = expectStatus(await admin.get('/api/v1/me'), 200).displayName;
    const people = [user(alice.id), user(bob.id)];
    roomId = await createRoom(admin, 'desk', await createCategory(admin, 'Desk', { allowed: people }), { members: people });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('saves a feed, and a matching post reaches both devices of its owner live, counted until read', async () => {
    // Two sessions of Bob: two devices, neither in the room; and the poster's own connection.
    const laptop = await WsClient.connect(server.url, bob.api.token);
    const phone = await WsClient.connect(server.url, (await Api.login(server.url, 'bob@example.com', PASSWORD)).token);
    const poster = await WsClient.connect(server.url, alice.api.token);
    open.push(laptop, phone, poster);
    await Promise.all([laptop, phone, poster].map((c) => c.next((f) => f.type === 'ready')));

    const feed = expectStatus(await bob.api.post('/api/v1/feeds', { words: 'Outage Database', roomIds: [roomId] }), 201);
    assert.deepEqual([feed.name, feed.words, feed.roomIds, feed.rooms, feed.unread], ['outage database', ['outage', 'database'], [roomId], [{ id: roomId, name: 'desk' }], 0]);
    assert.match(feed.createdAt, /^\d{4}-\d\d-\d\dT.*Z$/);
    await phone.next((f) => f.type === 'feed.changed' && f.filterId === feed.id);

    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'database is fine' }), 201);
    const posted = expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'The DATABASE outage is over' }), 201).message;
    for (const device of [laptop, phone]) {
      const frame = await device.next((f) => f.type === 'feed.hits');
      assert.equal(frame.hits.length, 1);
      assert.deepEqual([frame.hits[0].filterId, frame.hits[0].roomName, frame.hits[0].authorName, frame.hits[0].message.seq, frame.hits[0].message.text], [feed.id, 'desk', adminName, posted.seq, 'The DATABASE outage is over']);
    }
    // Frames on one connection arrive in order: after this answer, a hit sent to the poster would be here.
    await poster.call({ type: 'ping' });
    assert.deepEqual(poster.frames.filter((f) => f.type.startsWith('feed.')), [], "nobody else hears of Bob's feed");
    const [listed] = expectStatus(await bob.api.get('/api/v1/feeds'), 200).feeds;
    assert.equal(listed.unread, 1);
    const page = expectStatus(await bob.api.get(`/api/v1/feeds/${feed.id}/messages?limit=10`), 200);
    assert.deepEqual(page.hits.map((h: any) => [h.message.text, h.roomName, h.authorName]), [['The DATABASE outage is over', 'desk', adminName]]);
    assert.equal(page.next, null);
    assert.equal(expectStatus(await bob.api.put(`/api/v1/feeds/${feed.id}/read`, { hitId: page.hits[0].hitId }), 200).unread, 0);
    await laptop.next((f) => f.type === 'feed.changed' && f.filterId === feed.id);
    const changed = expectStatus(await bob.api.put(`/api/v1/feeds/${feed.id}`, { words: 'outage', name: 'Outages' }), 200);
    assert.deepEqual([changed.name, changed.words, changed.roomIds], ['Outages', ['outage'], null]);
  });

  it("keeps a user's feeds to that user, administrators included, and words every bad input with its field", async () => {
    const feed = expectStatus(await bob.api.post('/api/v1/feeds', { words: 'private' }), 201);
    for (const res of [
      await alice.api.get(`/api/v1/feeds/${feed.id}`),
      await alice.api.get(`/api/v1/feeds/${feed.id}/messages`),
      await alice.api.put(`/api/v1/feeds/${feed.id}`, { words: 'mine' }),
      await alice.api.put(`/api/v1/feeds/${feed.id}/read`, { hitId: 1 }),
      await alice.api.delete(`/api/v1/feeds/${feed.id}`),
    ]) {
      assert.equal(expectStatus(res, 404).error.code, 'not_found');
    }
    assert.equal(expectStatus(await alice.api.get('/api/v1/feeds'), 200).feeds.length, 0);
    assert.equal(expectStatus(await bob.api.post('/api/v1/feeds', { words: '?!' }), 400).error.field, 'words');
    assert.equal(expectStatus(await bob.api.post('/api/v1/feeds', { words: 'x', roomIds: [999_999] }), 400).error.field, 'roomIds.0');
    assert.equal(expectStatus(await bob.api.post('/api/v1/feeds', { words: 'x', authorId: 'alice' }), 400).error.field, 'authorId');
    assert.equal(expectStatus(await bob.api.get(`/api/v1/feeds/${feed.id}/messages?limit=1000`), 400).error.field, 'limit');
    assert.equal(expectStatus(await bob.api.get('/api/v1/feeds/01'), 400).error.field, 'feedId');
    expectStatus(await bob.api.delete(`/api/v1/feeds/${feed.id}`), 204);
    const paths = Object.keys(expectStatus(await bob.api.get('/api/openapi.json'), 200).paths);
    assert.ok(['/api/v1/feeds', '/api/v1/feeds/{feedId}/messages', '/api/v1/feeds/{feedId}/read'].every((p) => paths.includes(p)), 'described in the OpenAPI document');
    assert.equal(expectStatus(await bob.api.get(`/api/v1/feeds/${feed.id}`), 404).error.code, 'not_found');
  });
});
