import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { adminApi, createCategory, createRoom, createUser, group, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

describe('bad input gets a specific error and changes nothing', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let categoryId: number;
  let roomId: number;

  before(async () => {
    server = await startTestServer({ 'websocket.maxFrameBytes': 4096, 'http.maxBodyBytes': 65536 });
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice');
    categoryId = await createCategory(admin, 'General', { allowed: [user(alice.id)] });
    roomId = await createRoom(admin, 'lobby', categoryId, { members: [user(alice.id)] });
  });
  after(() => server.stop());

  const errorOf = (res: { status: number; body: any }, status: number) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    return res.body.error as { code: string; message: string; field?: string };
  };
  const historyLength = async () => expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200).messages.length;

  describe('over HTTP', () => {
    it('rejects malformed JSON', async () => {
      const e = errorOf(await alice.api.request('POST', `/api/v1/rooms/${roomId}/messages`, '{"text": "unterminated'), 400);
      assert.equal(e.code, 'malformed_json');
    });

    it('rejects unknown fields, naming them', async () => {
      const e = errorOf(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'hi', colour: 'red' }), 400);
      assert.equal(e.code, 'invalid_input');
      assert.equal(e.field, 'colour');
    });

    it('rejects wrong types, naming the field', async () => {
      const e = errorOf(await admin.post('/api/v1/rooms', { name: 'x', categoryId: 'seven' }), 400);
      assert.equal(e.field, 'categoryId');
    });

    it('rejects an oversized message and stores nothing', async () => {
      const before = await historyLength();
      const e = errorOf(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'x'.repeat(16_001) }), 413);
      assert.equal(e.code, 'too_large');
      assert.equal(e.field, 'text');
      assert.equal(await historyLength(), before);
    });

    it('rejects a body over the size limit', async () => {
      const e = errorOf(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'y'.repeat(70_000) }), 413);
      assert.equal(e.code, 'too_large');
    });

    it('rejects empty, over-long and control-character names', async () => {
      for (const name of ['   ', 'n'.repeat(257), 'bell\u0007room']) {
        const e = errorOf(await admin.post('/api/v1/rooms', { name, categoryId }), 400);
        assert.equal(e.code, 'invalid_name');
        assert.equal(e.field, 'name');
      }
      const ok = await admin.post('/api/v1/rooms', { name: 'é'.repeat(256), categoryId });
      assert.equal(ok.status, 201, '256 characters is the limit, counted in characters not bytes');
    });

    it('rejects a non-numeric path id', async () => {
      const e = errorOf(await alice.api.get('/api/v1/rooms/abc'), 400);
      assert.equal(e.field, 'roomId');
    });

    it('rejects requests without a session, and unknown endpoints', async () => {
      assert.equal(errorOf(await new Api(server.url).get('/api/v1/rooms'), 401).code, 'unauthenticated');
      assert.equal(errorOf(await new Api(server.url, 'forged-token').get('/api/v1/rooms'), 401).code, 'unauthenticated');
      assert.equal(errorOf(await alice.api.get('/api/v1/nothing-here'), 404).code, 'not_found');
    });

    it('accepts only http(s) add-in URLs', async () => {
      const e = errorOf(await admin.post('/api/v1/addins', { name: 'evil', url: 'javascript:alert(1)' }), 400);
      assert.equal(e.field, 'url');
    });

    it('refuses roles outside the category and names the entry', async () => {
      const outsider = await createUser(admin, 'outsider');
      const e = errorOf(await admin.post('/api/v1/rooms', { name: 'walled', categoryId, members: [user(alice.id), user(outsider.id)] }), 400);
      assert.equal(e.field, 'members.1');
      assert.equal(expectStatus(await admin.get('/api/v1/rooms?q=walled'), 200).rooms.length, 0, 'nothing was created');
    });

    it('refuses group cycles, duplicate names, removing a non-empty category, and losing the last admin', async () => {
      const a = expectStatus(await admin.post('/api/v1/groups', { name: 'A' }), 201);
      const b = expectStatus(await admin.post('/api/v1/groups', { name: 'B', members: [group(a.id)] }), 201);
      assert.equal(errorOf(await admin.patch(`/api/v1/groups/${a.id}`, { members: [group(b.id)] }), 409).code, 'group_cycle');
      assert.equal(errorOf(await admin.patch(`/api/v1/groups/${a.id}`, { members: [group(a.id)] }), 409).code, 'group_cycle');
      assert.equal(errorOf(await admin.post('/api/v1/groups', { name: 'a' }), 409).code, 'name_taken');
      assert.equal(errorOf(await admin.delete(`/api/v1/categories/${categoryId}`), 409).code, 'category_not_empty');
      const me = expectStatus(await admin.get('/api/v1/me'), 200);
      assert.equal(errorOf(await admin.patch(`/api/v1/users/${me.id}`, { disabled: true }), 409).code, 'conflict');
    });

    it('rejects out-of-range configuration', async () => {
      const e = errorOf(await admin.patch('/api/v1/config', { defaultChatHistory: 501 }), 400);
      assert.equal(e.field, 'defaultChatHistory');
    });
  });

  describe('over WebSocket', () => {
    it('answers bad frames with error frames and keeps the connection', async () => {
      const ws = await WsClient.connect(server.url, alice.api.token);
      await ws.next((f) => f.type === 'ready');
      ws.send('{not json');
      assert.equal((await ws.next((f) => f.type === 'error')).code, 'malformed_json');
      ws.send('[1,2]');
      assert.equal((await ws.next((f) => f.type === 'error')).field, 'type');
      ws.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      assert.equal((await ws.next((f) => f.type === 'error')).code, 'invalid_input');
      const unknown = await ws.call({ type: 'teleport' });
      assert.equal(unknown.field, 'type');
      const proto = await ws.call({ type: 'toString' });
      assert.equal(proto.field, 'type');
      const badRoom = await ws.call({ type: 'join', roomId: -1 });
      assert.equal(badRoom.field, 'roomId');
      const badPost = await ws.call({ type: 'post', roomId, text: 'hi', extra: 1 });
      assert.equal(badPost.field, 'extra');
      const pong = await ws.call({ type: 'ping' });
      assert.equal(pong.type, 'pong', 'the connection survived');
      ws.close();
    });

    it('closes a connection that sends a frame over the limit', async () => {
      const ws = await WsClient.connect(server.url, alice.api.token);
      ws.send({ type: 'post', roomId, text: 'z'.repeat(5000) });
      const closed = await ws.waitClose();
      assert.equal(closed.code, 1009);
    });

    it('refuses an upgrade with a bad token, and commands before authentication', async () => {
      await assert.rejects(WsClient.connect(server.url, 'forged'), /401/);
      const anon = await WsClient.connect(server.url);
      assert.equal((await anon.call({ type: 'join', roomId })).code, 'unauthenticated');
      assert.equal((await anon.call({ type: 'auth', token: 'forged' })).code, 'unauthenticated');
      assert.equal((await anon.call({ type: 'auth', token: alice.api.token })).type, 'ready');
      assert.equal((await anon.call({ type: 'join', roomId })).type, 'joined');
      anon.close();
    });

    it('is still healthy after all of the above', async () => {
      assert.equal(expectStatus(await new Api(server.url).get('/healthz'), 200).status, 'ok');
    });
  });

  describe('a slow reader', () => {
    it('is disconnected once its send queue is full, and the server keeps serving others', async () => {
      const slowServer = await startTestServer({ 'websocket.sendQueueBytes': 65536 });
      try {
        const a = await adminApi(slowServer.url);
        const c = await createCategory(a, 'c', { allowed: [] });
        const r = await createRoom(a, 'firehose', c);
        const raw = new WebSocket(slowServer.url.replace('http', 'ws') + '/api/v1/ws', { headers: { authorization: `Bearer ${a.token}` } });
        await new Promise((resolve) => raw.once('open', resolve));
        raw.send(JSON.stringify({ type: 'join', roomId: r }));
        await new Promise((resolve) => setTimeout(resolve, 200));
        // Stop reading: the kernel buffers fill, then the server's queue.
        (raw as unknown as { _socket: { pause(): void } })._socket.pause();
        const big = 'x'.repeat(15_000);
        for (let i = 0; i < 60; i++) {
          await Promise.all(Array.from({ length: 10 }, (_, j) => a.post(`/api/v1/rooms/${r}/messages`, { text: `${i}-${j} ${big}` })));
          const metrics = (await a.get('/metrics')).body as string;
          if (/pchat_ws_slow_disconnects_total 1/.test(metrics)) break;
        }
        const metrics = (await a.get('/metrics')).body as string;
        assert.match(metrics, /pchat_ws_slow_disconnects_total 1/);
        assert.equal(expectStatus(await a.get('/healthz'), 200).connections.websocket, 0);
        raw.terminate();
      } finally {
        await slowServer.stop();
      }
    });
  });
});
