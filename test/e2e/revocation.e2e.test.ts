import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { SipClient } from '../../bench/lib/sipClient.js';
import { header } from '../../src/protocols/sip/message.js';
import { RawClient } from '../irc/clients.js';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pchat } from '../helpers/interchange.js';
import { WsClient } from '../helpers/wsClient.js';

/**
 * Revocation reaches live connections on every door, over real sockets: signing out, ending a
 * session, a password change (own or an administrator's reset), an administrator's revocation
 * (API and CLI, the latter from another process through the shared event log) and disabling an
 * account close the WebSocket (4001), IRC (ERROR) and SIP (BYE + registration-notify
 * deregistration) connections they should, and only those.
 */
const DOMAIN = 'pchat.test';

interface Connections {
  readonly ws: WsClient;
  readonly irc: RawClient;
  readonly sip: SipClient;
}

describe('revocation reaches live connections', () => {
  let server: TestServer;
  let admin: Api;
  let ircPort = 0;
  let sipPort = 0;
  const opened: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (opened.push(c), c);

  /** A WebSocket on the given token, ready. */
  const webSocket = async (api: Api): Promise<WsClient> => {
    const ws = track(await WsClient.connect(server.url, api.token));
    await ws.next((f) => f.type === 'ready');
    return ws;
  };
  const connectAll = async (login: string, api: Api, password = PASSWORD): Promise<Connections> => ({
    ws: await webSocket(api),
    irc: track(await RawClient.register(ircPort, login, password)),
    sip: track(await SipClient.signIn({ port: sipPort, login })),
  });

  const wsClosedSignedOut = async (ws: WsClient, reason: RegExp): Promise<void> => {
    const closed = await ws.waitClose();
    assert.equal(closed.code, 4001, `WebSocket close code (reason "${closed.reason}")`);
    assert.match(closed.reason, reason);
  };
  const ircClosed = async (irc: RawClient, reason: RegExp): Promise<void> => {
    const line = await irc.next(/^ERROR /);
    assert.match(line, /^ERROR :Closing link: \S+ \(.+\)$/);
    assert.match(line, reason);
    await irc.waitClose();
  };
  /** What a SIP client sees: BYE in its chat dialog, then a BENOTIFY deregistering it, then the connection closes. */
  const sipClosed = async (sip: SipClient, reason: RegExp): Promise<void> => {
    await sip.closedPromise;
    const methods = sip.otherRequests.map((r) => r.method);
    assert.ok(methods.includes('BYE'), `BYE in the chat dialog (got ${methods.join(', ')})`);
    const notify = sip.otherRequests.find((r) => r.method === 'BENOTIFY');
    assert.ok(notify, `a BENOTIFY (got ${methods.join(', ')})`);
    assert.equal(methods.indexOf('BYE') < methods.indexOf('BENOTIFY'), true, 'BYE first, then the deregistration');
    assert.equal(header(notify, 'event'), 'registration-notify');
    assert.equal(header(notify, 'content-type'), 'text/registration-event');
    assert.equal(notify.body.toString(), 'deregistered;event=rejected');
    assert.match(header(notify, 'ms-diagnostics') ?? '', reason);
  };
  const allClosed = async (c: Connections, reason: RegExp): Promise<void> => {
    await Promise.all([wsClosedSignedOut(c.ws, reason), ircClosed(c.irc, reason), sipClosed(c.sip, reason)]);
  };
  /** Each connection still answers (checked after the revocation's effects were seen elsewhere). */
  const stillOpen = async (c: Partial<Connections>): Promise<void> => {
    if (c.ws) assert.equal((await c.ws.call({ type: 'ping' })).type, 'pong');
    if (c.irc) await c.irc.sync();
    if (c.sip) assert.equal((await c.sip.register()).status, 200);
  };
  const sessionsOf = async (api: Api): Promise<any[]> => expectStatus(await api.get('/api/v1/me/sessions'), 200).sessions;

  before(async () => {
    server = await startTestServer({
      'sip.listen': [{ host: '127.0.0.1', port: 0 }],
      'sip.domains': [DOMAIN],
      'sip.auth': 'none-loopback-test',
    });
    ircPort = server.irc[0]?.port ?? 0;
    sipPort = server.sip[0]?.port ?? 0;
    admin = await adminApi(server.url);
  });
  after(async () => {
    for (const c of opened) c.close();
    await server?.stop();
  });

  it('sign-out closes the WebSockets of that session (4001) and no other, and the token stops working everywhere', async () => {
    const { api: first } = await createUser(admin, `logout@${DOMAIN}`);
    const second = await Api.login(server.url, `logout@${DOMAIN}`, PASSWORD);
    const onFirst = await webSocket(first);
    // A WebSocket that signed in with an auth frame rather than the upgrade request.
    const byFrame = track(await WsClient.connect(server.url));
    assert.equal((await byFrame.call({ type: 'auth', token: first.token })).type, 'ready');
    const onSecond = await webSocket(second);

    expectStatus(await first.delete('/api/v1/sessions/current'), 204);
    await wsClosedSignedOut(onFirst, /signed out/i);
    await wsClosedSignedOut(byFrame, /signed out/i);
    await stillOpen({ ws: onSecond });

    assert.equal((await first.get('/api/v1/me')).status, 401, 'the token no longer works over HTTP');
    await assert.rejects(WsClient.connect(server.url, first.token), /HTTP 401/, 'nor for a new WebSocket');
    const late = track(await WsClient.connect(server.url));
    assert.equal((await late.call({ type: 'auth', token: first.token })).code, 'unauthenticated', 'nor in an auth frame');
    expectStatus(await second.get('/api/v1/me'), 200);
  });

  it('lists every session with its device, address and last use, and ending one closes its IRC (ERROR) or SIP (BYE, deregistration) connection', async () => {
    const login = `lister@${DOMAIN}`;
    const { api } = await createUser(admin, login);
    const c = await connectAll(login, api);
    const listed = await sessionsOf(api);
    assert.deepEqual(listed.map((s) => s.kind).sort(), ['irc', 'sip', 'token']);
    const token = listed.find((s) => s.kind === 'token');
    const irc = listed.find((s) => s.kind === 'irc');
    const sip = listed.find((s) => s.kind === 'sip');
    assert.equal(token.current, true, 'the session of this request is marked');
    assert.equal(irc.current || sip.current, false);
    assert.equal(token.address, '127.0.0.1');
    assert.equal(irc.address, '127.0.0.1');
    assert.equal(irc.userAgent, 'IRC: Guest', 'an IRC client shows its realname');
    assert.equal(sip.userAgent, 'pchat-bench-sip/1', "a SIP client shows its User-Agent");
    assert.equal(irc.expiresAt, null, 'a connection lasts as long as it is open');
    for (const s of listed) assert.ok(!Number.isNaN(Date.parse(s.createdAt)) && !Number.isNaN(Date.parse(s.lastUsedAt)));

    expectStatus(await api.delete(`/api/v1/me/sessions/${irc.id}`), 204);
    await ircClosed(c.irc, /You ended this session/);
    await stillOpen({ ws: c.ws, sip: c.sip });

    expectStatus(await api.delete(`/api/v1/me/sessions/${sip.id}`), 204);
    await sipClosed(c.sip, /You ended this session/);
    await stillOpen({ ws: c.ws });
    assert.deepEqual((await sessionsOf(api)).map((s) => s.kind), ['token']);

    assert.equal((await api.delete(`/api/v1/me/sessions/${sip.id}`)).body.error.code, 'not_found', 'already gone');
    const other = await createUser(admin, `someone-else@${DOMAIN}`);
    const foreign = (await sessionsOf(other.api))[0];
    assert.equal((await api.delete(`/api/v1/me/sessions/${foreign.id}`)).status, 404, "another user's session is not mine to end");
    assert.equal((await api.get(`/api/v1/users/${other.id}/sessions`)).status, 403, "nor to list");
    expectStatus(await other.api.get('/api/v1/me'), 200);
  });

  it('an IRC or SIP connection that ends takes its session with it', async () => {
    const login = `leaver@${DOMAIN}`;
    const { api } = await createUser(admin, login);
    const irc = track(await RawClient.register(ircPort, login, PASSWORD));
    const sip = track(await SipClient.signIn({ port: sipPort, login }));
    assert.equal((await sessionsOf(api)).length, 3);
    irc.send('QUIT :bye');
    await irc.waitClose();
    sip.close();
    await sip.closedPromise;
    for (let i = 0; (await sessionsOf(api)).length !== 1; i++) {
      assert.ok(i < 250, 'the connections’ sessions are removed when they close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('"sign out everywhere else" ends every other session on every protocol and keeps this one', async () => {
    const login = `elsewhere@${DOMAIN}`;
    const { api: keeper } = await createUser(admin, login);
    const other = await Api.login(server.url, login, PASSWORD);
    const mine = await webSocket(keeper);
    const c = await connectAll(login, other);
    assert.equal(expectStatus(await keeper.delete('/api/v1/me/sessions'), 200).ended, 3);
    await allClosed(c, /You ended this session/);
    await stillOpen({ ws: mine });
    assert.equal((await other.get('/api/v1/me')).status, 401);
    assert.equal((await sessionsOf(keeper)).length, 1);
  });

  it('changing one’s own password needs the current one, then ends the other sessions on every protocol', async () => {
    const login = `changer@${DOMAIN}`;
    const { id, api: changer } = await createUser(admin, login);
    const other = await Api.login(server.url, login, PASSWORD);
    const mine = await webSocket(changer);
    const c = await connectAll(login, other);

    const wrong = await changer.post('/api/v1/me/password', { currentPassword: 'not-the-password', newPassword: 'a-new-password-1' });
    assert.equal(wrong.status, 403);
    assert.deepEqual([wrong.body.error.code, wrong.body.error.field], ['wrong_password', 'currentPassword']);
    const same = await changer.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: PASSWORD });
    assert.deepEqual([same.status, same.body.error.field], [400, 'newPassword']);
    const short = await changer.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'short' });
    assert.deepEqual([short.status, short.body.error.field], [400, 'newPassword']);
    const bypass = await changer.patch(`/api/v1/users/${id}`, { password: 'a-new-password-1' });
    assert.deepEqual([bypass.status, bypass.body.error.field], [400, 'password'], 'PATCH of one’s own password (no current password) is refused');
    await stillOpen(c);

    expectStatus(await changer.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a-new-password-1' }), 204);
    await allClosed(c, /password was changed/);
    await stillOpen({ ws: mine });
    expectStatus(await changer.get('/api/v1/me'), 200);
    assert.equal((await other.get('/api/v1/me')).status, 401);
    assert.equal((await new Api(server.url).post('/api/v1/sessions', { login, password: PASSWORD })).status, 401, 'the old password no longer signs in');
    await Api.login(server.url, login, 'a-new-password-1');
    const ircOld = track(await RawClient.connect(ircPort));
    ircOld.send(`PASS ${login}:${PASSWORD}`, 'NICK x', 'USER x 0 * :x');
    await ircOld.next(/ 464 /);
  });

  it("an administrator's password reset ends every session of the user", async () => {
    const login = `reset@${DOMAIN}`;
    const { id, api } = await createUser(admin, login);
    const c = await connectAll(login, api);
    expectStatus(await admin.patch(`/api/v1/users/${id}`, { password: 'reset-by-admin-1' }), 200);
    await allClosed(c, /administrator reset your password/);
    assert.equal((await api.get('/api/v1/me')).status, 401);
    await Api.login(server.url, login, 'reset-by-admin-1');
  });

  it('an administrator ends all sessions of a user through the API', async () => {
    const login = `revoked@${DOMAIN}`;
    const { id, api } = await createUser(admin, login);
    const c = await connectAll(login, api);
    const bystander = await createUser(admin, `bystander@${DOMAIN}`);
    const bystanderWs = await webSocket(bystander.api);
    const listed = expectStatus(await admin.get(`/api/v1/users/${id}/sessions`), 200).sessions;
    assert.equal(listed.length, 3);
    assert.equal((await api.delete(`/api/v1/users/${bystander.id}/sessions`)).status, 403, 'only administrators end other users’ sessions');
    assert.equal(expectStatus(await admin.delete(`/api/v1/users/${id}/sessions`), 200).ended, 3);
    await allClosed(c, /An administrator ended this session/);
    await stillOpen({ ws: bystanderWs });
    assert.equal((await api.get('/api/v1/me')).status, 401);
    assert.deepEqual(expectStatus(await admin.get(`/api/v1/users/${id}/sessions`), 200).sessions, []);
    const audit = expectStatus(await admin.get('/api/v1/audit?limit=5000'), 200).entries as { action: string; target: string }[];
    assert.ok(audit.some((e) => e.action === 'sessions.endAll' && e.target === String(id)), 'recorded in the audit log');
  });

  it('an administrator ends sessions with the CLI, from another process, and the running server closes the connections', async () => {
    const login = `cli-revoked@${DOMAIN}`;
    const { api } = await createUser(admin, login);
    const c = await connectAll(login, api);
    const listedRun = await pchat(['user', 'sessions', login, '--json', '--database', server.database], { cwd: tmpdir() });
    assert.equal(listedRun.code, 0, listedRun.stderr);
    const listed = JSON.parse(listedRun.stdout) as { id: number; kind: string }[];
    assert.deepEqual(listed.map((s) => s.kind).sort(), ['irc', 'sip', 'token']);

    const ircId = listed.find((s) => s.kind === 'irc')?.id as number;
    const one = await pchat(['user', 'revoke-sessions', login, '--session', String(ircId), '--json', '--database', server.database], { cwd: tmpdir() });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).ended, 1);
    await ircClosed(c.irc, /An administrator ended this session/);
    await stillOpen({ ws: c.ws, sip: c.sip });

    const all = await pchat(['user', 'revoke-sessions', login, '--database', server.database], { cwd: tmpdir() });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /Ended 2 sessions of cli-revoked@pchat\.test\./);
    await Promise.all([wsClosedSignedOut(c.ws, /An administrator ended this session/), sipClosed(c.sip, /An administrator ended this session/)]);
    assert.equal((await api.get('/api/v1/me')).status, 401);

    const bad = await pchat(['user', 'revoke-sessions', login, '--session', '4x', '--database', server.database], { cwd: tmpdir() });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--session takes a session id/);
  });

  it("a disabled account's connections are closed", async () => {
    const login = `disabled@${DOMAIN}`;
    const { id, api } = await createUser(admin, login);
    const c = await connectAll(login, api);
    expectStatus(await admin.patch(`/api/v1/users/${id}`, { disabled: true }), 200);
    await allClosed(c, /disabled your account/);
    assert.equal((await api.get('/api/v1/me')).status, 401);
  });
});
