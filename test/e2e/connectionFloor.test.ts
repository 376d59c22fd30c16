// The floor of file descriptors: a real `pchat serve` under `ulimit -n 1024` takes 1,200 idle
// half-open connections (TCP connected, nothing sent) on IRC and HTTP, and a fresh client is still
// served on both. The timeouts that would otherwise close idle connections are set to ten minutes
// here, so what keeps the server answering is the cap and the closing of the oldest idle ones.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ChildServer, freePort, spawnServer } from '../helpers/childServer.js';
import { ADMIN_PASSWORD } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';
import { getFrom, metric, openFrom, type Probe } from '../helpers/sockets.js';

const FD_LIMIT = 1024;
const FLOOD = 1200;

describe('a floor of file descriptors for new clients', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pchat-fd-floor-'));
  let server: ChildServer | null = null;
  const flood: Probe[] = [];
  after(async () => {
    for (const probe of flood) probe.socket.destroy();
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`serves a fresh HTTP and IRC client with ${FLOOD} idle half-open connections open under ulimit -n ${FD_LIMIT}`, async () => {
    writeFileSync(join(dataDir, 'pchat.config.json'), JSON.stringify({ irc: { registrationTimeoutSeconds: 600, unregisteredIdleSeconds: 600 }, http: { headersTimeoutSeconds: 600 } }));
    const ircPort = await freePort();
    // Every connection comes from 127.0.0.1, so the per-address cap is off: the total cap is under test.
    const child = await spawnServer(dataDir, { PCHAT_IRC_LISTEN: `127.0.0.1:${ircPort}`, PCHAT_MAX_CONNECTIONS_PER_ADDRESS: '0' }, 30_000, { fdLimit: FD_LIMIT });
    server = child;
    const httpPort = Number(new URL(child.url).port);

    for (let i = 0; i < FLOOD; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => openFrom((i + j) % 2 === 0 ? ircPort : httpPort));
      flood.push(...(await Promise.all(batch)));
    }

    // On a new connection (fetch would reuse the one that polled /healthz at start).
    const health = await getFrom(httpPort, '/healthz');
    assert.equal(health.status, 200, `a fresh HTTP request is served; server output:\n${child.output()}`);
    const irc = await RawClient.register(ircPort, 'admin', ADMIN_PASSWORD);
    assert.ok(irc.lines.some((l) => / 001 /.test(l)), 'a fresh IRC client registers');
    irc.socket.destroy();

    const metrics = await (await fetch(`${child.url}/metrics`)).text();
    assert.equal(metric(metrics, 'pchat_connections_limit', { scope: 'total' }), FD_LIMIT - 128, 'the cap follows the open-file limit');
    const evicted = metric(metrics, 'pchat_connections_evicted_total', { protocol: 'irc' }) + metric(metrics, 'pchat_connections_evicted_total', { protocol: 'http' });
    assert.ok(evicted >= FLOOD - (FD_LIMIT - 128), `the oldest idle connections made room (${evicted} closed)`);
    const stillOpen = flood.filter((p) => !p.socket.destroyed).length;
    assert.ok(stillOpen > FD_LIMIT / 2, `only as many idle connections were closed as room was needed (${stillOpen} of ${FLOOD} still open)`);
    assert.equal(child.child.exitCode, null, 'the server is still running');
  });
});
