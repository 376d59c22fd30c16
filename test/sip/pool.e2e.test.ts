import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertSipeInstalled, runSipe } from '../helpers/sipe.js';
import { WsClient } from '../helpers/wsClient.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The SIP endpoint on a pool: pidgin-sipe signs in with NTLM on node A (the NT hash was written
 * through node B, which shares the credential key), and talks live with a WebSocket client of
 * node B.
 */
describe('SIP on a pool of two nodes on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let a: TestServer;
  let b: TestServer;
  let keyDir: string;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let roomId: number;

  before(async () => {
    assertSipeInstalled();
    cluster = await startPostgres();
    const database = await cluster.createDatabase();
    keyDir = mkdtempSync(join(tmpdir(), 'pchat-sip-key-'));
    const shared = { database, 'sip.credentialKeyFile': join(keyDir, 'sip-credentials.key'), 'sip.domains': ['pchat.test'] };
    a = await startTestServer({ ...shared, 'sip.listen': [{ host: '127.0.0.1', port: 0 }] });
    b = await startTestServer(shared);
    // Accounts are made through node B: the NT hash it writes must work on node A.
    const admin = await adminApi(b.url);
    alice = await createUser(admin, 'alice@pchat.test', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@pchat.test', { displayName: 'Bob' });
    const category = await createCategory(admin, 'Pool', { allowed: [user(alice.id), user(bob.id)] });
    roomId = await createRoom(admin, 'pooled', category, { members: [user(alice.id), user(bob.id)] });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('signs in on node A and exchanges live messages with a client of node B', async () => {
    const ws = await WsClient.connect(b.url, bob.api.token);
    await ws.next((f) => f.type === 'ready');
    for (let attempt = 0; (await ws.call({ type: 'join', roomId })).type !== 'joined'; attempt++) {
      assert.ok(attempt < 20, 'node B never learnt of the room');
      await sleep(100);
    }
    const sipe = runSipe({ port: a.sip[0]?.port ?? 0, user: 'alice@pchat.test', password: PASSWORD, steps: ['list', 'join pooled', 'wait 3', 'say from node a', 'wait 6'] });
    try {
      await sipe.waitFor(/Logged in/);
      await sipe.waitFor(/sipalice!sip:alice@pchat\.test JOIN :#pc/);
      const live = await ws.next((f) => f.type === 'message' && f.message.text === 'from node a', 30_000);
      assert.equal(live.message.authorId, alice.id);
      const ack = await ws.call({ type: 'post', roomId, text: 'from node b', clientId: 'b1' });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      await sipe.waitFor(/sipbob!sip:bob@pchat\.test PRIVMSG #pc :from node b/, 10_000);
      assert.equal((await sipe.done).code, 0);
    } finally {
      sipe.kill();
      ws.close();
    }
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages`), 200);
    assert.deepEqual(history.messages.map((m: { text: string }) => m.text), ['from node a', 'from node b']);
  });
});
