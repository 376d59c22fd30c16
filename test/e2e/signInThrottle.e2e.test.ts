import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SipClient } from '../../bench/lib/sipClient.js';
import { header } from '../../src/protocols/sip/message.js';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { httpFrom } from '../helpers/fromAddress.js';
import type { Api } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

/**
 * The sign-in throttle through every door, on real sockets from different source addresses
 * (Linux routes all of 127/8 to the loopback interface, so a client bound to 127.0.0.2 reaches
 * the server as another address). A long first wait (600 s) keeps every lock in place for the
 * length of the test, so nothing here depends on timing.
 */
const DOMAIN = 'pchat.test';
const SERVER_NAME = 'pool.pchat.test';
const FREE_PER_LOGIN = 3;
const FREE_PER_ADDRESS = 8;
const WAIT = 600;
// The wait counts down from 600 s while the test runs, so any value up to it is right.
const LIMITED = /Too many failed sign-ins from your address; try again in ([1-9]\d*) s\./;
const waitIsSet = (seconds: string | string[] | undefined): boolean => typeof seconds === 'string' && /^[1-9]\d*$/.test(seconds) && Number(seconds) <= WAIT;

describe('failed sign-ins are limited per (address, login) and per address, on HTTP, IRC and SIP', () => {
  let server: TestServer;
  let admin: Api;
  let ircPort = 0;
  let sipPort = 0;

  before(async () => {
    server = await startTestServer({
      'signInThrottle.freeFailuresPerLogin': FREE_PER_LOGIN,
      'signInThrottle.freeFailuresPerAddress': FREE_PER_ADDRESS,
      'signInThrottle.baseDelaySeconds': WAIT,
      'signInThrottle.maxDelaySeconds': 3600,
      'sip.listen': [{ host: '127.0.0.1', port: 0 }],
      'sip.domains': [DOMAIN],
      'sip.serverName': SERVER_NAME,
    });
    ircPort = server.irc[0]?.port ?? 0;
    sipPort = server.sip[0]?.port ?? 0;
    admin = await adminApi(server.url);
  });
  after(() => server?.stop());

  const signInOverHttp = (from: string, login: string, password: string) => httpFrom(from, server.url, 'POST', '/api/v1/sessions', { login, password });

  /** One SASL PLAIN exchange on an open connection (CAP REQ :sasl already ACKed); resolves with the 90x line. */
  async function sasl(client: RawClient, login: string, password: string): Promise<string> {
    const from = client.lines.length;
    client.send('AUTHENTICATE PLAIN');
    await client.next(/ AUTHENTICATE \+$/, 15_000, from);
    client.send(`AUTHENTICATE ${Buffer.from(`\0${login}\0${password}`).toString('base64')}`);
    return client.next(/ 90[0-9] /, 15_000, from).then(async (line) => (line.includes(' 900 ') ? client.next(/ 903 /, 15_000, from) : line));
  }

  async function saslClient(from: string): Promise<RawClient> {
    const client = await RawClient.connect(ircPort, from);
    client.send('CAP LS 302', 'CAP REQ :sasl');
    await client.next(/CAP \S+ ACK :?sasl/);
    return client;
  }

  /** A REGISTER with an NTLM AUTHENTICATE that cannot verify (its bytes are random): one failed SIP sign-in, or the throttle's refusal. */
  async function sipWrongSignIn(from: string, login: string): Promise<{ status: number; reason: string; retryAfter: string | undefined }> {
    const client = await SipClient.connect({ port: sipPort, login, localAddress: from });
    try {
      const callId = `${randomBytes(8).toString('hex')}@throttle-test`;
      const to = `<sip:${login}>`;
      const auth = (extra: string) => [['Authorization', `NTLM qop="auth", realm="SIP Communications Service", targetname="${SERVER_NAME}", ${extra}`]] as [string, string][];
      const challenge = await client.request('REGISTER', `sip:${DOMAIN}`, { callId, cseq: 1, to, headers: auth('gssapi-data=""') });
      assert.equal(challenge.status, 401);
      const opaque = /opaque="([^"]+)"/.exec(header(challenge, 'www-authenticate') ?? '')?.[1];
      assert.ok(opaque, 'the second 401 carries the challenge');
      const answer = await client.request('REGISTER', `sip:${DOMAIN}`, { callId, cseq: 2, to, headers: auth(`opaque="${opaque}", gssapi-data="${randomBytes(120).toString('base64')}"`) });
      return { status: answer.status, reason: answer.reason, retryAfter: header(answer, 'retry-after') };
    } finally {
      client.close();
    }
  }

  describe('over HTTP', () => {
    it('locks a login at the guessing address only: the user signs in from their own address, the right password included', async () => {
      await createUser(admin, 'victim-http');
      for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.equal((await signInOverHttp('127.0.0.2', 'victim-http', `wrong-${i}-password`)).status, 401);
      const locked = await signInOverHttp('127.0.0.2', 'victim-http', PASSWORD);
      assert.equal(locked.status, 429, 'even the right password waits at the guessing address');
      assert.equal(locked.json.error.code, 'rate_limited');
      assert.match(locked.json.error.message, LIMITED);
      assert.ok(waitIsSet(locked.headers['retry-after']), String(locked.headers['retry-after']));
      assert.equal(locked.headers['retry-after'], LIMITED.exec(locked.json.error.message)?.[1], 'Retry-After is the wait the message names');
      const own = await signInOverHttp('127.0.0.3', 'victim-http', PASSWORD);
      assert.equal(own.status, 201, JSON.stringify(own.json));
      assert.equal((await signInOverHttp('127.0.0.2', 'admin', ADMIN_PASSWORD)).status, 201, 'other logins from the guessing address are unaffected');
      assert.equal((await signInOverHttp('127.0.0.2', 'victim-http', PASSWORD)).status, 429, "the user's success elsewhere lifted nothing here");
    });

    it('slows password spraying: past its allowance an address waits for any login, while other addresses do not', async () => {
      for (let i = 0; i <= FREE_PER_ADDRESS; i++) assert.equal((await signInOverHttp('127.0.0.4', `sprayed-${i}`, 'Winter2026!')).status, 401);
      const sprayed = await signInOverHttp('127.0.0.4', 'admin', ADMIN_PASSWORD);
      assert.equal(sprayed.status, 429);
      assert.ok(waitIsSet(sprayed.headers['retry-after']), String(sprayed.headers['retry-after']));
      assert.equal((await signInOverHttp('127.0.0.5', 'admin', ADMIN_PASSWORD)).status, 201);
    });
  });

  describe('over IRC', () => {
    it('SASL: 904 with the wait at the guessing address, 903 from the user’s own', async () => {
      await createUser(admin, 'victim-irc');
      const guesser = await saslClient('127.0.0.6');
      for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.match(await sasl(guesser, 'victim-irc', `wrong-${i}-password`), / 904 .*:SASL authentication failed$/);
      assert.match(await sasl(guesser, 'victim-irc', PASSWORD), new RegExp(` 904 .*:SASL authentication failed: ${LIMITED.source}`));
      guesser.socket.destroy();
      const own = await saslClient('127.0.0.7');
      assert.match(await sasl(own, 'victim-irc', PASSWORD), / 903 /);
      own.socket.destroy();
    });

    it('PASS: the refusal names the wait, then ERROR closes the link', async () => {
      const client = await RawClient.connect(ircPort, '127.0.0.6');
      client.send(`PASS victim-irc:${PASSWORD}`, 'NICK guesser', 'USER g 0 * :g');
      assert.match(await client.next(/ 464 /, 15_000), LIMITED);
      assert.match(await client.next(/^ERROR /, 15_000), LIMITED);
    });
  });

  describe('one rule for every door', () => {
    it('failures on HTTP hold the same pair on IRC and SIP (403 with Retry-After), not at another address', async () => {
      await createUser(admin, `victim-all@${DOMAIN}`);
      for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.equal((await signInOverHttp('127.0.0.8', `victim-all@${DOMAIN}`, `wrong-${i}-password`)).status, 401);
      const irc = await RawClient.connect(ircPort, '127.0.0.8');
      irc.send(`PASS victim-all@${DOMAIN}:${PASSWORD}`, 'NICK guesser', 'USER g 0 * :g');
      assert.match(await irc.next(/ 464 /, 15_000), LIMITED);
      const sip = await sipWrongSignIn('127.0.0.8', `victim-all@${DOMAIN}`);
      assert.equal(sip.status, 403);
      assert.match(sip.reason, LIMITED);
      assert.ok(waitIsSet(sip.retryAfter), String(sip.retryAfter));
      const elsewhere = await sipWrongSignIn('127.0.0.9', `victim-all@${DOMAIN}`);
      assert.equal(elsewhere.status, 401, 'another address gets its answer checked (and a wrong one fails as such)');
      assert.equal(elsewhere.retryAfter, undefined);
    });

    it('failed SIP sign-ins count too: past the allowance SIP refuses, and so does HTTP at that address', async () => {
      await createUser(admin, `victim-sip@${DOMAIN}`);
      for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.equal((await sipWrongSignIn('127.0.0.10', `victim-sip@${DOMAIN}`)).status, 401);
      assert.equal((await sipWrongSignIn('127.0.0.10', `victim-sip@${DOMAIN}`)).status, 403);
      assert.equal((await signInOverHttp('127.0.0.10', `victim-sip@${DOMAIN}`, PASSWORD)).status, 429);
      assert.equal((await signInOverHttp('127.0.0.11', `victim-sip@${DOMAIN}`, PASSWORD)).status, 201);
    });
  });
});

describe('behind a reverse proxy: X-Forwarded-For counts only from http.trustedProxies', () => {
  /** Two wrong passwords for `login` from 127.0.0.3, relayed for `forwardedFor`: one past the single free failure. */
  const guessTwice = async (url: string, login: string, forwardedFor: string) => {
    for (let i = 0; i < 2; i++) {
      const wrong = await httpFrom('127.0.0.3', url, 'POST', '/api/v1/sessions', { login, password: 'not the password' }, { 'x-forwarded-for': forwardedFor });
      assert.equal(wrong.status, 401);
    }
  };

  it('a trusted proxy relays each client under its own address: a lock on one client leaves another signing in', async () => {
    const server = await startTestServer({ 'http.trustedProxies': ['127.0.0.3'], 'signInThrottle.freeFailuresPerLogin': 1, 'signInThrottle.baseDelaySeconds': WAIT });
    try {
      const api = await adminApi(server.url);
      await createUser(api, 'proxied');
      await guessTwice(server.url, 'proxied', '203.0.113.5');
      const locked = await httpFrom('127.0.0.3', server.url, 'POST', '/api/v1/sessions', { login: 'proxied', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.5' });
      assert.equal(locked.status, 429, 'the client that guessed wrong waits');
      const other = await httpFrom('127.0.0.3', server.url, 'POST', '/api/v1/sessions', { login: 'proxied', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.6' });
      assert.equal(other.status, 201, 'another client behind the same proxy signs in');
    } finally {
      await server.stop();
    }
  });

  it('without trustedProxies a client cannot choose its address with X-Forwarded-For', async () => {
    const server = await startTestServer({ 'signInThrottle.freeFailuresPerLogin': 1, 'signInThrottle.baseDelaySeconds': WAIT });
    try {
      const api = await adminApi(server.url);
      await createUser(api, 'direct');
      await guessTwice(server.url, 'direct', '203.0.113.5');
      const spoofed = await httpFrom('127.0.0.3', server.url, 'POST', '/api/v1/sessions', { login: 'direct', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.77' });
      assert.equal(spoofed.status, 429, 'the header is ignored: the connection address is still locked for this login');
      assert.equal((await httpFrom('127.0.0.4', server.url, 'POST', '/api/v1/sessions', { login: 'direct', password: PASSWORD })).status, 201);
    } finally {
      await server.stop();
    }
  });
});
