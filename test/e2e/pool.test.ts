import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '../../src/storage/postgres/index.js';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { pchatJson } from '../helpers/interchange.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

/** Runs the real `pchat` executable against the database, from a directory without a config file. */
const pchat = (database: string, ...args: string[]): Promise<any> => pchatJson(database, args, { cwd: tmpdir(), timeout: 30_000 });

const on = (server: TestServer, api: Api): Api => new Api(server.url, api.token);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two pchat nodes, in this process, serving one PostgreSQL database. */
describe('a pool of two nodes on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let database: string;
  let a: TestServer;
  let b: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let categoryId: number;

  before(async () => {
    cluster = await startPostgres();
    database = await cluster.createDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    admin = await adminApi(a.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    categoryId = await createCategory(admin, 'Pool', { allowed: [user(alice.id), user(bob.id)] });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
  });

  const room = (name: string) => createRoom(admin, name, categoryId, { members: [user(alice.id), user(bob.id)] });
  /** The room must be known to B's directory before B accepts a join (the event log tails every 200 ms). */
  const joinOn = async (server: TestServer, who: { api: Api }, roomId: number, since?: number): Promise<{ ws: WsClient; joined: any }> => {
    const ws = await WsClient.connect(server.url, who.api.token);
    await ws.next((f) => f.type === 'ready');
    for (let attempt = 0; ; attempt++) {
      const joined = await ws.call({ type: 'join', roomId, ...(since !== undefined && { since }) });
      if (joined.type === 'joined') return { ws, joined };
      assert.ok(attempt < 20, `join failed: ${JSON.stringify(joined)}`);
      await sleep(100);
    }
  };

  it('delivers a message posted on node A to a WebSocket client on node B, live and in order', async () => {
    const roomId = await room('cross');
    const { ws } = await joinOn(b, bob, roomId);
    for (let i = 1; i <= 50; i++) expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: `m${i}` }), 201);
    const seen: number[] = [];
    while (seen.length < 50) seen.push((await ws.next((f) => f.type === 'message', 10_000)).message.seq);
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1));
    // Node B's own post after A's lands in order too, and B's client sees it exactly once.
    const ack = await ws.call({ type: 'post', roomId, text: 'from b' });
    assert.equal(ack.message.seq, 51);
    assert.equal((await ws.next((f) => f.type === 'message')).message.seq, 51);
    await sleep(300);
    assert.equal(ws.frames.filter((f) => f.type === 'message').length, 0, 'no duplicates');
    ws.close();
  });

  it('carries room changes and disabling, via node A and via the CLI, to clients on node B', async () => {
    const roomId = await room('changes');
    const { ws } = await joinOn(b, bob, roomId);
    expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { description: 'now with a topic' }), 200);
    // The room's creation can still be on its way to node B when the join succeeds: its re-check then
    // sends the room as it is now (a 'room' frame without the topic) before this change arrives.
    assert.equal((await ws.next((f) => f.type === 'room' && f.room.description === 'now with a topic', 2000)).room.description, 'now with a topic');
    expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { disabled: true }), 200);
    assert.deepEqual(await ws.next((f) => f.type === 'removed', 2000), { type: 'removed', roomId, reason: 'disabled' });
    expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { disabled: false }), 200);
    ws.close();

    const other = await room('cli-changes');
    const { ws: ws2 } = await joinOn(b, bob, other);
    await pchat(database, 'room', 'set', 'cli-changes', '--disable');
    assert.deepEqual(await ws2.next((f) => f.type === 'removed', 2000), { type: 'removed', roomId: other, reason: 'disabled' });
    ws2.close();
  });

  it('carries membership and moderation changes made on node A to clients on node B', async () => {
    const roomId = await room('moderated across nodes');
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'contains a secret token' }), 201);
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'harmless' }), 201);
    const { ws } = await joinOn(b, bob, roomId);
    // Moderation on A: B's client hears of the replaced and the removed messages.
    expectStatus(await admin.post('/api/v1/moderation/remove-messages', { roomId, keywords: 'secret', action: 'replace' }), 200);
    assert.equal((await ws.next((f) => f.type === 'messages.replaced', 10_000)).messages[0].seq, 1);
    expectStatus(await admin.post('/api/v1/moderation/remove-messages', { roomId, keywords: 'harmless' }), 200);
    assert.deepEqual((await ws.next((f) => f.type === 'messages.removed', 10_000)).seqs, [2]);
    expectStatus(await admin.post(`/api/v1/rooms/${roomId}/clear`, { upTo: new Date().toISOString() }), 200);
    assert.equal((await ws.next((f) => f.type === 'room.cleared', 10_000)).roomId, roomId);
    // Membership on A: Bob is taken off the member list, and B removes him from the room at once.
    expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { members: [user(alice.id)] }), 200);
    assert.deepEqual(await ws.next((f) => f.type === 'removed', 10_000), { type: 'removed', roomId, reason: 'revoked' });
    ws.close();
  });

  it('keeps per-room seqs gap-free and strictly increasing under concurrent posting from both nodes', async () => {
    const rooms = [await room('race-1'), await room('race-2'), await room('race-3')];
    const watchers = await Promise.all(rooms.map((r) => joinOn(a, alice, r)));
    const perRoom = 120;
    await sleep(300); // B's directory knows the rooms
    await Promise.all(
      rooms.flatMap((roomId) =>
        [a, b].map(async (node, n) => {
          const api = on(node, n === 0 ? alice.api : bob.api);
          await Promise.all(
            Array.from({ length: perRoom / 2 }, (_, i) => api.post(`/api/v1/rooms/${roomId}/messages`, { text: `n${n}-${i}` }).then((r) => expectStatus(r, 201))),
          );
        }),
      ),
    );
    for (const [i, roomId] of rooms.entries()) {
      const history = expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages?after=0&limit=500`), 200);
      assert.deepEqual(
        history.messages.map((m: any) => m.seq),
        Array.from({ length: perRoom }, (_, k) => k + 1),
      );
      // The live client on node A saw every one, in order, once.
      const { ws } = watchers[i]!;
      const seen: number[] = [];
      while (seen.length < perRoom) seen.push((await ws.next((f) => f.type === 'message' && f.message.roomId === roomId, 5000)).message.seq);
      assert.deepEqual(seen, Array.from({ length: perRoom }, (_, k) => k + 1));
      ws.close();
    }
  });

  it('drains a node: no new WebSocket or IRC connections, existing ones stay', async () => {
    const roomId = await room('drain');
    const { ws } = await joinOn(b, bob, roomId);
    const status = await pchat(database, 'pool', 'status');
    const nodeB = status.nodes.find((n: any) => n.name.endsWith(`:${b.port}`));
    assert.ok(nodeB, JSON.stringify(status));
    assert.equal(nodeB.health, 'up');
    assert.equal(nodeB.active, true);
    await pchat(database, 'pool', 'deactivate', nodeB.name);
    await sleep(700);
    await assert.rejects(WsClient.connect(b.url, bob.api.token), /HTTP 503/);
    const irc = b.irc[0]!;
    const line = await new Promise<string>((resolve, reject) => {
      const socket = connect(irc.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(line, /^ERROR :.*drained/);
    // Node A still takes connections; the existing session on B still gets messages.
    (await WsClient.connect(a.url, alice.api.token)).close();
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'still here?' }), 201);
    assert.equal((await ws.next((f) => f.type === 'message', 10_000)).message.text, 'still here?');
    const health = expectStatus(await new Api(b.url).get('/healthz'), 200);
    assert.equal(health.active, false);
    const pool = expectStatus(await admin.get('/api/v1/pool'), 200);
    assert.equal(pool.nodes.find((n: any) => n.name === nodeB.name).active, false);
    await pchat(database, 'pool', 'activate', nodeB.name);
    await sleep(700);
    (await WsClient.connect(b.url, bob.api.token)).close();
    ws.close();
  });

  it('read-only maintenance refuses posting on every node with a clear message; reading goes on', async () => {
    const roomId = await room('frozen');
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'before' }), 201);
    await pchat(database, 'pool', 'maintenance', 'on', '--message', 'Moving house until 14:00');
    await sleep(1000);
    for (const node of [a, b]) {
      const refused = await on(node, alice.api).post(`/api/v1/rooms/${roomId}/messages`, { text: 'during' });
      assert.equal(refused.status, 503);
      assert.deepEqual(refused.body.error.code, 'read_only');
      assert.equal(refused.body.error.message, 'Moving house until 14:00');
      const history = expectStatus(await on(node, alice.api).get(`/api/v1/rooms/${roomId}/messages`), 200);
      assert.deepEqual(history.messages.map((m: any) => m.text), ['before']);
      assert.equal(expectStatus(await new Api(node.url).get('/healthz'), 200).maintenance.message, 'Moving house until 14:00');
    }
    const { ws } = await joinOn(b, bob, roomId);
    const wsRefused = await ws.call({ type: 'post', roomId, text: 'during' });
    assert.equal(wsRefused.type, 'error');
    assert.equal(wsRefused.code ?? wsRefused.error?.code, 'read_only');
    await pchat(database, 'pool', 'maintenance', 'off');
    await sleep(1000);
    for (const node of [a, b]) expectStatus(await on(node, alice.api).post(`/api/v1/rooms/${roomId}/messages`, { text: 'after' }), 201);
    ws.close();
  });

  it('the event log never skips an event that commits out of id order (appends are serialised)', async () => {
    const writers = await Promise.all([createPostgresStore(database), createPostgresStore(database), createPostgresStore(database)]);
    const reader = await createPostgresStore(database);
    try {
      let last = await reader.events.lastId();
      const start = last;
      const total = 3 * 100;
      const writing = Promise.all(writers.map((w, n) => Promise.all(Array.from({ length: 100 }, (_, i) => w.events.append(`w${n}`, [`{"i":${i}}`])))));
      const seen = new Set<number>();
      let done = false;
      void writing.then(() => (done = true));
      // Tail the way SharedEventBus does, remembering only the highest id.
      while (!done || seen.size < total) {
        for (const row of await reader.events.after(last, 50)) {
          seen.add(row.id);
          last = row.id;
        }
        if (done && (await reader.events.lastId()) === last) break;
      }
      await writing;
      const all = (await reader.events.after(start, 10_000)).map((r) => r.id);
      assert.equal(all.length, total);
      assert.deepEqual([...seen].sort((x, y) => x - y), all);
    } finally {
      await Promise.all([...writers, reader].map((s) => s.close()));
    }
  });
});
