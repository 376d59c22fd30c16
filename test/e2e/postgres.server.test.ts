import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { expectStatus } from '../helpers/http.js';
import { pchatJson } from '../helpers/interchange.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { rejoinDuringBurst } from '../helpers/scenarios.js';
import { WsClient } from '../helpers/wsClient.js';

/** Runs the real `pchat` executable against the database, from a directory without a config file. */
const pchat = (database: string, ...args: string[]): Promise<any> => pchatJson(database, args, { cwd: tmpdir(), timeout: 30_000 });

/** The whole server on PostgreSQL: the `database` setting is a URL, the rest is unchanged. */
describe('a pchat server on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let server: TestServer;
  before(async () => {
    cluster = await startPostgres();
    server = await startTestServer({ database: await cluster.createDatabase() });
  });
  after(async () => {
    await server?.stop();
    await cluster?.stop();
  });

  it('carries a conversation: login, category, room, live post, history, search', async () => {
    const admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    const categoryId = await createCategory(admin, 'Engineering', { allowed: [user(alice.id), user(bob.id)] });
    const roomId = await createRoom(admin, 'Release Planning', categoryId, { members: [user(alice.id), user(bob.id)] });
    expectStatus(await admin.post('/api/v1/rooms', { name: 'release planning', categoryId }), 409);

    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.next((f) => f.type === 'ready');
    assert.equal((await ws.call({ type: 'join', roomId })).type, 'joined');

    const posted = expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'Déploiement vendredi', clientId: 'c-1' }), 201);
    assert.equal(posted.message.seq, 1);
    const live = await ws.next((f) => f.type === 'message');
    assert.equal(live.message.text, 'Déploiement vendredi');
    assert.equal(live.message.authorName, 'Alice');

    const again = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'Déploiement vendredi', clientId: 'c-1' });
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);

    const ack = await ws.call({ type: 'post', roomId, text: 'ready when you are', clientId: 'ws-1' });
    assert.equal(ack.type, 'ack');
    assert.equal(ack.message.seq, 2);
    ws.close();

    const history = expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages`), 200);
    assert.deepEqual(
      history.messages.map((m: any) => [m.seq, m.text]),
      [
        [1, 'Déploiement vendredi'],
        [2, 'ready when you are'],
      ],
    );
    const found = expectStatus(await bob.api.get('/api/v1/search?q=deploiement%20vend'), 200);
    assert.deepEqual(found.hits.map((h: any) => [h.roomName, h.message.text]), [['Release Planning', 'Déploiement vendredi']]);
  });
  it('hands over from history to live with no gap or repeat when joins truly interleave with commits', async () => {
    const admin = await adminApi(server.url);
    const carol = await createUser(admin, 'racer-one@example.com');
    const dave = await createUser(admin, 'racer-two@example.com');
    const categoryId = await createCategory(admin, 'Race track', { allowed: [user(carol.id), user(dave.id)] });
    const roomId = await createRoom(admin, 'race', categoryId, { members: [user(carol.id), user(dave.id)] });
    await rejoinDuringBurst(server.url, carol.api, dave.api, roomId, 2000);
  });

  it('shares the database with the CLI: a room it creates reaches the server through the event log', async () => {
    const admin = await adminApi(server.url);
    const carol = await createUser(admin, 'carol@example.com');
    await pchat(server.database, 'category', 'create', 'Ops', '--allowed', 'user:carol@example.com');
    const room = await pchat(server.database, 'room', 'create', 'on call', '--category', 'Ops', '--members', 'user:carol@example.com');
    const deadline = Date.now() + 2000;
    while ((await carol.api.get(`/api/v1/rooms/${room.id}`)).status !== 200) {
      assert.ok(Date.now() < deadline, 'the server did not learn of the room the CLI created');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expectStatus(await carol.api.post(`/api/v1/rooms/${room.id}/messages`, { text: 'paged' }), 201);
  });

  it('logs the database URL without its password', async () => {
    // Trust authentication ignores the password, so the URL works and still carries one.
    const url = new URL(await cluster.createDatabase());
    url.password = 's3cret-pw';
    let logged = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += String(chunk);
        done();
      },
    });
    const config = loadConfig({
      env: {},
      // Every port ephemeral: IRC's default would be 0.0.0.0:6667, busy wherever an IRC server runs.
      overrides: { database: url.toString(), 'http.host': '127.0.0.1', 'http.port': 0, 'irc.listen': [{ host: '127.0.0.1', port: 0 }], 'admin.password': ADMIN_PASSWORD, 'log.level': 'info' },
    });
    const logging = await startServer(config, { logger: createLogger('info', sink), announce: () => undefined });
    await logging.close();
    assert.match(logged, /pchat is serving/);
    assert.match(logged, /postgres:\/\/postgres:redacted@127\.0\.0\.1/);
    assert.doesNotMatch(logged, /s3cret-pw/);
  });
});
