import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

/** @mentions over HTTP, WebSocket and IRC, against one real server: recorded, counted, listed, never revealing a room. */
describe('mentions: recorded, counted apart from unread, listed, people to complete, notification settings', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  let general = 0;
  let secret = 0;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    [alice, bob, carol] = await Promise.all([
      createUser(admin, 'alice', { displayName: 'Alice Archer' }),
      createUser(admin, 'bob', { displayName: 'Robert Bloggs' }),
      createUser(admin, 'carol', { displayName: 'Carol Clark' }),
    ]);
    const category = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id), user(carol.id)] });
    general = await createRoom(admin, 'general', category, { privacy: 'open' });
    // Carol is not a member: she may not even find it.
    secret = await createRoom(admin, 'hush', category, { privacy: 'secret', members: [user(alice.id), user(bob.id)] });
  });
  after(() => server.stop());

  const mentionsOf = async (who: { api: Api }, query = '') => expectStatus(await who.api.get(`/api/v1/mentions${query}`), 200);
  const roomView = async (who: { api: Api }, roomId: number) => (expectStatus(await who.api.get('/api/v1/me/rooms'), 200).rooms as any[]).find((r) => r.roomId === roomId);

  it('records a mention for a reader of the room, counts it apart from unread, and lists it until read', async () => {
    expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: 'plain words' }), 201);
    const posted = expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: 'lunch, @Bob? and @nobody' }), 201);
    const view = await roomView(bob, general);
    assert.deepEqual([view.unread, view.mentions, view.notify], [2, 1, 'mentions'], 'listed although bob never opened the room');
    const page = await mentionsOf(bob);
    assert.deepEqual(page.mentions.map((m: any) => [m.message.text, m.roomName, m.unread]), [['lunch, @Bob? and @nobody', 'general', true]]);
    assert.equal(page.nextBefore, null);
    assert.deepEqual((await mentionsOf(alice)).mentions, [], 'the author is not mentioned');
    expectStatus(await bob.api.put(`/api/v1/me/rooms/${general}/read`, { seq: posted.message.seq }), 200);
    assert.deepEqual([(await roomView(bob, general)).mentions], [0]);
    assert.equal((await mentionsOf(bob)).mentions[0].unread, false, 'still listed, now read');
  });

  it('never records or reveals a mention in a room the mentioned user cannot read', async () => {
    expectStatus(await alice.api.post(`/api/v1/rooms/${secret}/messages`, { text: 'psst @carol and @bob' }), 201);
    assert.equal((await mentionsOf(carol)).mentions.length, 0);
    assert.equal(await roomView(carol, secret), undefined);
    assert.equal((await mentionsOf(bob)).mentions[0].message.text, 'psst @carol and @bob', 'a member is mentioned');
    // Bob loses access: his mention there is no longer listed or counted.
    expectStatus(await admin.patch(`/api/v1/rooms/${secret}`, { members: [user(alice.id)] }), 200);
    assert.equal((await mentionsOf(bob)).mentions.some((m: any) => m.message.roomId === secret), false);
    assert.equal(await roomView(bob, secret), undefined);
  });

  it('offers people who may read the room by prefix of login or name, and says room_not_found to outsiders', async () => {
    const people = async (who: { api: Api }, roomId: number, q: string) => who.api.get(`/api/v1/rooms/${roomId}/people${q}`);
    assert.deepEqual(expectStatus(await people(alice, general, '?prefix=ro'), 200).people, [{ id: bob.id, login: 'bob', displayName: 'Robert Bloggs' }], 'by a word of the display name');
    assert.deepEqual(expectStatus(await people(alice, general, '?prefix=C'), 200).people.map((p: any) => p.login), ['carol']);
    assert.deepEqual(expectStatus(await people(alice, general, '?prefix=&limit=2'), 200).people.length, 2);
    assert.deepEqual(expectStatus(await people(alice, secret, '?prefix=c'), 200).people, [], 'carol may not read the secret room');
    assert.deepEqual(expectStatus(await people(alice, secret, '?prefix=A'), 200).people.map((p: any) => p.login), ['admin', 'alice'], 'a secret room: its members and the administrators');
    const outsider = await people(carol, secret, '?prefix=a');
    assert.equal(outsider.status, 404);
    assert.equal(outsider.body.error.code, 'room_not_found');
    const bad = await people(alice, general, '?limit=500');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'limit');
  });

  it('re-derives mentions when the author edits, and pages the Mentions view by keyset', async () => {
    const one = expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: 'first for carol' }), 201);
    const seq = one.message.seq;
    expectStatus(await alice.api.patch(`/api/v1/rooms/${general}/messages/${seq}`, { text: 'first for @carol' }), 200);
    expectStatus(await bob.api.post(`/api/v1/rooms/${general}/messages`, { text: '@carol second' }), 201);
    const firstPage = await mentionsOf(carol, '?limit=1');
    assert.deepEqual(firstPage.mentions.map((m: any) => m.message.text), ['@carol second']);
    const secondPage = await mentionsOf(carol, `?limit=1&before=${firstPage.nextBefore}`);
    assert.deepEqual(secondPage.mentions.map((m: any) => m.message.text), ['first for @carol']);
    assert.equal(secondPage.nextBefore, null);
    expectStatus(await alice.api.patch(`/api/v1/rooms/${general}/messages/${seq}`, { text: 'first, for no one' }), 200);
    assert.deepEqual((await mentionsOf(carol)).mentions.map((m: any) => m.message.text), ['@carol second']);
  });

  it('keeps the notification setting per room on the server, over HTTP and WebSocket, with mention counts over WebSocket', async () => {
    const set = expectStatus(await bob.api.put(`/api/v1/me/rooms/${general}/notify`, { notify: 'all' }), 200);
    assert.equal(set.notify, 'all');
    const bad = await bob.api.put(`/api/v1/me/rooms/${general}/notify`, { notify: 'loud' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'notify');
    const hidden = await carol.api.put(`/api/v1/me/rooms/${secret}/notify`, { notify: 'all' });
    assert.equal(hidden.body.error.code, 'room_not_found');

    const ws = await WsClient.connect(server.url, bob.api.token);
    try {
      const changed = await ws.call({ type: 'notify', roomId: general, notify: 'none' });
      assert.deepEqual([changed.type, changed.room.notify], ['reading', 'none']);
      expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: '@bob over here' }), 201);
      const reading = await ws.call({ type: 'reading' });
      const room = reading.rooms.find((r: any) => r.roomId === general);
      assert.deepEqual([room.notify, room.mentions], ['none', 1], 'the badge still counts with notifications off');
      const listed = await ws.call({ type: 'mentions', limit: 1 });
      assert.equal(listed.mentions[0].message.text, '@bob over here');
    } finally {
      ws.close();
    }
  });

  it('pushes a mention to the WebSocket sessions of the one mentioned that are not in the room, never from a room they cannot read', async () => {
    const ws = await WsClient.connect(server.url, carol.api.token);
    try {
      expectStatus(await alice.api.post(`/api/v1/rooms/${secret}/messages`, { text: '@carol secretly' }), 201);
      expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: '@carol, a push' }), 201);
      const pushed = await ws.next((f) => f.type === 'mention');
      assert.deepEqual([pushed.roomId, pushed.roomName, pushed.message.text], [general, 'general', '@carol, a push']);
      // In order: the secret room's message was published first, and nothing of it reached carol.
      assert.deepEqual(ws.frames.filter((f) => f.type === 'mention'), []);
      // In the room, the message itself is the news: no second frame.
      await ws.call({ type: 'join', roomId: general });
      expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text: '@carol, you are here' }), 201);
      await ws.next((f) => f.type === 'message' && f.message.text === '@carol, you are here');
      await ws.call({ type: 'ping' });
      assert.deepEqual(ws.frames.filter((f) => f.type === 'mention'), []);
    } finally {
      ws.close();
    }
  });

  it('records mentions in messages posted from IRC (the same application path)', async () => {
    const irc = await RawClient.register(server.irc[0]!.port, 'alice', PASSWORD);
    try {
      const from = irc.lines.length;
      irc.send('JOIN #general');
      await irc.next((l) => / 366 /.test(l), 5000, from);
      irc.send('PRIVMSG #general :@carol from irc');
      // IRC's next line starts once a post is queued, not committed: wait for the commit, not a time.
      let newest: any;
      for (let i = 0; i < 100 && newest?.message.text !== '@carol from irc'; i++) {
        await irc.sync();
        newest = (await mentionsOf(carol)).mentions[0];
      }
      assert.equal(newest?.message.text, '@carol from irc');
    } finally {
      irc.close();
    }
  });
});
