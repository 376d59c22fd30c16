import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

describe('chatting over HTTP and WebSocket', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let roomId: number;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    const categoryId = await createCategory(admin, 'Engineering', { allowed: [user(alice.id), user(bob.id)] });
    roomId = await createRoom(admin, 'release planning', categoryId, { members: [user(alice.id), user(bob.id)] });
  });
  after(() => server.stop());

  it('delivers a post live to another member and keeps it in history', async () => {
    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.next((f) => f.type === 'ready');
    const joined = await ws.call({ type: 'join', roomId });
    assert.equal(joined.type, 'joined');
    assert.equal(joined.room.name, 'release planning');

    const posted = expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'ship it on friday', clientId: 'c-1' }), 201);
    assert.equal(posted.message.seq, 1);
    const live = await ws.next((f) => f.type === 'message');
    assert.equal(live.message.text, 'ship it on friday');
    assert.equal(live.message.authorName, 'Alice');
    assert.match(live.message.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages`), 200);
    assert.deepEqual(
      history.messages.map((m: any) => m.text),
      ['ship it on friday'],
    );
    ws.close();
  });

  it('stores a retried post once (client id idempotency)', async () => {
    const first = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'retry me', clientId: 'same-id' });
    const second = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'retry me', clientId: 'same-id' });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.body.duplicate, true);
    assert.equal(second.body.message.id, first.body.message.id);
    const history = expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages?limit=100`), 200);
    assert.equal(history.messages.filter((m: any) => m.text === 'retry me').length, 1);
  });

  it('refuses a clientId in the form pchat gives posts made over IRC, which are not checked for repeats', async () => {
    const refused = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'spoofed', clientId: 'irc-x-1' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.field, 'clientId');
    assert.match(refused.body.error.message, /cannot start with "irc-"/);
  });

  it('posts over WebSocket with an ack after commit', async () => {
    const ws = await WsClient.connect(server.url, alice.api.token);
    await ws.next((f) => f.type === 'ready');
    const ack = await ws.call({ type: 'post', roomId, text: 'from the socket', clientId: 'ws-1' });
    assert.equal(ack.type, 'ack');
    assert.ok(ack.message.seq > 0);
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages?after=${ack.message.seq - 1}`), 200);
    assert.equal(history.messages[0].text, 'from the socket');
    ws.close();
  });

  it('finds messages with full-text search', async () => {
    const found = expectStatus(await bob.api.get('/api/v1/search?q=friday'), 200);
    assert.equal(found.hits.length, 1);
    assert.equal(found.hits[0].roomName, 'release planning');
    assert.equal(found.hits[0].message.text, 'ship it on friday');
  });
});
