import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertSipeInstalled, runSipe } from '../helpers/sipe.js';

/**
 * What a real Lync group chat client (pidgin-sipe 1.25, NTLM sign-in) sees when its session is
 * ended on the server: the BYE and the registration-notify deregistration, reported as a
 * rejection with pchat's reason, after which it is signed off (no silent reconnect).
 */
describe('a revoked SIP session as pidgin-sipe sees it', () => {
  let server: TestServer;
  let admin: Api;
  let frank: { id: number; api: Api };
  let sipPort = 0;

  before(async () => {
    assertSipeInstalled();
    server = await startTestServer({ 'sip.listen': [{ host: '127.0.0.1', port: 0 }], 'sip.domains': ['pchat.test'], 'sip.serverName': 'pool.pchat.test' });
    sipPort = server.sip[0]?.port ?? 0;
    admin = await adminApi(server.url);
    frank = await createUser(admin, 'frank@pchat.test', { displayName: 'Frank' });
    const category = await createCategory(admin, 'Ops', { allowed: [user(frank.id)] });
    await createRoom(admin, 'ops-room', category, { privacy: 'open' });
  });
  after(() => server?.stop());

  it('reports the rejection with the reason and signs off when an administrator ends the session', async (t) => {
    const sipe = runSipe({ port: sipPort, user: 'frank@pchat.test', password: PASSWORD, steps: ['list', 'join ops-room', 'wait 25'] });
    try {
      await sipe.waitFor(/Logged in/);
      await sipe.waitFor(/JOIN :#/);
      const sessions = expectStatus(await admin.get(`/api/v1/users/${frank.id}/sessions`), 200).sessions as { id: number; kind: string; userAgent: string }[];
      const sip = sessions.find((s) => s.kind === 'sip');
      assert.ok(sip, `the SIP connection is listed: ${JSON.stringify(sessions)}`);
      assert.match(sip.userAgent, /sipe|UCCAPI|pidgin/i, 'with the client’s User-Agent');
      expectStatus(await admin.delete(`/api/v1/users/${frank.id}/sessions/${sip.id}`), 204);
      const line = await sipe.waitFor(/rejected by the server/i, 20_000);
      assert.match(line, /An administrator ended this session/);
      t.diagnostic(`pidgin-sipe showed: ${line}`);
      const { transcript } = await sipe.done;
      assert.doesNotMatch(transcript.slice(transcript.indexOf(line)), /Logged in/, 'no silent reconnect afterwards');
    } finally {
      sipe.kill();
    }
  });
});
