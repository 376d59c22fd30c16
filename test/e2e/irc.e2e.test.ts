import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { FrameworkClient, RawClient } from '../irc/clients.js';

describe('IRC endpoint, driven by irc-framework and raw sockets', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  const rooms: Record<string, number> = {};
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);

  before(async () => {
    // The server's own IRC endpoint, as `pchat serve` starts it from the configuration.
    server = await startTestServer({ 'irc.serverName': 'irc.test', 'irc.network': 'PchatTest' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice A' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob B' });
    carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol C' });
    const everyone = [user(alice.id), user(bob.id), user(carol.id)];
    const cat = await createCategory(admin, 'Engineering', { allowed: everyone });
    rooms.plan = await createRoom(admin, 'release planning', cat, { members: [user(alice.id), user(bob.id)], managers: [user(alice.id)], description: 'Ship on Friday' });
    rooms.secret = await createRoom(admin, 'Secret Ops', cat, { privacy: 'secret', members: [user(alice.id)] });
    rooms.closed = await createRoom(admin, 'Closed Club', cat, { privacy: 'closed', members: [user(alice.id)] });
    rooms.hall = await createRoom(admin, 'Town Hall', cat, { privacy: 'open', type: 'auditorium', presenters: [user(alice.id)] });
    rooms.doomed = await createRoom(admin, 'Doomed Room', cat, { members: [user(alice.id)] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('signs in with SASL PLAIN and sends a truthful welcome burst', async () => {
    const a = track(await FrameworkClient.connect(port, 'whatever', { account: { account: 'alice@example.com', password: PASSWORD } }));
    assert.equal(a.client.user.nick, 'whatever', 'the nick asked for, as nobody else shows or owns it');
    assert.ok(a.lines.some((l) => / 900 \S+ whatever!\S+ alice :You are now logged in as alice/.test(l)), a.lines.join('\n'));
    const isupport = a.lines.filter((l) => / 005 /.test(l)).join(' ');
    for (const token of ['CASEMAPPING=ascii', 'CHANTYPES=#', 'PREFIX=(ov)@+', 'CHANMODES=,,,imnst', 'NETWORK=PchatTest', 'CHATHISTORY=']) assert.ok(isupport.includes(token), token);
    for (const n of [' 001 ', ' 002 ', ' 003 ', ' 004 ', ' 251 ', ' 255 ', ' 375 ', ' 376 ', ' 903 ']) assert.ok(a.lines.some((l) => l.includes(n)), n);
    assert.ok(a.lines.some((l) => / 372 .*:- Welcome to pchat/.test(l)), 'the configured MOTD');
    // Gone before the next test signs alice in: her nick would otherwise be shared with this connection's.
    const closed = new Promise((resolve) => a.client.once('close', resolve));
    a.raw('QUIT :done');
    await closed;
  });

  it('carries messages IRC → WebSocket and WebSocket → IRC, live and persisted', async () => {
    const a = track(await FrameworkClient.connect(port, 'alice', { account: { account: 'alice@example.com', password: PASSWORD } }));
    const ws = track(await WsClient.connect(server.url, bob.api.token));
    await ws.next((f) => f.type === 'ready');
    await ws.call({ type: 'join', roomId: rooms.plan });
    a.client.join('#release_planning');
    await a.next(/ 366 \S+ #release_planning /);
    a.client.say('#release_planning', 'hello from irssi-land');
    const live = await ws.next((f) => f.type === 'message' && f.message.text === 'hello from irssi-land');
    assert.equal(live.message.authorId, alice.id);
    const ack = await ws.call({ type: 'post', roomId: rooms.plan, text: 'hello from the web\nsecond line' });
    assert.equal(ack.type, 'ack');
    await a.next(/^\S* ?:bob!u\d+@irc\.test PRIVMSG #release_planning :hello from the web$/);
    await a.next(/PRIVMSG #release_planning :second line$/);
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${rooms.plan}/messages`), 200);
    assert.ok(history.messages.some((m: any) => m.text === 'hello from irssi-land'));
    const joins = expectStatus(await admin.get(`/api/v1/compliance?type=JOIN&roomId=${rooms.plan}`), 200);
    assert.ok(joins.events.some((e: any) => e.userId === alice.id), 'IRC JOIN is a compliance JOIN');
  });

  it('replays history on JOIN (server-time, in a batch) and serves CHATHISTORY to clients that ask', async () => {
    for (let i = 1; i <= 3; i++) expectStatus(await alice.api.post(`/api/v1/rooms/${rooms.plan}/messages`, { text: `history ${i}` }), 201);
    const b = track(await FrameworkClient.connect(port, 'bob', { password: `bob@example.com:${PASSWORD}` }));
    b.raw('JOIN #release_planning');
    const replayed = await b.next(/PRIVMSG #release_planning :history 3$/);
    assert.match(replayed, /^@[^ ]*time=\d{4}-\d\d-\d\dT[^ ]*Z/);
    assert.match(replayed, /batch=/);
    assert.ok(b.lines.some((l) => / BATCH \+\S+ chathistory #release_planning/.test(l)));

    const c = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['draft/chathistory', 'batch', 'server-time', 'message-tags']));
    c.send('CHATHISTORY LATEST #release_planning * 2');
    const before = await c.sync();
    assert.ok(before.some((l) => / FAIL CHATHISTORY INVALID_TARGET LATEST #release_planning :You are not on that channel/.test(l)), 'a channel is read once joined');
    assert.ok(!before.some((l) => l.includes('PRIVMSG')));
    c.send('JOIN #release_planning');
    const joined = await c.sync();
    assert.ok(joined.some((l) => / 366 /.test(l)));
    assert.ok(!joined.some((l) => l.includes('PRIVMSG')), 'no automatic replay with chathistory');
    c.send('CHATHISTORY LATEST #release_planning * 2');
    const page = await c.sync();
    const texts = page.filter((l) => l.includes('PRIVMSG')).map((l) => l.split(' :').at(-1));
    assert.deepEqual(texts, ['history 2', 'history 3']);
    const msgid = /msgid=([^; ]+)/.exec(page.find((l) => l.endsWith('history 3')) ?? '')?.[1];
    c.send(`CHATHISTORY BEFORE #release_planning msgid=${msgid} 1`);
    assert.ok((await c.sync()).some((l) => l.endsWith(':history 2')));
  });

  it('hides a secret room from a non-member exactly like a missing channel', async () => {
    const c = track(await RawClient.register(port, 'carol@example.com', PASSWORD));
    const ask = async (channel: string) => {
      c.send(`NAMES ${channel}`, `WHO ${channel}`, `CHATHISTORY LATEST ${channel} * 10`, `JOIN ${channel}`, `MODE ${channel}`, `TOPIC ${channel}`);
      return (await c.sync()).filter((l) => !l.includes('PONG')).map((l) => l.replaceAll(channel, '<chan>'));
    };
    const secret = await ask('#Secret_Ops');
    const missing = await ask('#No_Such_Room');
    assert.deepEqual(secret, missing);
    assert.ok(secret.some((l) => / 403 carol <chan> /.test(l)));
    assert.ok(secret.some((l) => / FAIL CHATHISTORY INVALID_TARGET LATEST <chan> /.test(l)), secret.join('\n'));
    c.send('LIST');
    const list = await c.sync();
    assert.ok(list.some((l) => l.includes('#release_planning')));
    assert.ok(!list.some((l) => l.includes('Secret')));
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    a.send('LIST');
    assert.ok((await a.sync()).some((l) => l.includes(' 322 alice #Secret_Ops ')), 'members see it');
  });

  it('admits members only to a closed room (473)', async () => {
    const c = track(await RawClient.register(port, 'carol@example.com', PASSWORD));
    c.send('JOIN #closed_club');
    assert.ok((await c.sync()).some((l) => / 473 carol #closed_club /i.test(l)));
  });

  it('maps an auditorium to +m: presenters are +v, others get 404', async () => {
    const c = track(await RawClient.register(port, 'carol@example.com', PASSWORD, ['multi-prefix']));
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    a.send('JOIN #Town_Hall');
    await a.sync();
    c.send('JOIN #Town_Hall', 'MODE #Town_Hall', 'PRIVMSG #Town_Hall :can I talk?');
    const out = await c.sync();
    assert.ok(out.some((l) => / 353 carol = #Town_Hall :.*\+alice/.test(l)), out.join('\n'));
    assert.ok(out.some((l) => / 324 carol #Town_Hall \+mnt/.test(l)));
    assert.ok(out.some((l) => / 404 carol #Town_Hall /.test(l)));
    a.send('PRIVMSG #Town_Hall :presenters may');
    await c.next(/:alice!\S+ PRIVMSG #Town_Hall :presenters may/);
  });

  it('keeps replies in command order and labels them', async () => {
    const c = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['labeled-response', 'batch', 'echo-message', 'message-tags']));
    c.send('@label=j1 JOIN #release_planning', '@label=p1 PRIVMSG #release_planning :labeled hello', '@label=n1 NAMES #release_planning', '@label=x1 PING tok');
    const out = await c.sync();
    const order = ['j1', 'p1', 'n1', 'x1'].map((label) => out.findIndex((l) => l.includes(`label=${label}`)));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))), `${order}\n${out.join('\n')}`);
    assert.ok(out.some((l) => l.includes('label=p1') && l.endsWith('PRIVMSG #release_planning :labeled hello')), `the echo carries the label:\n${out.join('\n')}`);
  });

  it('lets managers set topic and modes through the use cases, and refuses others (482)', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD));
    b.send('TOPIC #release_planning :bob was here');
    assert.ok((await b.sync()).some((l) => / 482 bob #release_planning /.test(l)));
    a.send('JOIN #release_planning');
    await a.sync();
    a.send('TOPIC #release_planning :Ship on Monday');
    await a.next(/TOPIC #release_planning :Ship on Monday/);
    const room = expectStatus(await admin.get(`/api/v1/rooms/${rooms.plan}`), 200);
    assert.equal(room.description, 'Ship on Monday');
  });

  it('refuses a wrong password with 464 and ERROR', async () => {
    const c = track(await RawClient.connect(port));
    c.send('PASS alice@example.com:wrong-password', 'NICK x', 'USER x 0 * :x');
    await c.next(/ 464 /);
    await c.next(/^ERROR /);
    await c.waitClose();
  });

  it('kicks IRC members when the room is disabled, and refuses JOIN afterwards', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    a.send('JOIN #Doomed_Room');
    await a.sync();
    expectStatus(await admin.patch(`/api/v1/rooms/${rooms.doomed}`, { disabled: true }), 200);
    await a.next(/KICK #Doomed_Room alice :The room was disabled/);
    a.send('JOIN #Doomed_Room');
    assert.ok((await a.sync()).some((l) => / 403 alice #Doomed_Room /.test(l)));
  });
});
