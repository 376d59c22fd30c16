import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

describe('moderation and compliance', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let categoryId: number;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice');
    bob = await createUser(admin, 'bob');
    categoryId = await createCategory(admin, 'Desk', { allowed: [user(alice.id), user(bob.id)] });
  });
  after(() => server.stop());

  const seed = async (name: string, posts: [Api, string][]) => {
    const roomId = await createRoom(admin, name, categoryId, { members: [user(alice.id), user(bob.id)] });
    for (const [api, text] of posts) expectStatus(await api.post(`/api/v1/rooms/${roomId}/messages`, { text }), 201);
    return roomId;
  };
  const texts = async (roomId: number) => expectStatus(await admin.get(`/api/v1/rooms/${roomId}/messages?limit=100`), 200).messages.map((m: any) => m.text);
  const remove = (body: Record<string, unknown>) => admin.post('/api/v1/moderation/remove-messages', body);

  it('selects by keywords with all / any / exact and case sensitivity', async () => {
    const roomId = await seed('keywords', [
      [alice.api, 'Insider tip: buy ACME'],
      [bob.api, 'buy groceries'],
      [alice.api, 'acme tip later'],
      [bob.api, 'nothing here'],
    ]);
    const count = async (extra: Record<string, unknown>) => expectStatus(await remove({ roomId, dryRun: true, ...extra }), 200).matched;
    assert.equal(await count({ keywords: 'acme tip', match: 'all' }), 2);
    assert.equal(await count({ keywords: 'acme groceries', match: 'any' }), 3);
    assert.equal(await count({ keywords: 'tip: buy', match: 'exact' }), 1);
    assert.equal(await count({ keywords: 'ACME', caseSensitive: true }), 1);
    assert.equal(await count({ authorId: bob.id }), 2);
    assert.equal((await texts(roomId)).length, 4, 'a dry run changes nothing');
  });

  it('removes or replaces matching messages, tells connected clients, and compliance keeps the originals', async () => {
    const roomId = await seed('cleanup', [
      [alice.api, 'password is hunter2'],
      [bob.api, 'fine message'],
      [alice.api, 'another password leak'],
    ]);
    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.call({ type: 'join', roomId });
    const replaced = expectStatus(await remove({ roomId, keywords: 'hunter2', action: 'replace' }), 200);
    assert.equal(replaced.matched, 1);
    const frame = await ws.next((f) => f.type === 'messages.replaced');
    assert.equal(frame.messages[0].text, 'This message was replaced by the Persistent Chat administrator.');
    expectStatus(await remove({ roomId, keywords: 'password', action: 'remove' }), 200);
    const removedFrame = await ws.next((f) => f.type === 'messages.removed');
    assert.deepEqual(removedFrame.seqs, [3], 'the replaced message no longer matches "password"');
    assert.deepEqual(await texts(roomId), ['This message was replaced by the Persistent Chat administrator.', 'fine message']);
    assert.equal(expectStatus(await bob.api.get(`/api/v1/search?q=hunter2`), 200).hits.length, 0);
    const chat = expectStatus(await admin.get(`/api/v1/compliance?type=CHAT&roomId=${roomId}`), 200);
    assert.deepEqual(chat.events.map((e: any) => e.data.text), ['password is hunter2', 'fine message', 'another password leak']);
    ws.close();
  });

  it('requires at least one selector, and administrators only', async () => {
    assert.equal((await remove({})).status, 400);
    assert.equal((await alice.api.post('/api/v1/moderation/remove-messages', { keywords: 'x' })).status, 403);
  });

  it('clears a room up to a date', async () => {
    const roomId = await seed('clearable', [[alice.api, 'old one']]);
    const cut = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'new one' }), 201);
    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.call({ type: 'join', roomId });
    assert.equal((await alice.api.post(`/api/v1/rooms/${roomId}/clear`, { upTo: cut })).status, 403, 'managers and members may not clear; administrators do');
    assert.deepEqual(expectStatus(await admin.post(`/api/v1/rooms/${roomId}/clear`, { upTo: cut }), 200), { removed: 1 });
    assert.equal((await ws.next((f) => f.type === 'room.cleared')).roomId, roomId);
    assert.deepEqual(await texts(roomId), ['new one']);
    ws.close();
  });

  it('records JOIN, PART, CHAT and BACKCHAT, readable by administrators only and changeable by nobody', async () => {
    const roomId = await seed('audited', [[alice.api, 'audited post']]);
    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.call({ type: 'join', roomId });
    await ws.call({ type: 'history', roomId, before: 2 });
    await ws.call({ type: 'part', roomId });
    ws.close();
    const events = expectStatus(await admin.get(`/api/v1/compliance?roomId=${roomId}`), 200).events;
    const kinds = events.map((e: any) => `${e.type}:${e.userId}`);
    assert.deepEqual(kinds, [`CHAT:${alice.id}`, `JOIN:${bob.id}`, `BACKCHAT:${bob.id}`, `BACKCHAT:${bob.id}`, `PART:${bob.id}`]);
    assert.match(events[0].at, /Z$/);
    assert.equal((await alice.api.get('/api/v1/compliance')).status, 403);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      assert.equal((await admin.request(method, '/api/v1/compliance', method === 'DELETE' ? undefined : {})).status, 404, `${method} has no route`);
    }
  });
});

describe('service endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('describes the API in OpenAPI, generated from the routes it serves', async () => {
    const admin = await adminApi(server.url);
    const doc = expectStatus(await admin.get('/api/openapi.json'), 200);
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/api/v1/sessions', '/api/v1/rooms/{roomId}/messages', '/api/v1/search', '/api/v1/categories', '/api/v1/policies', '/api/v1/config', '/api/v1/moderation/remove-messages', '/api/v1/compliance', '/api/v1/direct', '/api/v1/direct/{roomId}']) {
      assert.ok(doc.paths[path], `${path} is described`);
    }
    const post = doc.paths['/api/v1/rooms/{roomId}/messages'].post;
    assert.ok(post.requestBody.content['application/json'].schema.properties.text);
  });

  it('exposes health and Prometheus metrics', async () => {
    const admin = await adminApi(server.url);
    assert.equal(expectStatus(await admin.get('/healthz'), 200).status, 'ok');
    const metrics = (await admin.get('/metrics')).body as string;
    assert.match(metrics, /# TYPE pchat_messages_posted_total counter/);
    assert.match(metrics, /pchat_http_requests_total\{route="\/healthz",status="200"\} 1/);
  });

  it('hides every room from a user whose persistent chat policy is off', async () => {
    const admin = await adminApi(server.url);
    const carol = await createUser(admin, 'carol');
    const c = await createCategory(admin, 'Open floor', { allowed: [user(carol.id)] });
    await createRoom(admin, 'plaza', c, { privacy: 'open' });
    assert.equal(expectStatus(await carol.api.get('/api/v1/rooms'), 200).rooms.length, 1);
    expectStatus(await admin.put('/api/v1/policies', { scope: 'user', targetId: carol.id, enabled: false }), 200);
    assert.equal(expectStatus(await carol.api.get('/api/v1/rooms'), 200).rooms.length, 0);
    assert.equal(expectStatus(await carol.api.get('/api/v1/me'), 200).chatEnabled, false);
    expectStatus(await admin.request('DELETE', `/api/v1/policies?scope=user&targetId=${carol.id}`), 204);
    assert.equal(expectStatus(await carol.api.get('/api/v1/rooms'), 200).rooms.length, 1);
  });

  it('signs a disabled user out everywhere at once', async () => {
    const admin = await adminApi(server.url);
    const dave = await createUser(admin, 'dave');
    const ws = await WsClient.connect(server.url, dave.api.token);
    await ws.next((f) => f.type === 'ready');
    expectStatus(await admin.patch(`/api/v1/users/${dave.id}`, { disabled: true }), 200);
    assert.equal((await ws.waitClose(1000)).code, 4001);
    assert.equal((await dave.api.get('/api/v1/me')).status, 401);
  });

  it('audits every change with its actor and outcome, and never records passwords', async () => {
    const admin = await adminApi(server.url);
    const frank = await createUser(admin, 'frank');
    assert.equal((await frank.api.post('/api/v1/categories', { name: 'sneaky' })).status, 403);
    const entries = expectStatus(await admin.get('/api/v1/audit'), 200).entries;
    const created = entries.find((e: any) => e.action === 'users.create' && e.target === String(frank.id));
    assert.equal(created.outcome, 'ok');
    assert.equal(created.input.password, '[redacted]');
    assert.equal(JSON.stringify(entries).includes('user-password-123'), false);
    const refused = entries.find((e: any) => e.action === 'categories.create' && e.actorId === frank.id);
    assert.equal(refused.outcome, 'not_permitted');
    assert.equal((await frank.api.get('/api/v1/audit')).status, 403);
  });

  it('answers 429 with Retry-After once wrong passwords for one login pass the allowance (signInThrottle.e2e covers the rest)', async () => {
    const admin = await adminApi(server.url);
    await createUser(admin, 'guessme');
    const attempt = (password: string) => new Api(server.url).post('/api/v1/sessions', { login: 'guessme', password });
    // Five failures are free (the default); each further one makes this address wait, the wait doubling from 1 s.
    const statuses: number[] = [];
    let locked: Awaited<ReturnType<typeof attempt>> | null = null;
    for (let i = 0; i < 20 && !locked; i++) {
      const res = await attempt(`wrong-${i}-password`);
      statuses.push(res.status);
      if (res.status === 429) locked = res;
    }
    assert.ok(locked, `no 429 in ${statuses.join(' ')}`);
    assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 401, 401], 'the free failures and the one that starts the wait are answered 401');
    assert.equal(locked.body.error.code, 'rate_limited');
    assert.match(locked.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal((await new Api(server.url).post('/api/v1/sessions', { login: 'admin', password: 'admin-password-for-tests' })).status, 201);
  });

  it('signs out with the cookie too', async () => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'admin-password-for-tests' }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    assert.match(cookie, /^pchat_session=/);
    assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal((await fetch(`${server.url}/api/v1/sessions/current`, { method: 'DELETE', headers: { cookie } })).status, 204);
    assert.equal((await fetch(`${server.url}/api/v1/me`, { headers: { cookie } })).status, 401);
  });
});
