import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { createCategory, createRoom, createUser, adminApi, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { httpFrom } from '../helpers/fromAddress.js';
import { pchat } from '../helpers/interchange.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertSipeInstalled, runSipe } from '../helpers/sipe.js';
import { WsClient } from '../helpers/wsClient.js';
import { FrameworkClient } from '../irc/clients.js';

const FREE_PER_LOGIN = 3;

/**
 * pidgin-sipe 1.25 (the real Lync/OCS group chat client, through bitlbee) against `pchat serve`
 * on loopback, signing in with [MS-SIPAE] NTLM against pchat accounts.
 */
describe('Lync group chat clients over SIP + XCCOS (pidgin-sipe)', { concurrency: true }, () => {
  let server: TestServer;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  let dave: { id: number; api: Api };
  let sipPort: number;
  const rooms: Record<string, number> = {};

  before(async () => {
    assertSipeInstalled();
    server = await startTestServer({
      'sip.listen': [{ host: '127.0.0.1', port: 0 }],
      'sip.domains': ['pchat.test'],
      'sip.serverName': 'pool.pchat.test',
      // A first wait long enough that a lock set here holds while pidgin-sipe starts.
      'signInThrottle.freeFailuresPerLogin': FREE_PER_LOGIN,
      'signInThrottle.baseDelaySeconds': 600,
    });
    sipPort = server.sip[0]?.port ?? 0;
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@pchat.test', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@pchat.test', { displayName: 'Bob' });
    carol = await createUser(admin, 'carol@pchat.test', { displayName: 'Carol' });
    dave = await createUser(admin, 'dave@pchat.test', { displayName: 'Dave' });
    await createUser(admin, 'erin@pchat.test', { displayName: 'Erin' });
    const everyone = [user(alice.id), user(bob.id), user(carol.id)];
    const category = await createCategory(admin, 'Engineering', { allowed: everyone });
    rooms.planning = await createRoom(admin, 'planning', category, { description: 'release planning', members: [user(alice.id), user(bob.id)] });
    rooms.hidden = await createRoom(admin, 'hidden-deals', category, { privacy: 'secret', members: [user(bob.id)] });
    rooms.stage = await createRoom(admin, 'town-hall', category, { type: 'auditorium', privacy: 'open', presenters: [user(bob.id)] });
    rooms.ops = await createRoom(admin, 'ops', category, { members: [user(alice.id), user(bob.id)] });
    expectStatus(await bob.api.post(`/api/v1/rooms/${rooms.planning}/messages`, { text: 'history: ship it on friday', clientId: 'h1' }), 201);
  });
  after(() => server?.stop());

  it('signs in with NTLM, finds exactly the rooms the user may find, joins with history, and talks with web and IRC users live', async () => {
    const ws = await WsClient.connect(server.url, bob.api.token);
    await ws.next((f) => f.type === 'ready');
    await ws.call({ type: 'join', roomId: rooms.planning });
    const irc = await FrameworkClient.connect(server.irc[0]?.port ?? 0, 'carolirc', { account: { account: 'bob@pchat.test', password: PASSWORD } });
    irc.raw('JOIN #planning');
    await irc.next(/ 366 /);

    const sipe = runSipe({ port: sipPort, user: 'alice@pchat.test', password: PASSWORD, steps: ['list', 'join planning', 'wait 4', 'say hello from lync', 'wait 8', 'part'] });
    try {
      await sipe.waitFor(/Logged in/);
      await sipe.waitFor(/sipe chatrooms/);
      const listing = sipe.lines.join('\n');
      assert.match(listing, /planning\s+release planning/);
      assert.match(listing, /town-hall/);
      assert.doesNotMatch(listing, /hidden-deals/, 'a secret room is absent from a non-member’s room search');
      await sipe.waitFor(/PRIVMSG #pc :history: ship it on friday/);

      // SIP → web and IRC, live.
      const live = await ws.next((f) => f.type === 'message' && f.message.text === 'hello from lync', 20_000);
      assert.equal(live.message.authorId, alice.id);
      await irc.next(/PRIVMSG #planning :hello from lync/, 10_000);

      // Web → SIP, live.
      expectStatus(await bob.api.post(`/api/v1/rooms/${rooms.planning}/messages`, { text: 'web says hi', clientId: 'w1' }), 201);
      await sipe.waitFor(/sipbob!sip:bob@pchat\.test PRIVMSG #pc :web says hi/, 10_000);

      // A file posted on the web reaches the Lync client as a line with a working download link.
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('minutes of the meeting')], { type: 'text/plain' }), 'minutes.txt');
      const posted = await fetch(`${server.url}/api/v1/rooms/${rooms.planning}/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${bob.api.token}` } });
      assert.equal(posted.status, 201);
      const line = await sipe.waitFor(/sipbob!sip:bob@pchat\.test PRIVMSG #pc :\[file\] minutes\.txt \(22 B\) http/, 10_000);
      const link = /(http\S+)/.exec(line)?.[1] ?? '';
      const download = await fetch(link, { headers: { authorization: `Bearer ${alice.api.token}` } });
      assert.equal(await download.text(), 'minutes of the meeting');
      const { code } = await sipe.done;
      assert.equal(code, 0);
    } finally {
      sipe.kill();
      ws.close();
      irc.close();
    }
    // Compliance records the SIP user's JOIN, CHAT and PART like every other door's.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const log = expectStatus(await admin.get(`/api/v1/compliance?roomId=${rooms.planning}&limit=5000`), 200);
    const types = new Set((log.events as { type: string; userId: number }[]).filter((e) => e.userId === alice.id).map((e) => e.type));
    for (const type of ['JOIN', 'CHAT', 'BACKCHAT', 'PART']) assert.ok(types.has(type), `compliance has ${type} for the SIP user: ${[...types].join(', ')}`);
  });

  it('refuses a wrong password', async () => {
    const sipe = runSipe({ port: sipPort, user: 'alice@pchat.test', password: 'not-the-password', steps: ['wait 2'] });
    const { transcript } = await sipe.done;
    assert.doesNotMatch(transcript, /Logged in/);
    assert.match(transcript, /sipe - Login error: Authentication failed/);
  });

  it('locks a login out on SIP after wrong passwords on the web from the same address, as on every door', async () => {
    assert.ok(dave.id > 0);
    // pidgin-sipe connects from 127.0.0.1: guesses from there lock (127.0.0.1, dave) for 10 minutes.
    for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.equal((await httpFrom('127.0.0.1', server.url, 'POST', '/api/v1/sessions', { login: 'dave@pchat.test', password: 'wrong-password' })).status, 401);
    const { transcript } = await runSipe({ port: sipPort, user: 'dave@pchat.test', password: PASSWORD, steps: ['wait 1'], trace: true }).done;
    assert.doesNotMatch(transcript, /Logged in/);
    assert.match(transcript, /403 Forbidden \(Too many failed sign-ins from your address; try again in \d+ s\.\)/);
  });

  it('signs in with NTLM from its own address while the same login is locked at a guessing address', async () => {
    for (let i = 0; i <= FREE_PER_LOGIN; i++) assert.equal((await httpFrom('127.0.0.2', server.url, 'POST', '/api/v1/sessions', { login: 'erin@pchat.test', password: 'wrong-password' })).status, 401);
    assert.equal((await httpFrom('127.0.0.2', server.url, 'POST', '/api/v1/sessions', { login: 'erin@pchat.test', password: PASSWORD })).status, 429, 'the guessing address waits');
    const { transcript } = await runSipe({ port: sipPort, user: 'erin@pchat.test', password: PASSWORD, steps: ['wait 1'] }).done;
    assert.match(transcript, /Logged in/, 'pidgin-sipe at 127.0.0.1 is not slowed by guesses from 127.0.0.2');
  });

  it('refuses a closed room to a non-member and a non-presenter’s post in an auditorium', async () => {
    const [closed, stage] = await Promise.all([
      runSipe({ port: sipPort, user: 'carol@pchat.test', password: PASSWORD, steps: ['list', 'join planning', 'wait 2'] }).done,
      runSipe({ port: sipPort, user: 'carol@pchat.test', password: PASSWORD, steps: ['list', 'join town-hall', 'say may I speak?', 'wait 3'], trace: true }).done,
    ]);
    assert.match(closed.transcript, /Logged in/);
    assert.match(closed.transcript, /Error joining chat room - You may not enter in this room/);
    assert.match(stage.transcript, /sipcarol!sip:carol@pchat\.test JOIN :#pc/, 'anyone allowed may enter an open auditorium');
    // bitlbee does not show libpurple's "not delivered" notice; sipe's own log says it got the refusal.
    assert.match(stage.transcript, /chatserver_command_response: failure 403/);
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${rooms.stage}/messages`), 200);
    assert.equal(history.messages.length, 0, 'the refused post was not stored');
  });

  it('drops the SIP user from a room disabled with the CLI', async () => {
    const sipe = runSipe({ port: sipPort, user: 'alice@pchat.test', password: PASSWORD, steps: ['list', 'join ops', 'wait 8'] });
    try {
      await sipe.waitFor(/JOIN :#pc/);
      await sipe.waitFor(/sipalice!sip:alice@pchat\.test JOIN :#pc/);
      const run = await pchat(['room', 'set', 'ops', '--disable', '--database', server.database], { cwd: tmpdir() });
      assert.equal(run.code, 0, run.stderr);
      const dropped = await sipe.waitFor(/sipalice!sip:alice@pchat\.test (PART|KICK)|Signing off/, 10_000);
      assert.doesNotMatch(dropped, /Signing off/, 'the client was dropped from the room before it signed off');
    } finally {
      sipe.kill();
    }
  });
});
