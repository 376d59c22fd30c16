import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { adminApi, createCategory, createRoom, createUser, group, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { chanidXml, roomUri, SipClient } from '../../bench/lib/sipClient.js';
import { httpFrom } from '../helpers/fromAddress.js';
import { RawClient } from '../irc/clients.js';

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

/**
 * The one text rule through every door: the same bytes, sent as HTTP JSON, a WebSocket frame,
 * an IRC line and a SIP group chat INFO, get the same code and words, and nothing is stored.
 */
describe('one text rule for every door', () => {
  const DOMAIN = 'pchat.test';
  let server: TestServer;
  let carla: { id: number; api: Api };
  let roomId: number;
  let irc: RawClient;
  let sip: SipClient;
  const login = `carla@${DOMAIN}`;

  before(async () => {
    server = await startTestServer({ 'sip.listen': [{ host: '127.0.0.1', port: 0 }], 'sip.domains': [DOMAIN], 'sip.auth': 'none-loopback-test' });
    const admin = await adminApi(server.url);
    carla = await createUser(admin, login);
    const category = await createCategory(admin, 'General', { allowed: [user(carla.id)] });
    roomId = await createRoom(admin, 'lobby', category, { members: [user(carla.id)] });
    irc = await RawClient.register(server.irc[0]?.port ?? 0, login, PASSWORD);
    irc.send('JOIN #lobby');
    await irc.next(/ 366 /);
    sip = await SipClient.signIn({ port: server.sip[0]?.port ?? 0, login });
    assert.equal((await sip.command('cmd:join', chanidXml(roomUri(DOMAIN, roomId)))).code, 200);
  });
  after(async () => {
    irc?.socket.destroy();
    sip?.close();
    await server?.stop();
  });

  const stored = async () => expectStatus(await carla.api.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200).messages.map((m: { text: string }) => m.text);
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

  /** What each door answers to a message whose text is exactly `text` (bytes). */
  async function throughEveryDoor(text: Buffer): Promise<{ http: { code: string; message: string; field?: string }; ws: { code: string; message: string }; irc: string; sip: string }> {
    const http = await httpFrom('127.0.0.1', server.url, 'POST', `/api/v1/rooms/${roomId}/messages`, bytes('{"text":"', [...text], '"}'), { authorization: `Bearer ${carla.api.token}` });
    assert.equal(http.status, 400, http.text);

    const ws = await WsClient.connect(server.url, carla.api.token);
    await ws.next((f) => f.type === 'ready');
    ws.ws.send(bytes(`{"type":"post","ref":"p1","roomId":${roomId},"text":"`, [...text], '"}'), { binary: false });
    const answer = await Promise.race([ws.next((f) => f.ref === 'p1'), ws.waitClose().then((c) => ({ closed: c }))]);
    ws.close();
    let wsError: { code: string; message: string };
    if ('closed' in answer) {
      // RFC 6455 8.1: a text frame that is not UTF-8 fails the connection with 1007; the reason is pchat's error.
      assert.equal(answer.closed.code, 1007);
      const [code = '', ...words] = answer.closed.reason.split(': ');
      wsError = { code, message: words.join(': ') };
    } else wsError = { code: answer.code, message: answer.message };

    const from = irc.lines.length;
    irc.socket.write(bytes('PRIVMSG #lobby :', [...text], '\r\n'));
    const ircLine = await irc.next((l) => / 404 | FAIL PRIVMSG /.test(l), 5000, from);

    const marker = '\u0001TEXT\u0001';
    const [head = '', tail = ''] = sip.envelope(`<grpchat id="grpchat" seqid="1" chanUri="${roomUri(DOMAIN, roomId)}" author="sip:${login}"><chat>${marker}</chat></grpchat>`).body.split(marker);
    const sipAnswer = await sip.info(bytes(head, [...text], tail));
    return { http: http.json.error, ws: wsError, irc: ircLine, sip: `${sipAnswer.status} ${sipAnswer.reason}` };
  }

  const NOT_UTF8 = 'The text is not valid UTF-8 (a malformed byte sequence or a lone surrogate).';
  const notUtf8Cases: [string, Buffer][] = [
    ['a stray byte', bytes('hi ', [0xff], ' there')],
    ['an overlong slash', bytes('a', [0xc0, 0xaf], 'b')],
    ['an encoded lone surrogate (CESU-8)', bytes('x', [0xed, 0xa0, 0x80], 'y')],
    ['a truncated sequence', bytes('x', [0xe2, 0x82], ' y')],
    ['a code point past U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80])],
  ];
  for (const [name, text] of notUtf8Cases) {
    it(`refuses ${name} with invalid_input everywhere, and stores nothing`, async () => {
      const before = await stored();
      const answers = await throughEveryDoor(text);
      assert.deepEqual(answers.http, { code: 'invalid_input', message: `text: ${NOT_UTF8}`, field: 'text', details: [{ field: 'text', message: NOT_UTF8 }] });
      assert.deepEqual(answers.ws, { code: 'invalid_input', message: NOT_UTF8 }, 'the 1007 reason carries the same code and words');
      assert.ok(answers.irc.endsWith(`FAIL PRIVMSG INVALID_UTF8 :text: ${NOT_UTF8}`), answers.irc);
      assert.equal(answers.sip, `400 Bad Request (text: ${NOT_UTF8})`);
      assert.deepEqual(await stored(), before, 'nothing was stored, not even with U+FFFD in place of the bytes');
    });
  }

  const refusedTexts: [string, string, string][] = [
    ['only zero-width and blank characters', '\u200b\u200d\u3164\u2800', 'A message needs at least one visible character.'],
    ['a bidirectional override', 'invoice_\u202etxt.exe', 'A message cannot contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069).'],
    ['a bidirectional isolate', 'a \u2066b\u2069 c', 'A message cannot contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069).'],
  ];
  for (const [name, text, message] of refusedTexts) {
    it(`refuses a text with ${name} with the same words everywhere`, async () => {
      const before = await stored();
      const answers = await throughEveryDoor(Buffer.from(text));
      assert.equal(answers.http.code, 'invalid_input');
      assert.equal(answers.http.message, message);
      assert.equal(answers.http.field, 'text');
      assert.deepEqual(answers.ws, { code: 'invalid_input', message });
      assert.ok(answers.irc.endsWith(`404 ${answers.irc.split(' ')[2]} #lobby :${message}`), answers.irc);
      assert.equal(answers.sip, `400 Bad Request (${message})`);
      assert.deepEqual(await stored(), before);
    });
  }

  it('refuses a lone surrogate sent as a JSON escape (HTTP, WebSocket) with the same words as bytes that are not UTF-8', async () => {
    const http = await carla.api.post(`/api/v1/rooms/${roomId}/messages`, '{"text":"half a pair: \\ud83d"}');
    assert.equal(http.status, 400);
    assert.equal(http.body.error.message, `text: ${NOT_UTF8}`);
    const ws = await WsClient.connect(server.url, carla.api.token);
    await ws.next((f) => f.type === 'ready');
    const answer = await ws.call({ type: 'post', roomId, text: 'half a pair: \ud83d' });
    assert.equal(answer.code, 'invalid_input');
    assert.equal(answer.message, `text: ${NOT_UTF8}`);
    ws.close();
  });

  it('stores and acknowledges exactly the text sent when it is fine, through every door', async () => {
    const text = 'héllo 🙂 שלום \u200bworld';
    expectStatus(await carla.api.post(`/api/v1/rooms/${roomId}/messages`, { text }), 201);
    irc.send(`PRIVMSG #lobby :${text} (irc)`);
    await irc.sync();
    assert.equal((await sip.post(roomUri(DOMAIN, roomId), `${text} (sip)`)).status, 200);
    const texts = await stored();
    for (const expected of [text, `${text} (irc)`, `${text} (sip)`]) assert.ok(texts.includes(expected), `${JSON.stringify(expected)} in ${JSON.stringify(texts)}`);
  });

  it('takes ids in paths only as canonical decimal integers', async () => {
    expectStatus(await carla.api.get(`/api/v1/rooms/${roomId}`), 200);
    for (const bad of [`0${roomId}`, `${roomId}.0`, `${roomId}e0`, `0x${roomId.toString(16)}`, `%20${roomId}`, `+${roomId}`, `-${roomId}`, '0', '99999999999999999999']) {
      const res = await carla.api.get(`/api/v1/rooms/${bad}`);
      assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.equal(res.body.error.field, 'roomId');
    }
  });
});
