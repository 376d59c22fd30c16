import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { FrameworkClient, RawClient } from '../irc/clients.js';

/** OPER, WHOIS, ISON, USERHOST, AWAY, INVITE, KICK, MODE and stories, over real sockets. */
describe('IRC commands against the room model', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  const ids: Record<string, number> = {};
  const rooms: Record<string, number> = {};
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);
  const connect = async (login: string, password = PASSWORD, caps: string[] = []) => track(await RawClient.register(port, login, password, caps));
  const roomOf = async (id: number) => expectStatus(await admin.get(`/api/v1/rooms/${id}`), 200);
  const hasUser = (list: { kind: string; id: number }[], id: number) => list.some((p) => p.kind === 'user' && p.id === id);
  const sessionRows = () => {
    const db = new Database(server.database, { readonly: true, fileMustExist: true });
    try {
      // Bearer tokens only: an IRC connection is a session row of its own (kind 'irc') while it is open.
      return (db.prepare("SELECT count(*) AS n FROM sessions WHERE kind = 'token'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) ids[name] = (await createUser(admin, `${name}@example.com`, { displayName: `${name} D` })).id;
    const everyone = Object.values(ids).map(user);
    const cat = await createCategory(admin, 'Ops', { allowed: everyone });
    const alice = user(ids.alice as number);
    rooms.lobby = await createRoom(admin, 'lobby', cat, { privacy: 'open' });
    rooms.club = await createRoom(admin, 'club', cat, { privacy: 'closed', members: [alice], managers: [alice] });
    rooms.crew = await createRoom(admin, 'crew', cat, { privacy: 'closed', members: [alice, user(ids.bob as number), user(ids.dave as number)], managers: [alice] });
    rooms.lab = await createRoom(admin, 'Mode Lab', cat, { privacy: 'closed', members: [alice, user(ids.bob as number)], managers: [alice] });
    rooms.square = await createRoom(admin, 'square', cat, { privacy: 'open', managers: [alice] });
    rooms.den = await createRoom(admin, 'den', cat, { privacy: 'closed', managers: [user(ids.carol as number)] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('OPER: administrators get 381 and +o, others 491, a wrong password 464; no bearer token is created', async () => {
    const rowsBefore = sessionRows();
    const root = await connect('admin', ADMIN_PASSWORD);
    const a = await connect('alice@example.com');
    root.send('OPER admin wrong-password');
    assert.ok((await root.sync()).some((l) => / 464 admin /.test(l)));
    root.send(`OPER admin ${ADMIN_PASSWORD}`);
    const oper = await root.sync();
    assert.ok(oper.some((l) => / 381 admin /.test(l)), oper.join('\n'));
    assert.ok(oper.some((l) => /^:admin!\S+ MODE admin \+o$/.test(l)));
    a.send(`OPER alice ${PASSWORD}`);
    assert.ok((await a.sync()).some((l) => / 491 alice /.test(l)), 'not an administrator');
    a.send(`OPER bob ${PASSWORD}`);
    assert.ok((await a.sync()).some((l) => / 491 alice /.test(l)), 'someone else’s name');
    a.send('WHOIS admin', 'USERHOST admin', 'WHO admin');
    const seen = await a.sync();
    assert.ok(seen.some((l) => / 313 alice admin /.test(l)), 'WHOIS shows the operator');
    assert.ok(seen.some((l) => / 302 alice :?admin\*=\+u\d+@irc\.test/.test(l)), seen.join('\n'));
    assert.ok(seen.some((l) => / 352 alice \* \S+ irc\.test irc\.test admin H\* /.test(l)), seen.join('\n'));
    const viaSasl = track(await FrameworkClient.connect(port, 'carol', { account: { account: 'carol@example.com', password: PASSWORD } }));
    assert.ok(viaSasl.lines.some((l) => / 903 /.test(l)), 'signed in with SASL PLAIN');
    // SASL, PASS and OPER check credentials without leaving unused bearer tokens behind.
    assert.equal(sessionRows(), rowsBefore);
  });

  it('WHOIS, ISON and USERHOST describe accounts as this endpoint shows them', async () => {
    const a = await connect('alice@example.com');
    const c = await connect('carol@example.com');
    a.send('JOIN #lobby');
    await a.sync();
    c.send('WHOIS alice', 'WHOIS nobody', 'ISON alice bob nobody carol', 'USERHOST alice nobody');
    const out = await c.sync();
    const text = out.join('\n');
    // The username is the USER one (with ~: no ident vouched for it); the real name the display name.
    assert.ok(out.some((l) => / 311 carol alice ~guest irc\.test \* :alice D$/.test(l)), text);
    assert.ok(out.some((l) => / 319 carol alice :?#lobby$/.test(l)), text);
    assert.ok(out.some((l) => / 330 carol alice alice :is logged in as$/.test(l)), text);
    assert.ok(!out.some((l) => / 320 /.test(l)), 'no RPL_WHOISSPECIAL: the account name (330) is what WHOIS tells');
    assert.ok(out.some((l) => / 318 carol alice /.test(l)), text);
    assert.ok(out.some((l) => / 401 carol nobody /.test(l)) && out.some((l) => / 318 carol nobody /.test(l)), text);
    assert.ok(out.some((l) => / 303 carol :alice carol$/.test(l)), `only those connected over IRC:\n${text}`);
    assert.ok(out.some((l) => new RegExp(` 302 carol :?alice=\\+u${ids.alice}@irc\\.test$`).test(l)), text);
  });

  it('AWAY is announced with away-notify to people sharing a channel, and shows in WHOIS and USERHOST', async () => {
    const a = await connect('alice@example.com');
    const b = await connect('bob@example.com', PASSWORD, ['away-notify']);
    const c = await connect('carol@example.com');
    a.send('JOIN #crew');
    b.send('JOIN #crew');
    await a.sync();
    await b.sync();
    a.send('AWAY :out for lunch');
    assert.ok((await a.sync()).some((l) => / 306 alice /.test(l)));
    await b.next(/^:alice!\S+ AWAY :out for lunch$/);
    c.send('WHOIS alice', 'USERHOST alice');
    const seen = await c.sync();
    assert.ok(seen.some((l) => / 301 carol alice :out for lunch$/.test(l)), seen.join('\n'));
    assert.ok(seen.some((l) => / 302 carol :?alice=-u\d+@/.test(l)), seen.join('\n'));
    a.send('AWAY');
    assert.ok((await a.sync()).some((l) => / 305 alice /.test(l)));
    await b.next(/^:alice!\S+ AWAY$/);
    // Someone joining later hears that a person in the channel is away.
    a.send('AWAY :back soon');
    await a.sync();
    const d = await connect('dave@example.com', PASSWORD, ['away-notify']);
    d.send('JOIN #crew');
    await d.sync();
    a.send('PART #crew', 'JOIN #crew');
    await d.next(/^:alice!\S+ AWAY :back soon$/);
    a.send('AWAY');
    await a.sync();
  });

  it('AWAY from a connection in no channel reaches those sharing a channel with another connection of the account', async () => {
    const inSquare = await connect('alice@example.com');
    const elsewhere = await connect('alice@example.com');
    const b = await connect('bob@example.com', PASSWORD, ['away-notify']);
    const outsider = await connect('carol@example.com', PASSWORD, ['away-notify']);
    inSquare.send('JOIN #square');
    b.send('JOIN #square');
    await inSquare.sync();
    await b.sync();
    const [fromB, fromOutsider] = [b.lines.length, outsider.lines.length];
    elsewhere.send('AWAY :on the other device');
    assert.ok((await elsewhere.sync()).some((l) => / 306 alice /.test(l)));
    await b.next(/^:alice!\S+ AWAY :on the other device$/, 5000, fromB);
    elsewhere.send('AWAY');
    await elsewhere.sync();
    await b.next(/^:alice!\S+ AWAY$/, 5000, fromB);
    await outsider.sync();
    assert.deepEqual(outsider.lines.slice(fromOutsider).filter((l) => / AWAY/.test(l)), [], 'nobody sharing no channel with alice hears it');
    for (const c of [inSquare, elsewhere, b, outsider]) c.close();
    await Promise.all([inSquare, elsewhere, b, outsider].map((c) => c.waitClose()));
  });

  it('INVITE to a +i channel adds a member through rooms.update; the invitee can then JOIN', async () => {
    const a = await connect('alice@example.com');
    const b = await connect('bob@example.com');
    const c = await connect('carol@example.com');
    c.send('JOIN #club');
    assert.ok((await c.sync()).some((l) => / 473 carol #club /.test(l)), 'members only before');
    c.send('INVITE dave #club');
    const outside = await c.sync();
    assert.ok(outside.some((l) => / 442 carol #club /.test(l)), `no back door for a non-member:\n${outside.join('\n')}`);
    b.send('INVITE carol #crew');
    const member = await b.sync();
    assert.ok(member.some((l) => / 482 bob #crew /.test(l)), `a member who does not manage may not invite to +i:\n${member.join('\n')}`);
    assert.ok(!hasUser((await roomOf(rooms.crew as number)).members, ids.carol as number), 'a refused INVITE changes nothing');
    a.send('INVITE carol #club', 'INVITE nobody #club');
    const out = await a.sync();
    assert.ok(out.some((l) => / 341 alice carol #club$/.test(l)), out.join('\n'));
    assert.ok(out.some((l) => / 401 alice nobody /.test(l)), out.join('\n'));
    assert.ok(hasUser((await roomOf(rooms.club as number)).members, ids.carol as number));
    await c.next(/^:alice!\S+ INVITE carol #club$/);
    c.send('JOIN #club');
    const joined = await c.sync();
    assert.ok(joined.some((l) => /^:carol!\S+ JOIN #club$/.test(l)), joined.join('\n'));
    a.send('INVITE carol #club');
    assert.ok((await a.sync()).some((l) => / 443 alice carol #club /.test(l)), 'already on the channel');
  });

  it('INVITE to an open channel passes the invitation on, from someone in the channel, and changes no membership', async () => {
    // erin is in no channel yet; frank never connects.
    const e = await connect('erin@example.com');
    const c = await connect('carol@example.com');
    e.send('INVITE carol #lobby');
    assert.ok((await e.sync()).some((l) => / 442 erin #lobby /.test(l)), 'not on the channel');
    e.send('JOIN #lobby');
    await e.sync();
    e.send('INVITE carol #lobby', 'INVITE frank #lobby');
    const out = await e.sync();
    assert.ok(out.some((l) => / 341 erin carol #lobby$/.test(l)), out.join('\n'));
    assert.ok(out.some((l) => /FAIL INVITE NOT_CONNECTED #lobby /.test(l)), `frank has no IRC connection:\n${out.join('\n')}`);
    await c.next(/^:erin!\S+ INVITE carol #lobby$/);
    assert.deepEqual((await roomOf(rooms.lobby as number)).members, [], 'an open room keeps no members');
    c.send('JOIN #lobby');
    await c.sync();
    e.send('INVITE carol #lobby');
    assert.ok((await e.sync()).some((l) => / 443 erin carol #lobby /.test(l)), 'already on the channel');
  });

  it('KICK: a manager removes a member (others see KICK); a non-manager gets 482', async () => {
    const a = await connect('alice@example.com');
    const b = await connect('bob@example.com');
    const d = await connect('dave@example.com');
    for (const c of [a, b, d]) {
      c.send('JOIN #crew');
      await c.sync();
    }
    d.send('KICK #crew bob :not you');
    assert.ok((await d.sync()).some((l) => / 482 dave #crew /.test(l)));
    assert.ok(hasUser((await roomOf(rooms.crew as number)).members, ids.bob as number), 'a refused KICK changes nothing');
    a.send('KICK #crew bob :enough');
    await b.next(/^:alice!\S+ KICK #crew bob :?enough$/);
    await d.next(/^:alice!\S+ KICK #crew bob :?enough$/);
    await a.next(/KICK #crew bob :?enough$/);
    assert.ok(!hasUser((await roomOf(rooms.crew as number)).members, ids.bob as number), 'the membership is gone');
    b.send('JOIN #crew');
    assert.ok((await b.sync()).some((l) => / 473 bob #crew /.test(l)), 'and bob may not come back');
    a.send('KICK #crew carol');
    const out = await a.sync();
    assert.ok(out.some((l) => / 441 alice carol #crew /.test(l)), out.join('\n'));
  });

  it('KICK in an open room takes the user out of the channel (default reason: the kicker); they may join again', async () => {
    const a = await connect('alice@example.com');
    const c = await connect('carol@example.com');
    const d = await connect('dave@example.com');
    d.send('KICK #square carol');
    assert.ok((await d.sync()).some((l) => / 442 dave #square /.test(l)), 'not on the channel');
    for (const x of [a, c, d]) {
      x.send('JOIN #square');
      await x.sync();
    }
    c.send('KICK #square dave :out');
    assert.ok((await c.sync()).some((l) => / 482 carol #square /.test(l)), 'only managers kick');
    a.send('KICK #square carol');
    await c.next(/^:alice!\S+ KICK #square carol :?alice$/);
    await d.next(/^:alice!\S+ KICK #square carol :?alice$/);
    await a.next(/^:alice!\S+ KICK #square carol :?alice$/);
    c.send('PRIVMSG #square :still here?');
    assert.ok((await c.sync()).some((l) => / 404 carol #square /.test(l)), 'out of the channel (+n)');
    d.send('NAMES #square');
    const names = (await d.sync()).filter((l) => / 353 /.test(l)).join(' ');
    assert.ok(!/\bcarol\b/.test(names), names);
    assert.deepEqual((await roomOf(rooms.square as number)).members, [], 'the room model is unchanged');
    c.send('JOIN #square');
    assert.ok((await c.sync()).some((l) => /^:carol!\S+ JOIN #square$/.test(l)), 'no ban: carol may come back');
  });

  it('MODE +o/+v/+s/+i/+m become room roles, privacy and type; non-managers get 482', async () => {
    const a = await connect('alice@example.com');
    const b = await connect('bob@example.com');
    const lab = rooms.lab as number;
    a.send('JOIN #Mode_Lab');
    b.send('JOIN #Mode_Lab');
    await a.sync();
    await b.sync();
    for (const change of ['+s', '+m', '+o bob', '-i']) {
      b.send(`MODE #Mode_Lab ${change}`);
      assert.ok((await b.sync()).some((l) => / 482 bob #Mode_Lab /.test(l)), change);
    }
    let room = await roomOf(lab);
    assert.equal(room.privacy, 'closed');
    assert.equal(room.type, 'normal');

    a.send('MODE #Mode_Lab +m');
    await b.next(/^:alice!\S+ MODE #Mode_Lab \+m$/);
    a.send('MODE #Mode_Lab +v bob');
    await b.next(/MODE #Mode_Lab \+v bob$/);
    room = await roomOf(lab);
    assert.equal(room.type, 'auditorium');
    assert.ok(hasUser(room.presenters, ids.bob as number));

    a.send('MODE #Mode_Lab +o bob');
    await b.next(/MODE #Mode_Lab \+o bob$/);
    assert.ok(hasUser((await roomOf(lab)).managers, ids.bob as number));
    // multi-prefix: a manager presenting in an auditorium is @+.
    const m = await connect('alice@example.com', PASSWORD, ['multi-prefix']);
    m.send('NAMES #Mode_Lab');
    const names = (await m.sync()).filter((l) => / 353 /.test(l)).join('\n');
    assert.match(names, /[ :]@\+bob\b/, names);
    b.send('MODE #Mode_Lab -o bob');
    await a.next(/MODE #Mode_Lab -o bob$/);
    assert.ok(!hasUser((await roomOf(lab)).managers, ids.bob as number), 'a manager now, so bob may');

    a.send('MODE #Mode_Lab +s');
    await b.next(/MODE #Mode_Lab \+s$/);
    assert.equal((await roomOf(lab)).privacy, 'secret');
    a.send('MODE #Mode_Lab -s');
    await b.next(/MODE #Mode_Lab -s$/);
    assert.equal((await roomOf(lab)).privacy, 'closed', '-s leaves a room closed');
    a.send('MODE #Mode_Lab -i');
    await b.next(/MODE #Mode_Lab -i$/);
    assert.equal((await roomOf(lab)).privacy, 'open');
    a.send('MODE #Mode_Lab +i');
    await b.next(/MODE #Mode_Lab \+i$/);
    assert.equal((await roomOf(lab)).privacy, 'closed');
    a.send('MODE #Mode_Lab -m');
    await b.next(/MODE #Mode_Lab -m$/);
    room = await roomOf(lab);
    assert.equal(room.type, 'normal');
    assert.deepEqual(room.presenters, [], '-m drops the presenters');
    a.send('MODE #Mode_Lab');
    assert.ok((await a.sync()).some((l) => / 324 alice #Mode_Lab \+int$/.test(l)));

    // Modes pchat has no rule for are refused, never silently accepted; the lists are empty.
    a.send('MODE #Mode_Lab +b bob!*@*', 'MODE #Mode_Lab +k secret', 'MODE #Mode_Lab +l 5', 'MODE #Mode_Lab b', 'MODE #Mode_Lab -t', 'MODE #Mode_Lab +v bob', 'MODE #Mode_Lab +o carol');
    const refused = await a.sync();
    const text = refused.join('\n');
    for (const letter of ['b', 'k', 'l']) assert.ok(refused.some((l) => new RegExp(` 472 alice ${letter} :is unknown mode char to me: pchat `).test(l)), text);
    assert.ok(refused.some((l) => / 368 alice #Mode_Lab /.test(l)), text);
    assert.ok(refused.some((l) => /FAIL MODE INVALID_PARAMS #Mode_Lab :Mode t is always set/.test(l)), text);
    assert.ok(refused.some((l) => /FAIL MODE INVALID_PARAMS #Mode_Lab :Only auditoriums/.test(l)), `+v needs +m:\n${text}`);
    assert.ok(refused.some((l) => / 441 alice carol #Mode_Lab /.test(l)), `carol is not in the channel:\n${text}`);
    room = await roomOf(lab);
    assert.deepEqual([room.privacy, room.type, room.presenters, hasUser(room.managers, ids.carol as number)], ['closed', 'normal', [], false]);
  });

  it('MODE +i keeps the people in the channel as members, and -o leaves a closed room’s manager in it', async () => {
    const a = await connect('alice@example.com');
    const c = await connect('carol@example.com');
    const square = rooms.square as number;
    a.send('JOIN #square');
    c.send('JOIN #square');
    await a.sync();
    await c.sync();
    a.send('MODE #square +i');
    await c.next(/^:alice!\S+ MODE #square \+i$/);
    const room = await roomOf(square);
    assert.equal(room.privacy, 'closed');
    assert.ok(hasUser(room.members, ids.carol as number), JSON.stringify(room.members));
    assert.ok(!hasUser(room.members, ids.alice as number) && hasUser(room.managers, ids.alice as number), 'a manager takes part already');
    c.send('PRIVMSG #square :still in');
    assert.ok(!(await c.sync()).some((l) => / (404|KICK) /.test(l)), 'carol was not put out');
    a.send('MODE #square -i');
    await c.next(/^:alice!\S+ MODE #square -i$/);

    c.send('JOIN #den');
    await c.sync();
    c.send('MODE #den -o carol');
    const out = await c.sync();
    assert.ok(out.some((l) => /^:carol!\S+ MODE #den -o carol$/.test(l)), out.join('\n'));
    assert.ok(!out.some((l) => / KICK /.test(l)), out.join('\n'));
    const den = await roomOf(rooms.den as number);
    assert.ok(!hasUser(den.managers, ids.carol as number) && hasUser(den.members, ids.carol as number), JSON.stringify(den));
  });

  it('channels are +n: PRIVMSG to a channel not joined answers 404, to one the caller cannot find 403', async () => {
    const c = await connect('carol@example.com');
    c.send('PRIVMSG #lobby :from outside', 'PRIVMSG #crew :from outside', 'PRIVMSG #nowhere :x');
    const out = await c.sync();
    assert.ok(out.some((l) => / 404 carol #lobby :Cannot send to channel \(\+n\)/.test(l)), out.join('\n'));
    assert.ok(out.some((l) => / 404 carol #crew /.test(l)), out.join('\n'));
    assert.ok(out.some((l) => / 403 carol #nowhere /.test(l)), out.join('\n'));
  });

  it('splits a story from the web into lines, title first, without losing text', async () => {
    const c = await connect('carol@example.com');
    c.send('JOIN #lobby');
    await c.sync();
    const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(' ');
    const lines = [`Intro: ${words(150, 'wörd')}`, '', `Ünïcödé ${'日本語のテキスト'.repeat(60)}`, words(20, 'tail'), `${'x'.repeat(1500)} end`];
    const text = lines.join('\n');
    const carol = await Api.login(server.url, 'carol@example.com', PASSWORD);
    const from = c.lines.length;
    expectStatus(await carol.post(`/api/v1/rooms/${rooms.lobby}/messages`, { kind: 'story', title: 'Quarterly report', text }), 201);
    await c.next((l) => l.endsWith(' end'), 5000, from);
    await c.sync();
    const got = c.lines.slice(from).filter((l) => /^:carol!\S+ PRIVMSG #lobby /.test(l));
    // The text is the last parameter: after ' :' when it has spaces, else a bare word.
    const bodies = got.map((l) => l.replace(/^:\S+ PRIVMSG #lobby :?/, ''));
    assert.equal(bodies[0], '\x02Quarterly report\x02', 'the title first, in bold');
    assert.ok(bodies.length > lines.length, `split into more lines than the story has (${bodies.length})`);
    for (const l of got) assert.ok(Buffer.byteLength(l) <= 510, `within 512 bytes with CRLF: ${Buffer.byteLength(l)}`);
    assert.equal(bodies.slice(1).join(''), lines.filter((l) => l !== '').join(''), 'every character arrives, in order');
  });
});
