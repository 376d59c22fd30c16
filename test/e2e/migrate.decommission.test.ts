import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/load.js';
import { type LocalApp, openApplication } from '../../src/main.js';
import { FrameworkClient } from '../irc/clients.js';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

/** What an IRC client reads before the server closes the connection. */
const ircGreeting = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('connect', () => socket.write('NICK probe\r\nUSER probe 0 * :probe\r\n'));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 3000).unref();
  });

/** Repeats `probe` until it holds: the server learns through the shared event log, within a second. */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The source side of `pchat migrate run`: freeze (read-only maintenance) and decommission are
// settings written by another process (the CLI) that a running server must notice.
describe('a migrated-away pchat server: frozen, then decommissioned', () => {
  let server: TestServer;
  let cli: LocalApp;
  let roomId: number;
  let alice: { id: number; api: Api };

  before(async () => {
    server = await startTestServer();
    cli = await openApplication(loadConfig({ env: {}, overrides: { database: server.database, 'log.level': 'silent' } }), 'cli');
    const admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice');
    roomId = await createRoom(admin, 'general', await createCategory(admin, 'Everyone', { allowed: [user(alice.id)] }), { members: [user(alice.id)] });
  });
  after(async () => {
    await cli.close();
    await server.stop();
  });

  it('frozen: posts are refused with the maintenance message, history stays readable', async () => {
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'before the window' }), 201);
    await cli.app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: true, message: 'Migrating to pchat.example.com' });
    await eventually(async () => (await new Api(server.url).get('/healthz')).body.maintenance !== null, 'the server in maintenance');
    const refused = await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'during' });
    assert.equal(refused.body.error.code, 'read_only');
    assert.equal(refused.body.error.message, 'Migrating to pchat.example.com');
    const history = expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages`), 200);
    assert.deepEqual(history.messages.map((m: any) => m.text), ['before the window']);
  });

  it('decommissioned: HTTP, WebSocket and IRC connections are refused with the new address; /healthz says so', async () => {
    const ws = await WsClient.connect(server.url, alice.api.token);
    const irc = await FrameworkClient.connect(server.irc[0]!.port, 'alice', { account: { account: 'alice', password: PASSWORD } });
    await cli.app.pool.setDecommissioned(SYSTEM_ACTOR, { newAddress: 'https://chat.example.com' });
    // Connections already open are ended too, with the same pointer to the new address.
    const closed = await ws.waitClose(15_000);
    assert.equal(closed.code, 4003);
    assert.match(closed.reason, /https:\/\/chat\.example\.com/);
    await irc.next((l) => /^ERROR :.*https:\/\/chat\.example\.com/.test(l), 15_000);
    irc.close();
    await eventually(async () => (await alice.api.get('/api/v1/rooms')).status === 503, 'HTTP refused');
    const api = await alice.api.get('/api/v1/rooms');
    assert.equal(api.body.error.code, 'decommissioned');
    assert.match(api.body.error.message, /migrated.*https:\/\/chat\.example\.com/);
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 503);
    assert.match(await page.text(), /https:\/\/chat\.example\.com/);
    await assert.rejects(WsClient.connect(server.url, alice.api.token), /HTTP 503/);
    assert.match(await ircGreeting(server.irc[0]!.port), /^ERROR :.*migrated.*https:\/\/chat\.example\.com/);
    const health = expectStatus(await new Api(server.url).get('/healthz'), 200);
    assert.match(health.decommissioned, /https:\/\/chat\.example\.com/);
  });

  it('lifting the mark (a rollback by hand) lets connections in again', async () => {
    await cli.app.pool.setDecommissioned(SYSTEM_ACTOR, null);
    await cli.app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: false });
    await eventually(async () => (await alice.api.get('/api/v1/rooms')).status === 200, 'HTTP served again');
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'after' }), 201);
    (await WsClient.connect(server.url, alice.api.token)).close();
  });
});
