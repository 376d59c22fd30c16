import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { type ChildServer, spawnServer } from '../helpers/childServer.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { WsClient } from '../helpers/wsClient.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two real `pchat serve` processes on one PostgreSQL; one dies by SIGKILL mid-conversation. */
describe('a pool node dying mid-conversation', () => {
  let cluster: PostgresCluster;
  const dirs: string[] = [];
  let nodeA: ChildServer;
  let nodeB: ChildServer;

  before(async () => {
    cluster = await startPostgres();
    const database = await cluster.createDatabase();
    const spawn = () => {
      const dir = mkdtempSync(join(tmpdir(), 'pchat-pool-'));
      dirs.push(dir);
      return spawnServer(dir, { PCHAT_DATABASE: database });
    };
    nodeA = await spawn();
    nodeB = await spawn();
  });
  after(async () => {
    await nodeA?.kill();
    await nodeB?.kill();
    await cluster?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing: the client resumes on the other node with join since=<last seq>', async () => {
    const admin = await adminApi(nodeB.url);
    const carol = await createUser(admin, 'carol@example.com');
    const dave = await createUser(admin, 'dave@example.com');
    const categoryId = await createCategory(admin, 'Ops', { allowed: [user(carol.id), user(dave.id)] });
    const roomId = await createRoom(admin, 'incident', categoryId, { members: [user(carol.id), user(dave.id)] });
    await sleep(500); // node A's directory learns of them through the event log

    // Carol is on node A; Dave posts through node B all along.
    const ws = await WsClient.connect(nodeA.url, carol.api.token);
    await ws.next((f) => f.type === 'ready');
    assert.equal((await ws.call({ type: 'join', roomId })).type, 'joined');
    const received: number[] = [];
    const acked: string[] = [];
    ws.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'message') received.push(frame.message.seq);
    });

    let posting = true;
    const daveOnB = new Api(nodeB.url, dave.api.token);
    const daves = (async () => {
      for (let i = 0; posting; i++) {
        expectStatus(await daveOnB.post(`/api/v1/rooms/${roomId}/messages`, { text: `dave ${i}`, clientId: `d${i}` }), 201);
        await sleep(5);
      }
    })();
    for (let i = 0; i < 10; i++) {
      const ack = await ws.call({ type: 'post', roomId, text: `carol ${i}`, clientId: `c${i}` });
      assert.equal(ack.type, 'ack');
      acked.push(`c${i}`);
    }
    await sleep(200);
    await nodeA.kill();
    await ws.waitClose(5000).catch(() => undefined);
    const lastSeq = Math.max(0, ...received);
    assert.ok(lastSeq > 0, 'the client saw messages before the node died');
    await sleep(300); // Dave keeps posting while Carol is away

    // Carol's client reconnects to the other node and resumes by sequence number.
    const again = await WsClient.connect(nodeB.url, carol.api.token);
    await again.next((f) => f.type === 'ready');
    const joined = await again.call({ type: 'join', roomId, since: lastSeq });
    assert.equal(joined.type, 'joined');
    const resumed: number[] = joined.messages.map((m: any) => m.seq);
    await sleep(300);
    posting = false;
    await daves;
    const final = expectStatus(await daveOnB.get(`/api/v1/rooms/${roomId}/messages?limit=1`), 200).lastSeq as number;
    while ((resumed.at(-1) ?? lastSeq) < final) resumed.push((await again.next((f) => f.type === 'message', 3000)).message.seq);

    const all = [...received, ...resumed];
    assert.deepEqual(all, Array.from({ length: final }, (_, i) => i + 1), 'every seq exactly once, in order');
    const history = expectStatus(await daveOnB.get(`/api/v1/rooms/${roomId}/messages?after=0&limit=500`), 200);
    for (const clientId of acked) assert.ok(history.messages.some((m: any) => m.clientId === clientId), `acknowledged post ${clientId} survived`);
    again.close();
  });
});
