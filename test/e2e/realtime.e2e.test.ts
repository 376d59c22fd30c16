import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rejoinDuringBurst } from '../helpers/scenarios.js';
import { WsClient } from '../helpers/wsClient.js';

describe('real time: history on join, resume, room changes', () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let categoryId: number;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob', { displayName: 'Bob' });
    categoryId = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id)] });
  });
  after(() => server.stop());

  const room = (name: string, extra: Record<string, unknown> = {}) =>
    createRoom(admin, name, categoryId, { members: [user(alice.id), user(bob.id)], ...extra });
  const postAll = async (roomId: number, texts: string[]) => {
    for (const text of texts) expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text }), 201);
  };
  const connect = async (api: Api) => {
    const ws = await WsClient.connect(server.url, api.token);
    await ws.next((f) => f.type === 'ready');
    return ws;
  };

  it('sends the last defaultChatHistory messages when a room is opened', async () => {
    expectStatus(await admin.patch('/api/v1/config', { defaultChatHistory: 5 }), 200);
    const roomId = await room('history on join');
    await postAll(roomId, Array.from({ length: 8 }, (_, i) => `m${i + 1}`));
    const ws = await connect(bob.api);
    const joined = await ws.call({ type: 'join', roomId });
    assert.deepEqual(joined.messages.map((m: any) => m.text), ['m4', 'm5', 'm6', 'm7', 'm8']);
    assert.equal(joined.moreBefore, true);
    assert.equal(joined.lastSeq, 8);
    ws.close();
    expectStatus(await admin.patch('/api/v1/config', { defaultChatHistory: 30 }), 200);
  });

  it('resumes after a reconnect from the last seq seen, with no gap and no duplicate', async () => {
    const roomId = await room('resume');
    const first = await connect(bob.api);
    await first.call({ type: 'join', roomId });
    await postAll(roomId, ['one', 'two']);
    await first.next((f) => f.type === 'message' && f.message.text === 'two');
    first.close();
    await postAll(roomId, ['three', 'four', 'five']);

    const second = await connect(bob.api);
    const joined = await second.call({ type: 'join', roomId, since: 2 });
    assert.deepEqual(joined.messages.map((m: any) => m.text), ['three', 'four', 'five']);
    await postAll(roomId, ['six']);
    const live = await second.next((f) => f.type === 'message');
    assert.equal(live.message.text, 'six');
    assert.equal(live.message.seq, 6);
    second.close();
  });

  it('re-joins during a burst of posts and sees every seq exactly once', async () => {
    await rejoinDuringBurst(server.url, alice.api, bob.api, await room('race'));
  });

  it('acknowledges every post of a flooding client once, in order, while others are still served', async () => {
    const roomId = await room('flood');
    const flooder = await connect(alice.api);
    const other = await connect(bob.api);
    const acks: Promise<any>[] = [];
    for (let i = 0; i < 2000; i++) acks.push(flooder.call({ type: 'post', roomId, text: `f${i}`, clientId: `f${i}` }, 30_000));
    assert.equal((await other.call({ type: 'ping' }, 10_000)).type, 'pong');
    const seqs = (await Promise.all(acks)).map((a) => a.message.seq);
    assert.deepEqual(seqs, Array.from({ length: 2000 }, (_, i) => i + 1));
    flooder.close();
    other.close();
  });

  it('pages history before, after, around a message and around a time', async () => {
    const roomId = await room('paging');
    await postAll(roomId, Array.from({ length: 20 }, (_, i) => `p${i + 1}`));
    const get = async (q: string) => expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages?${q}`), 200);
    const seqs = (page: any) => page.messages.map((m: any) => m.seq);
    const newest = await get('limit=5');
    assert.deepEqual(seqs(newest), [16, 17, 18, 19, 20]);
    assert.equal(newest.moreBefore, true);
    assert.equal(newest.moreAfter, false);
    const older = await get('before=16&limit=5');
    assert.deepEqual(seqs(older), [11, 12, 13, 14, 15]);
    assert.equal(older.moreAfter, true);
    assert.deepEqual(seqs(await get('after=18&limit=5')), [19, 20]);
    assert.deepEqual(seqs(await get('around=10&limit=4')), [8, 9, 10, 11]);
    const tenth = newest.messages[0]; // seq 16
    assert.deepEqual(seqs(await get(`at=${encodeURIComponent(tenth.createdAt)}&limit=2`))[1], 16);
    assert.equal((await bob.api.get(`/api/v1/rooms/${roomId}/messages?before=5&around=3`)).status, 400);
  });

  it('disconnects members at once when a room is disabled, and brings history back on re-enable', async () => {
    const roomId = await room('to disable', { managers: [user(alice.id)] });
    await postAll(roomId, ['kept through disable']);
    const ws = await connect(bob.api);
    await ws.call({ type: 'join', roomId });
    expectStatus(await alice.api.patch(`/api/v1/rooms/${roomId}`, { disabled: true }), 200);
    const removed = await ws.next((f) => f.type === 'removed', 1000);
    assert.deepEqual(removed, { type: 'removed', roomId, reason: 'disabled' });
    assert.equal((await bob.api.get(`/api/v1/rooms/${roomId}`)).status, 404);
    assert.equal(expectStatus(await bob.api.get('/api/v1/rooms?q=to%20disable'), 200).rooms.length, 0);
    assert.equal((await ws.call({ type: 'join', roomId })).code, 'room_not_found');
    assert.equal(expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}`), 200).disabled, true, 'managers still see it');
    expectStatus(await alice.api.patch(`/api/v1/rooms/${roomId}`, { disabled: false }), 200);
    const back = await ws.call({ type: 'join', roomId });
    assert.deepEqual(back.messages.map((m: any) => m.text), ['kept through disable']);
    ws.close();
  });

  it('removes a member whose access is revoked, and tells others about the change', async () => {
    const roomId = await room('revocable', { managers: [user(alice.id)] });
    const bobWs = await connect(bob.api);
    const aliceWs = await connect(alice.api);
    await bobWs.call({ type: 'join', roomId });
    await aliceWs.call({ type: 'join', roomId });
    expectStatus(await alice.api.patch(`/api/v1/rooms/${roomId}`, { members: [user(alice.id)], description: 'now private' }), 200);
    assert.equal((await bobWs.next((f) => f.type === 'removed', 1000)).reason, 'revoked');
    const update = await aliceWs.next((f) => f.type === 'room', 1000);
    assert.equal(update.room.description, 'now private');
    bobWs.close();
    aliceWs.close();
  });

  it('keeps a roster of who is in the room, counting a user with several connections once', async () => {
    const roomId = await room('roster');
    const bobWs = await connect(bob.api);
    const bobJoined = await bobWs.call({ type: 'join', roomId });
    assert.deepEqual(bobJoined.participants, [{ id: bob.id, name: 'Bob' }]);
    const alice1 = await connect(alice.api);
    const aliceJoined = await alice1.call({ type: 'join', roomId });
    assert.equal(aliceJoined.participantCount, 2);
    assert.deepEqual(aliceJoined.participants.map((p: any) => p.id).sort(), [alice.id, bob.id].sort());
    assert.deepEqual(await bobWs.next((f) => f.type === 'presence'), {
      type: 'presence',
      roomId,
      user: { id: alice.id, name: 'Alice' },
      present: true,
      participantCount: 2,
    });
    const alice2 = await connect(alice.api);
    await alice2.call({ type: 'join', roomId });
    alice1.close();
    await alice1.waitClose();
    await alice2.call({ type: 'ping' });
    await bobWs.call({ type: 'ping' });
    assert.equal(bobWs.frames.filter((f) => f.type === 'presence').length, 0, 'a second session, or one of two leaving, changes nothing');
    alice2.close();
    const left = await bobWs.next((f) => f.type === 'presence');
    assert.equal(left.present, false);
    assert.equal(left.participantCount, 1);
    bobWs.close();
  });

  it('stops listing and updating the roster above participantUpdateLimit', async () => {
    expectStatus(await admin.patch('/api/v1/config', { participantUpdateLimit: 1 }), 200);
    try {
      const roomId = await room('crowded');
      const bobWs = await connect(bob.api);
      await bobWs.call({ type: 'join', roomId });
      const aliceWs = await connect(alice.api);
      const joined = await aliceWs.call({ type: 'join', roomId });
      assert.equal(joined.participants, null);
      assert.equal(joined.participantCount, 2);
      await bobWs.call({ type: 'ping' });
      assert.equal(bobWs.frames.filter((f) => f.type === 'presence').length, 0);
      aliceWs.close();
      // Back at the limit: the change is pushed again, with the count.
      assert.equal((await bobWs.next((f) => f.type === 'presence')).participantCount, 1);
      bobWs.close();
    } finally {
      expectStatus(await admin.patch('/api/v1/config', { participantUpdateLimit: 75 }), 200);
    }
  });

  it('notifies a user invited into a room', async () => {
    const roomId = await room('invites', { members: [user(alice.id)] });
    const bobWs = await connect(bob.api);
    expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { members: [user(alice.id), user(bob.id)] }), 200);
    assert.deepEqual(await bobWs.next((f) => f.type === 'invited', 1000), { type: 'invited', roomId });
    bobWs.close();
  });

  it('delivers live but keeps nothing in categories with chat history off', async () => {
    const quiet = await createCategory(admin, 'Announcements', { allowed: [user(alice.id), user(bob.id)], chatHistory: false });
    const roomId = await createRoom(admin, 'flash', quiet, { members: [user(alice.id), user(bob.id)] });
    const ws = await connect(bob.api);
    await ws.call({ type: 'join', roomId });
    const posted = expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'now you see me' }), 201);
    assert.equal(posted.message.seq, 0);
    const live = await ws.next((f) => f.type === 'message');
    assert.equal(live.live, true);
    assert.equal(live.message.text, 'now you see me');
    assert.deepEqual(expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages`), 200).messages, []);
    const chat = expectStatus(await admin.get(`/api/v1/compliance?type=CHAT&roomId=${roomId}`), 200);
    assert.equal(chat.events[0].data.text, 'now you see me', 'compliance still records it');
    ws.close();
  });

  it('keeps stories as their own kind, with a title', async () => {
    const roomId = await room('stories');
    const story = expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { kind: 'story', title: 'Post-mortem', text: 'Long text\nwith lines' }), 201);
    assert.equal(story.message.kind, 'story');
    assert.equal(story.message.title, 'Post-mortem');
    const bad = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'short', title: 'no' });
    assert.equal(bad.body.error.field, 'title');
  });
});
