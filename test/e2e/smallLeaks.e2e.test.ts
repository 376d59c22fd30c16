import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { httpFrom } from '../helpers/fromAddress.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

describe('smaller leaks', () => {
  let server: TestServer;
  let admin: Api;
  let ircPort = 0;

  before(async () => {
    server = await startTestServer();
    ircPort = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
  });
  after(() => server?.stop());

  it('WHOIS, WHO, USERHOST and LUSERS stop showing an administrator as an operator once demoted', async () => {
    const boss = await createUser(admin, 'boss', { isAdmin: true });
    const watcher = await createUser(admin, 'watcher');
    assert.ok(watcher.id > 0);
    const opered = await RawClient.register(ircPort, 'boss', PASSWORD);
    opered.send(`OPER boss ${PASSWORD}`);
    await opered.next(/ 381 /);
    const looker = await RawClient.register(ircPort, 'watcher', PASSWORD);
    const ask = async () => {
      const from = looker.lines.length;
      looker.send('WHOIS boss', 'WHO boss', 'USERHOST boss', 'LUSERS');
      await looker.next(/ 255 /, 5000, from);
      return looker.lines.slice(from);
    };
    const before = await ask();
    assert.ok(before.some((l) => / 313 \S+ boss :is an IRC operator/.test(l)), before.join('\n'));
    assert.ok(before.some((l) => / 352 .* boss H\* /.test(l)), 'WHO flags the operator');
    assert.ok(before.some((l) => / 302 \S+ :?boss\*=/.test(l)), 'USERHOST marks the operator');
    assert.ok(before.some((l) => / 252 \S+ 1 :operator/.test(l)));

    expectStatus(await admin.patch(`/api/v1/users/${boss.id}`, { isAdmin: false }), 200);
    const after = await ask();
    assert.ok(!after.some((l) => / 313 /.test(l)), `no RPL_WHOISOPERATOR after the demotion:\n${after.join('\n')}`);
    assert.ok(after.some((l) => / 352 .* boss H /.test(l)), 'WHO no longer flags them');
    assert.ok(after.some((l) => / 302 \S+ :?boss=/.test(l)), 'USERHOST no longer marks them');
    assert.ok(after.some((l) => / 252 \S+ 0 :operator/.test(l)));
    opered.socket.destroy();
    looker.socket.destroy();
  });

  it('AUTHENTICATE before CAP REQ :sasl is refused with 904, and SASL then works once negotiated', async () => {
    await createUser(admin, 'early');
    const client = await RawClient.connect(ircPort);
    client.send('AUTHENTICATE PLAIN');
    assert.match(await client.next(/ 904 /), / 904 \* :SASL authentication failed: request the sasl capability first \(CAP REQ :sasl\)$/);
    assert.ok(!client.lines.some((l) => / AUTHENTICATE \+$/.test(l)), 'no exchange was started');
    client.send('CAP LS 302', 'CAP REQ :sasl', 'AUTHENTICATE PLAIN');
    await client.next(/ AUTHENTICATE \+$/);
    client.send(`AUTHENTICATE ${Buffer.from(`\0early\0${PASSWORD}`).toString('base64')}`);
    await client.next(/ 903 /);
    client.socket.destroy();
  });

  describe('/metrics', () => {
    it('is served to loopback clients by default, and refused when the request came through a proxy', async () => {
      const direct = await httpFrom('127.0.0.1', server.url, 'GET', '/metrics');
      assert.equal(direct.status, 200);
      assert.match(direct.text, /pchat_/);
      const proxied = await httpFrom('127.0.0.1', server.url, 'GET', '/metrics', undefined, { 'x-forwarded-for': '203.0.113.7' });
      assert.equal(proxied.status, 403);
      assert.equal(proxied.json.error.code, 'not_permitted');
      assert.equal((await httpFrom('127.0.0.1', server.url, 'GET', '/metrics', undefined, { forwarded: 'for=203.0.113.7' })).status, 403);
    });

    it('follows metrics.allow and opens to metrics.token from anywhere', async () => {
      const token = 'metrics-token-0123456789';
      const limited = await startTestServer({ 'metrics.allow': ['127.0.0.2', '10.0.0.0/8'], 'metrics.token': token });
      try {
        assert.equal((await httpFrom('127.0.0.2', limited.url, 'GET', '/metrics')).status, 200, 'a listed address');
        assert.equal((await httpFrom('127.0.0.3', limited.url, 'GET', '/metrics')).status, 403, 'an address not listed');
        assert.equal((await httpFrom('127.0.0.1', limited.url, 'GET', '/metrics')).status, 403, 'loopback is not implied once the list is set');
        assert.equal((await httpFrom('127.0.0.3', limited.url, 'GET', '/metrics', undefined, { authorization: `Bearer ${token}` })).status, 200, 'the token');
        assert.equal((await httpFrom('127.0.0.3', limited.url, 'GET', '/metrics', undefined, { authorization: `Bearer ${token}x` })).status, 403, 'a wrong token');
        assert.equal((await httpFrom('127.0.0.3', limited.url, 'GET', '/metrics', undefined, { authorization: 'Bearer ' })).status, 403, 'an empty token');
        assert.equal((await httpFrom('127.0.0.3', limited.url, 'GET', '/healthz')).status, 200, 'health stays public');
      } finally {
        await limited.stop();
      }
    });
  });
});
