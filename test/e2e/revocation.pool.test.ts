import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../irc/clients.js';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

/**
 * Revocation crosses pool nodes: a session ended on node A closes the connections it
 * authenticated on node B (through the shared event log), and its token fails on B at once
 * (the sessions are in the shared database).
 */
describe('revocation across a pool of two nodes on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let a: TestServer;
  let b: TestServer;
  let admin: Api;

  before(async () => {
    cluster = await startPostgres();
    const database = await cluster.createDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    admin = await adminApi(a.url);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
  });

  it('signing out on node A closes the WebSocket on node B and the token fails there', async () => {
    const { api } = await createUser(admin, 'alice@example.com');
    const other = await Api.login(a.url, 'alice@example.com', PASSWORD);
    const onB = await WsClient.connect(b.url, api.token);
    await onB.next((f) => f.type === 'ready');
    const otherOnB = await WsClient.connect(b.url, other.token);
    await otherOnB.next((f) => f.type === 'ready');
    try {
      expectStatus(await api.delete('/api/v1/sessions/current'), 204);
      assert.equal((await new Api(b.url, api.token).get('/api/v1/me')).status, 401, 'the token fails on B at once');
      const closed = await onB.waitClose(10_000);
      assert.deepEqual([closed.code, closed.reason], [4001, 'You signed out.']);
      assert.equal((await otherOnB.call({ type: 'ping' })).type, 'pong', 'the other session’s connection on B stays');
    } finally {
      onB.close();
      otherOnB.close();
    }
  });

  it("a password changed on node A ends the user's IRC connection on node B, and an administrator's revocation on A ends the rest", async () => {
    const { id, api } = await createUser(admin, 'bob@example.com');
    const irc = await RawClient.register(b.irc[0]?.port ?? 0, 'bob@example.com', PASSWORD);
    const second = await Api.login(b.url, 'bob@example.com', PASSWORD);
    const ws = await WsClient.connect(b.url, second.token);
    await ws.next((f) => f.type === 'ready');
    try {
      expectStatus(await api.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'bob-new-password' }), 204);
      assert.match(await irc.next(/^ERROR /, 10_000), /password was changed/);
      await irc.waitClose();
      assert.equal((await ws.waitClose(10_000)).code, 4001);
      expectStatus(await api.get('/api/v1/me'), 200);

      const ircAgain = await RawClient.register(b.irc[0]?.port ?? 0, 'bob@example.com', 'bob-new-password');
      expectStatus(await admin.delete(`/api/v1/users/${id}/sessions`), 200);
      assert.match(await ircAgain.next(/^ERROR /, 10_000), /An administrator ended this session/);
      assert.equal((await api.get('/api/v1/me')).status, 401);
    } finally {
      irc.close();
      ws.close();
    }
  });
});
