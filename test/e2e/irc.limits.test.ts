import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FrameworkClient, RawClient } from '../irc/clients.js';

/** A server with one user, alice, in one open room "lobby". */
async function serverWithLobby(overrides: Record<string, unknown>): Promise<{ server: TestServer; alice: Api; lobby: number }> {
  const server = await startTestServer(overrides);
  const admin = await adminApi(server.url);
  const alice = await createUser(admin, 'alice@example.com');
  const cat = await createCategory(admin, 'Everyone', { allowed: [user(alice.id)] });
  const lobby = await createRoom(admin, 'lobby', cat, { privacy: 'open' });
  return { server, alice: alice.api, lobby };
}

describe('IRC over TLS', () => {
  let dir: string;
  let server: TestServer;
  let plainPort: number;
  let tlsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
    // CI installs openssl with the build tools; a missing one is a failure, not a skip.
    assert.equal(made.error, undefined, `openssl is needed to make a test certificate: ${String(made.error)}`);
    assert.equal(made.status, 0, made.stderr);
    ({ server } = await serverWithLobby({
      'irc.listen': [
        { host: '127.0.0.1', port: 0 },
        { host: '127.0.0.1', port: 0, tls: { certFile, keyFile } },
      ],
    }));
    assert.deepEqual(
      server.irc.map((a) => a.tls),
      [false, true],
    );
    plainPort = server.irc[0]?.port ?? 0;
    tlsPort = server.irc[1]?.port ?? 0;
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves irc-framework over TLS with the configured certificate', async () => {
    const c = await FrameworkClient.connect(tlsPort, 'alice', { account: { account: 'alice@example.com', password: PASSWORD }, tls: true, rejectUnauthorized: false });
    try {
      assert.ok(c.lines.some((l) => / 001 alice /.test(l)));
      c.raw('JOIN #lobby');
      await c.next(/ 366 alice #lobby /);
    } finally {
      c.close();
    }
  });

  it('presents the certificate from certFile to a raw TLS client, and registers it', async () => {
    const socket: TLSSocket = await new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    try {
      assert.equal(socket.getPeerCertificate().subject.CN, 'localhost');
      let text = '';
      socket.setEncoding('utf8');
      const welcomed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 001 over TLS:\n${text}`)), 5000);
        socket.on('data', (chunk: string) => {
          text += chunk;
          if (/ 001 alice /.test(text)) resolve(clearTimeout(timer));
        });
      });
      socket.write(`PASS alice@example.com:${PASSWORD}\r\nNICK alice\r\nUSER alice 0 * :Alice\r\n`);
      await welcomed;
    } finally {
      socket.destroy();
    }
  });

  it('survives a plain-text client on the TLS port, and the plain port keeps working', async () => {
    const wrong = await RawClient.connect(tlsPort);
    wrong.send('NICK x', 'USER x 0 * :x');
    await wrong.waitClose(5000);
    const ok = await RawClient.register(plainPort, 'alice@example.com', PASSWORD);
    assert.ok((await ok.sync()).length > 0);
    ok.close();
  });
});

describe('IRC flood control', () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    ({ server } = await serverWithLobby({ 'irc.floodControl': { linesPerSecond: 2, burst: 3 } }));
    port = server.irc[0]?.port ?? 0;
  });
  after(() => server.stop());

  it('delays lines beyond the burst, answering every one in order', async () => {
    const c = await RawClient.register(port, 'alice@example.com', PASSWORD);
    try {
      const from = c.lines.length;
      const tokens = Array.from({ length: 8 }, (_, i) => `flood${i}`);
      c.send(...tokens.map((t) => `PING ${t}`));
      const seen: { token: string; at: number }[] = [];
      for (const token of tokens) {
        await c.next((l) => l.endsWith(` ${token}`), 15_000, from);
        seen.push({ token, at: Date.now() });
      }
      const pongs = c.lines.slice(from).filter((l) => l.includes(' PONG '));
      assert.deepEqual(
        pongs.map((l) => l.split(' ').at(-1)),
        tokens,
        'every line answered, in order',
      );
      // At 2 lines/s and at most 3 saved up, 8 lines cannot all be answered within 2.5 s of
      // the first: a lower bound only, which a slow machine cannot break.
      const span = (seen.at(-1)?.at ?? 0) - (seen[0]?.at ?? 0);
      assert.ok(span >= 2000, `the lines beyond the burst waited (span ${span} ms)`);
      assert.ok(!c.closed, 'flood control delays; it does not disconnect');
    } finally {
      c.close();
    }
  });
});

describe('IRC slow reader', () => {
  let server: TestServer;
  let port: number;
  let alice: Api;
  let lobby: number;
  before(async () => {
    ({ server, alice, lobby } = await serverWithLobby({ 'irc.sendQueueBytes': 65536 }));
    port = server.irc[0]?.port ?? 0;
  });
  after(() => server.stop());

  it('disconnects a client that stops reading with ERROR (SendQ exceeded) once its queue is full', async () => {
    const c = await RawClient.register(port, 'alice@example.com', PASSWORD);
    c.send('JOIN #lobby');
    await c.sync();
    c.socket.pause();
    // ~16 KB per post, ~10 MB in all: more than the kernel buffers of a loopback connection
    // (up to 4 MB here) plus the 64 KB send queue.
    const text = Array.from({ length: 1600 }, (_, i) => `word${i % 10}xx`).join(' ').slice(0, 15_900);
    const posts = 640;
    for (let i = 0; i < posts; i += 32) {
      await Promise.all(Array.from({ length: 32 }, () => alice.post(`/api/v1/rooms/${lobby}/messages`, { text }).then((r) => expectStatus(r, 201))));
    }
    c.socket.resume();
    await c.waitClose(30_000);
    const last = c.lines.at(-1) ?? '';
    assert.match(last, /^ERROR :Closing link: \S+ \(SendQ exceeded\)$/);
    const privmsgs = c.lines.filter((l) => l.includes(' PRIVMSG #lobby ')).length;
    const perPost = Math.ceil(Buffer.byteLength(text) / 400);
    assert.ok(privmsgs < posts * perPost, `it was cut off before everything was sent (${privmsgs} lines)`);
    // The server is fine, and serves the next client.
    const next = await RawClient.register(port, 'alice@example.com', PASSWORD);
    assert.ok((await next.sync()).length > 0);
    next.close();
  });
});

describe('IRC registration timeout', () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    ({ server } = await serverWithLobby({ 'irc.registrationTimeoutSeconds': 1 }));
    port = server.irc[0]?.port ?? 0;
  });
  after(() => server.stop());

  it('closes connections that do not register in time, with ERROR', async () => {
    const idle = await RawClient.connect(port);
    idle.send('NICK lurker');
    await idle.next(/^ERROR :Closing link: \S+ \(Registration timed out\)$/, 10_000);
    await idle.waitClose(5000);
  });

  it('leaves registered connections alone', async () => {
    const c = await RawClient.register(port, 'alice@example.com', PASSWORD);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(!c.closed);
    assert.ok((await c.sync()).some((l) => l.includes('PONG')));
    c.close();
  });
});
