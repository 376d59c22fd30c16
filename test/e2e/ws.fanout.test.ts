import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

const WAIT_MS = 30_000;
const POSTERS = 3;
const POSTS_PER_ROUND = 4;
const ROUNDS = 10;
// Texts whose frames take each length form below 64 KiB: 7 bits, and 16 bits (the longest a message may be).
const LONG = 'l'.repeat(300);
const LONGEST = '😀'.repeat(16_000);

/**
 * A commit's posts reach each WebSocket connection framed once for all (protocols/ws/frames.ts,
 * WsSession.onRoomPosts): every recipient writes the shared frames, or slices of them. Posters
 * send rounds of posts at once, so commits carry several posters' posts; every connection, the
 * posters' own included, must still get each message once, whole, in the room's order.
 */
describe('WebSocket: posts committed together reach every connection exactly once, in order', () => {
  let server: TestServer;
  let roomId = 0;
  let people: { id: number; api: Api }[] = [];
  const open: WsClient[] = [];

  before(async () => {
    server = await startTestServer();
    const admin = await adminApi(server.url);
    people = [];
    for (let i = 0; i <= POSTERS; i++) people.push(await createUser(admin, `person${i}`));
    const cat = await createCategory(admin, 'Everyone', { allowed: people.map((p) => user(p.id)) });
    roomId = await createRoom(admin, 'busy', cat, { privacy: 'open' });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('a reader and the posters themselves', async () => {
    const clients: WsClient[] = [];
    for (const p of people) {
      const c = await WsClient.connect(server.url, p.api.token);
      open.push(c);
      await c.next((f) => f.type === 'ready');
      await c.call({ type: 'join', roomId });
      clients.push(c);
    }
    const posters = clients.slice(1);
    for (let round = 0; round < ROUNDS; round++) {
      const acks = posters.flatMap((c, p) =>
        Array.from({ length: POSTS_PER_ROUND }, (_, i) => {
          const n = round * POSTS_PER_ROUND + i;
          const text = round === 3 && i === 0 ? (p === 0 ? LONGEST : LONG) : `p${p} post ${n}`;
          return c.call({ type: 'post', roomId, text, clientId: `p${p}-${n}` }, WAIT_MS);
        }),
      );
      await Promise.all(acks);
    }

    const page = expectStatus(await people[0]!.api.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200);
    const stored: { seq: number; text: string }[] = page.messages.map((m: { seq: number; text: string }) => ({ seq: m.seq, text: m.text }));
    assert.equal(stored.length, POSTERS * POSTS_PER_ROUND * ROUNDS);
    assert.ok(stored.some((m) => m.text === LONGEST) && stored.some((m) => m.text === LONG));
    const last = stored.at(-1)?.seq;
    for (const [i, c] of clients.entries()) {
      await c.next((f) => f.type === 'message' && f.message.seq === last, WAIT_MS);
      // Every message frame received, in arrival order (the waiter above took the last one).
      const got = [...c.frames.filter((f) => f.type === 'message' && f.roomId === roomId), { message: { seq: last } }].map((f) => f.message.seq);
      assert.deepEqual(got, stored.map((m) => m.seq), `connection ${i} gets each message once, in order`);
      const texts = c.frames.filter((f) => f.type === 'message').map((f) => f.message.text);
      assert.deepEqual(texts, stored.slice(0, -1).map((m) => m.text), `connection ${i} gets each text whole`);
    }
  });
});
