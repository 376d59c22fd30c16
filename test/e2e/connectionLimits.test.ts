// Connection caps and timeouts over real sockets: the per-address and total caps on IRC, HTTP and
// WebSocket, the oldest not-signed-in connection closed to make room, and slow senders cut off.
// Clients pick their source address inside 127.0.0.0/8 (Linux routes all of it to loopback), so
// "another address" is a real one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';
import { getFrom, metric, openFrom, type Probe } from '../helpers/sockets.js';

/** Opens a WebSocket from `localAddress`: 'open', or the HTTP status it was refused with. */
function webSocketFrom(url: string, localAddress: string): Promise<{ opened: true; ws: WebSocket } | { opened: false; status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`, { localAddress });
    ws.once('open', () => resolve({ opened: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.once('error', reject);
  });
}

/** An IRC client from `localAddress`, registered as the administrator. */
async function registerFrom(port: number, localAddress: string): Promise<Probe> {
  const probe = await openFrom(port, localAddress);
  probe.socket.write(`PASS admin:${ADMIN_PASSWORD}\r\nNICK admin\r\nUSER admin 0 * :Admin\r\n`);
  for (let i = 0; i < 500 && !/ 001 /.test(probe.received()); i++) {
    if (probe.socket.destroyed) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.match(probe.received(), / 001 /, `registered from ${localAddress}`);
  return probe;
}

/** /metrics, asked again while the server is still at its cap (a client's close reaches it a moment later). */
async function metricsOf(url: string): Promise<string> {
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/metrics`);
    if (res.status !== 503 || i >= 50) {
      assert.equal(res.status, 200);
      return res.text();
    }
    await res.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const LONG_TIMEOUTS = { 'irc.registrationTimeoutSeconds': 300, 'irc.unregisteredIdleSeconds': 300, 'http.headersTimeoutSeconds': 300 };

describe('connection caps', () => {
  describe('per source address', () => {
    let server: TestServer;
    let ircPort: number;
    before(async () => {
      server = await startTestServer({ 'limits.perAddress': 3, ...LONG_TIMEOUTS });
      ircPort = server.irc[0]?.port ?? 0;
    });
    after(() => server.stop());

    it('at the cap of one address, closes its own idle connection to make room, then refuses on IRC (ERROR), HTTP and WebSocket (503); other addresses are served', async () => {
      const silent = await openFrom(ircPort, '127.0.0.7');
      const r1 = await registerFrom(ircPort, '127.0.0.7');
      const r2 = await registerFrom(ircPort, '127.0.0.7');
      // The address is at its cap of 3: a client that signs in takes the silent connection's place.
      const r3 = await registerFrom(ircPort, '127.0.0.7');
      await silent.closed;
      assert.equal(silent.received(), '', 'the silent connection was closed to make room');

      // Every place of the address is held by a signed-in client: refused, on every door.
      const fourth = await openFrom(ircPort, '127.0.0.7');
      await fourth.closed;
      assert.equal(fourth.received(), 'ERROR :Too many connections from your address\r\n');
      const http = await getFrom(server.port, '/healthz', '127.0.0.7');
      assert.equal(http.status, 503);
      assert.match(http.body, /Too many connections from your address/);
      assert.deepEqual(await webSocketFrom(server.url, '127.0.0.7'), { opened: false, status: 503 });

      // Another address is not affected.
      assert.equal((await getFrom(server.port, '/healthz', '127.0.0.8')).status, 200);
      const other = await registerFrom(ircPort, '127.0.0.8');
      for (const probe of [r1, r2, r3]) assert.equal(probe.socket.destroyed, false, 'signed-in clients are never closed to make room');

      // One leaves: the address has room again.
      r1.socket.destroy();
      await r1.closed;
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await getFrom(server.port, '/healthz', '127.0.0.7')).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(status, 200, 'served once the address is under its cap again');

      const metrics = await metricsOf(server.url);
      assert.equal(metric(metrics, 'pchat_connections_evicted_total', { protocol: 'irc' }), 1);
      assert.equal(metric(metrics, 'pchat_connections_refused_total', { protocol: 'irc', reason: 'per_address' }), 1);
      assert.ok(metric(metrics, 'pchat_connections_refused_total', { protocol: 'http', reason: 'per_address' }) >= 2, 'the HTTP request and the WebSocket upgrade were counted');
      assert.equal(metric(metrics, 'pchat_connections_limit', { scope: 'per_address' }), 3);
      for (const probe of [r2, r3, other]) probe.socket.destroy();
    });
  });

  describe('in total', () => {
    let server: TestServer;
    let ircPort: number;
    before(async () => {
      server = await startTestServer({ 'limits.maxConnections': 3, 'limits.perAddress': 0, ...LONG_TIMEOUTS });
      ircPort = server.irc[0]?.port ?? 0;
    });
    after(() => server.stop());

    it('closes the oldest connection that has not signed in to make room, and refuses when every one has', async () => {
      // No HTTP before this point: the three places are the test's alone.
      const r1 = await RawClient.register(ircPort, 'admin', ADMIN_PASSWORD);
      const r2 = await RawClient.register(ircPort, 'admin', ADMIN_PASSWORD);
      const s1 = await openFrom(ircPort);
      const s2 = await openFrom(ircPort);
      await s1.closed;
      assert.equal(s1.received(), '', 's1 was closed to make room (no ERROR: it never said a word)');
      // A fresh client at the cap is served: it takes s2's place and registers.
      const r3 = await RawClient.register(ircPort, 'admin', ADMIN_PASSWORD);
      await s2.closed;
      // Now every place is held by a registered client: the next connection is refused.
      const refused = await openFrom(ircPort);
      await refused.closed;
      assert.equal(refused.received(), 'ERROR :The server has too many connections; try again shortly\r\n');
      const http = await getFrom(server.port, '/healthz', '127.0.0.1');
      assert.equal(http.status, 503);
      for (const c of [r1, r2, r3]) assert.equal(c.closed, false, 'registered clients are never closed to make room');

      r3.socket.destroy();
      await new Promise<void>((resolve) => (r3.closed ? resolve() : r3.socket.once('close', () => resolve())));
      const metrics = await metricsOf(server.url);
      assert.equal(metric(metrics, 'pchat_connections_evicted_total', { protocol: 'irc' }), 2);
      assert.equal(metric(metrics, 'pchat_connections_refused_total', { protocol: 'irc', reason: 'total' }), 1);
      assert.ok(metric(metrics, 'pchat_connections_refused_total', { protocol: 'http', reason: 'total' }) >= 1, 'the refused GET was counted');
      assert.equal(metric(metrics, 'pchat_connections', { protocol: 'irc' }), 2);
      assert.equal(metric(metrics, 'pchat_connections_limit', { scope: 'total' }), 3);
      r1.socket.destroy();
      r2.socket.destroy();
    });
  });
});

describe('slow senders are cut off', () => {
  let server: TestServer;
  let ircPort: number;
  before(async () => {
    server = await startTestServer({ 'http.headersTimeoutSeconds': 1, 'http.minBodyBytesPerSecond': 1000, 'irc.unregisteredIdleSeconds': 1 });
    ircPort = server.irc[0]?.port ?? 0;
  });
  after(() => server.stop());

  /** Writes `piece` every 100 ms until the server closes the connection. */
  const trickle = (probe: Probe, piece: string): void => {
    const timer = setInterval(() => {
      if (probe.socket.destroyed || probe.socket.writableEnded) return clearInterval(timer);
      probe.socket.write(piece);
    }, 100);
    void probe.closed.then(() => clearInterval(timer));
  };

  it('closes an HTTP connection that sends nothing', { timeout: 30_000 }, async () => {
    const silent = await openFrom(server.port);
    await silent.closed;
    assert.doesNotMatch(silent.received(), /^HTTP\/1\.1 200/);
  });

  it('closes an HTTP connection whose headers trickle in', { timeout: 30_000 }, async () => {
    const slow = await openFrom(server.port);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: pchat\r\n');
    trickle(slow, 'X-Slow: a\r\n');
    await slow.closed;
    assert.doesNotMatch(slow.received(), /^HTTP\/1\.1 200/, 'the request was never served');
  });

  it('closes an HTTP connection whose body trickles in', { timeout: 30_000 }, async () => {
    const slow = await openFrom(server.port);
    slow.socket.write('POST /api/v1/sessions HTTP/1.1\r\nHost: pchat\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"login":"');
    trickle(slow, 'aaaaaaaaaa');
    await slow.closed;
    assert.equal(slow.received(), '', 'the request was never answered: its body never arrived');
  });

  it('closes an IRC connection that stays silent before registering', { timeout: 30_000 }, async () => {
    const silent = await openFrom(ircPort);
    await silent.closed;
    assert.match(silent.received(), /^ERROR :Closing link: \S+ \(Registration timed out\)\r\n$/);
  });
});
