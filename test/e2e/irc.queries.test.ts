import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createUser, group, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

/** WHO, WHOIS, WHOWAS, LUSERS, MONITOR, INFO, KILL and the registration numerics, over real sockets. */
describe('IRC queries and registration numerics', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  const open: RawClient[] = [];
  const raw = async () => {
    const c = await RawClient.connect(port);
    open.push(c);
    return c;
  };
  const welcomed = (c: RawClient) => c.next((l) => / 376 | 422 /.test(l));
  /** A guest with the given USER username and real name, registered. */
  const guest = async (nick: string, username = 'myusernam', realname = 'My Real Name') => {
    const c = await raw();
    c.send(`NICK ${nick}`, `USER ${username} 0 * :${realname}`);
    await welcomed(c);
    return c;
  };
  const account = async (login: string, password = PASSWORD) => {
    const c = await RawClient.register(port, login, password);
    open.push(c);
    return c;
  };
  const numerics = (lines: string[], code: string) => lines.filter((l) => l.split(' ')[1] === code);

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test', 'irc.guestGroup': 'irc-guests', 'irc.createRoomsIn': 'Channels' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice Example' });
    const guests = expectStatus(await admin.post('/api/v1/groups', { name: 'irc-guests' }), 201) as { id: number };
    const everyone = [group(guests.id), user(alice.id)];
    await createCategory(admin, 'Channels', { allowed: everyone, creators: everyone });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it("WHO: exact nicks find anyone; masks (*, ?, 0) only the caller and those sharing a channel; fields as RPL_WHOREPLY", async () => {
    const cool = await guest('coolNick');
    const other = await guest('otherNick', 'otheruser', 'Other Person');
    const stranger = await guest('strangeNick');
    other.send('WHO coolnick');
    const exact = await other.sync();
    assert.deepEqual(numerics(exact, '352'), [':irc.test 352 otherNick * ~myusernam irc.test irc.test coolNick H :0 My Real Name'], exact.join('\n'));
    assert.match(numerics(exact, '315')[0] ?? '', / 315 otherNick coolnick :/, 'the mask comes back as sent');
    other.send('WHO cool*');
    assert.equal(numerics(await other.sync(), '352').length, 0, 'invisible: a mask does not find someone without a shared channel');
    cool.send('JOIN #whoroom');
    await cool.sync();
    other.send('JOIN #whoroom');
    await other.sync();
    cool.send('AWAY :lunch');
    await cool.sync();
    for (const mask of ['cool*', 'c?olNICK', '*!~myusernam@*']) {
      other.send(`WHO ${mask}`);
      const lines = numerics(await other.sync(), '352');
      assert.deepEqual(lines, [':irc.test 352 otherNick * ~myusernam irc.test irc.test coolNick G :0 My Real Name'], `${mask}: ${lines.join('\n')}`);
    }
    for (const mask of ['*', '0']) {
      other.send(`WHO ${mask}`);
      const nicks = numerics(await other.sync(), '352').map((l) => l.split(' ')[7]);
      assert.deepEqual(nicks.sort(), ['coolNick', 'otherNick'], `${mask} lists the caller and channel neighbours, not strangeNick`);
    }
    other.send('WHO #WHOROOM');
    const channel = numerics(await other.sync(), '352');
    assert.ok(channel.includes(':irc.test 352 otherNick #whoroom ~myusernam irc.test irc.test coolNick G@ :0 My Real Name'), channel.join('\n'));
    assert.ok(channel.includes(':irc.test 352 otherNick #whoroom ~otheruser irc.test irc.test otherNick H :0 Other Person'), channel.join('\n'));
    stranger.send('WHO idontexist');
    assert.deepEqual(
      (await stranger.sync()).filter((l) => !l.includes('PONG')),
      [':irc.test 315 strangeNick idontexist :End of WHO list'],
    );
  });

  it("WHOIS: the USER username, a guest's USER real name, an account's display name; 330 only for accounts", async () => {
    const g = await guest('whoisGuest', 'gname', 'Guest Real');
    const a = await account('alice@example.com');
    a.send('WHOIS whoisGuest');
    const aboutGuest = await a.sync();
    assert.ok(aboutGuest.includes(':irc.test 311 alice whoisGuest ~gname irc.test * :Guest Real'), aboutGuest.join('\n'));
    assert.equal(numerics(aboutGuest, '330').length, 0, 'a guest has no account');
    assert.equal(numerics(aboutGuest, '320').length, 0);
    g.send('WHOIS irc.test alice');
    const aboutAlice = await g.sync();
    assert.ok(aboutAlice.includes(':irc.test 311 whoisGuest alice ~guest irc.test * :Alice Example'), 'USER says "Guest"; the display name wins');
    assert.ok(aboutAlice.includes(':irc.test 330 whoisGuest alice alice :is logged in as'), aboutAlice.join('\n'));
    assert.match(aboutAlice.at(-2) ?? '', / 318 whoisGuest alice :/);
  });

  it('WHOWAS: nicks that quit or were changed, newest first, with a count; 406 and 369 otherwise', async () => {
    const asker = await guest('asker');
    for (const [i, username] of ['first', 'second'].entries()) {
      const gone = await guest('leaver', username, 'Left Behind');
      gone.send('QUIT :bye');
      await gone.waitClose();
      // The nick is free (and remembered) once the server saw the socket close.
      await waitFor(async () => {
        asker.send('WHOWAS leaver');
        return numerics(await asker.sync(), '314').length === i + 1;
      });
    }
    const renamed = await guest('oldname', 'renamer', 'Re Named');
    renamed.send('NICK newname');
    await renamed.sync();
    asker.send('WHOWAS LEAVER');
    const both = await asker.sync();
    assert.deepEqual(
      numerics(both, '314').map((l) => l.split(' ').slice(3, 6).join(' ')),
      ['leaver ~second irc.test', 'leaver ~first irc.test'],
      'newest first',
    );
    assert.ok(numerics(both, '314').every((l) => l.endsWith('* :Left Behind')));
    assert.equal(numerics(both, '312').length, 2);
    assert.match(numerics(both, '369')[0] ?? '', / 369 asker LEAVER :/);
    asker.send('WHOWAS leaver 1');
    assert.equal(numerics(await asker.sync(), '314').length, 1, 'count 1');
    asker.send('WHOWAS leaver -1');
    assert.equal(numerics(await asker.sync(), '314').length, 2, 'a count that is not positive means all');
    asker.send('WHOWAS oldname');
    assert.ok(numerics(await asker.sync(), '314').some((l) => l.includes(' oldname ~renamer ')), 'a changed nick is remembered');
    asker.send('WHOWAS nobodyever', 'WHOWAS');
    const none = await asker.sync();
    assert.match(numerics(none, '406')[0] ?? '', / 406 asker nobodyever :/);
    assert.match(numerics(none, '369')[0] ?? '', / 369 asker nobodyever :/);
    assert.match(numerics(none, '461')[0] ?? '', / 461 asker WHOWAS :/);
  });

  it('LUSERS: 251–255 and 265/266 agree on the registered connections; 253 counts unregistered ones', async () => {
    const counter = await guest('counter');
    const lusers = async () => {
      counter.send('LUSERS');
      const lines = await counter.sync();
      const param = (code: string) => numerics(lines, code)[0]?.split(' ').slice(3).join(' ') ?? '';
      return { client: param('251'), unknown: param('253'), me: param('255'), local: param('265'), global: param('266') };
    };
    const before = await lusers();
    const users = Number(/^(\d+) /.exec(before.local)?.[1]);
    assert.ok(users >= 1);
    assert.equal(before.client, `:There are 0 users and ${users} invisible on 1 servers`);
    assert.equal(before.me, `:I have ${users} clients and 0 servers`);
    assert.match(before.global, new RegExp(`^${users} \\d+ :Current global users ${users}, max \\d+$`));
    const pending = await raw();
    pending.send('NICK pending');
    await pending.sync();
    const withPending = await lusers();
    assert.equal(withPending.unknown, `${Number(before.unknown.split(' ')[0]) + 1} :unknown connection(s)`);
    pending.send('USER pend 0 * :Pending');
    await welcomed(pending);
    const after = await lusers();
    const [count, peak] = after.local.split(' ').map(Number);
    assert.equal(count, users + 1);
    assert.ok((peak ?? 0) >= users + 1, 'the peak is at least the count');
  });

  it('USER with an empty real name or username gets 461; usernames are cut at USERLEN without splitting characters', async () => {
    const c = await raw();
    c.send('NICK emptyreal', 'USER username * * :');
    assert.match(await c.next((l) => / 461 /.test(l)), / 461 \* USER :Not enough parameters/);
    c.send('USER 😊😊😊😊😊😊😊😊😊😊😊😊😊 * * :realname');
    await welcomed(c);
    c.send('WHOIS emptyreal');
    const whois = (await c.sync()).find((l) => / 311 /.test(l)) ?? '';
    assert.equal(whois, `:irc.test 311 emptyreal emptyreal ~${'😊'.repeat(11)} irc.test * realname`);
  });

  it('SASL: after registration AUTHENTICATE answers 462 (the account stays); credentials beyond 2000 bytes fail with 904', async () => {
    const c = await raw();
    c.send('CAP LS 302', 'CAP REQ :sasl', 'NICK saslguest', 'USER s 0 * :S', 'CAP END');
    await welcomed(c);
    c.send('AUTHENTICATE PLAIN');
    assert.ok((await c.sync()).some((l) => / 462 saslguest :You may not reregister/.test(l)));
    const d = await raw();
    d.send('CAP LS 302', 'CAP REQ :sasl', 'AUTHENTICATE PLAIN');
    await d.next((l) => l.endsWith('AUTHENTICATE +'));
    const chunk = 'A'.repeat(400);
    d.send(...Array.from({ length: 6 }, () => `AUTHENTICATE ${chunk}`));
    assert.match(await d.next((l) => / 90[45] /.test(l)), / 904 \* :SASL authentication failed: more than 2000 bytes/);
  });

  it('MONITOR: 730/731 on +, when a watched nick connects, quits or is changed to and from; L, S, C and - ', async () => {
    const w = await guest('watcher');
    assert.ok(w.lines.some((l) => / 005 .*MONITOR=100/.test(l)), 'ISUPPORT advertises MONITOR');
    w.send('MONITOR + target,ghost,*!x@y');
    const first = await w.sync();
    assert.ok(first.includes(':irc.test 731 watcher target,ghost'), first.join('\n'));
    assert.ok(first.some((l) => / 432 watcher \*!x@y /.test(l)), 'masks are refused');
    const t = await guest('target');
    assert.match(await w.next((l) => / 730 /.test(l)), /^:irc\.test 730 watcher :?target!u\d+@irc\.test$/);
    t.send('NICK TARGET');
    await t.sync();
    t.send('NICK elsewhere');
    await t.sync();
    assert.equal(await w.next((l) => / 731 watcher :?TARGET$/.test(l)), ':irc.test 731 watcher TARGET', 'offline with the nick as it was');
    assert.ok(!w.lines.some((l) => / 730 watcher :?TARGET!/.test(l)), 'a case change says nothing');
    t.send('NICK target');
    await w.next((l) => / 730 watcher :?target!/.test(l));
    w.send('MONITOR S', 'MONITOR L');
    const status = await w.sync();
    assert.ok(status.some((l) => / 730 watcher :?target!/.test(l)) && status.includes(':irc.test 731 watcher ghost'), status.join('\n'));
    assert.deepEqual(numerics(status, '732').flatMap((l) => l.split(' ')[3]?.replace(/^:/, '').split(',')).sort(), ['ghost', 'target']);
    t.send('QUIT');
    await w.next((l) => / 731 watcher :?target$/.test(l));
    w.send('MONITOR - ghost', 'MONITOR L');
    assert.deepEqual(numerics(await w.sync(), '732').map((l) => l.split(' ')[3]?.replace(/^:/, '')), ['target']);
    w.send('MONITOR C', 'MONITOR L');
    const cleared = await w.sync();
    assert.equal(numerics(cleared, '732').length, 0);
    assert.equal(numerics(cleared, '733').length, 1);
    const from = w.lines.length;
    await guest('target');
    await w.sync();
    assert.ok(!w.lines.slice(from).some((l) => / 73[01] /.test(l)), 'a cleared list watches nothing');
  });

  it('INFO answers 371 lines and 374; KILL is refused (481) unless an operating administrator asks, and then ends the connection', async () => {
    const victim = await guest('victim');
    victim.send('INFO', 'KILL victim :no');
    const lines = await victim.sync();
    assert.ok(numerics(lines, '371').length > 0 && numerics(lines, '374').length === 1, lines.join('\n'));
    assert.ok(numerics(lines, '481').length === 1, 'not an operator');
    const root = await account('admin', ADMIN_PASSWORD);
    root.send('KILL victim :before OPER');
    assert.ok(numerics(await root.sync(), '481').length === 1, 'an administrator must take OPER first');
    root.send(`OPER admin ${ADMIN_PASSWORD}`);
    await root.sync();
    root.send('KILL victim :enough', 'KILL nobodyhere :x');
    const killed = await root.sync();
    assert.ok(numerics(killed, '401').some((l) => l.includes(' nobodyhere ')), killed.join('\n'));
    assert.ok(!killed.some((l) => / FAIL | 481 /.test(l)), killed.join('\n'));
    assert.match(await victim.next((l) => l.startsWith('ERROR')), /^ERROR :Closing link: irc\.test \(.+\)$/);
    await victim.waitClose();
  });
});

/** Polls `check` until it holds (a departed connection is forgotten once its socket closed). */
async function waitFor(check: () => Promise<boolean>, tries = 50): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the condition never held');
}
