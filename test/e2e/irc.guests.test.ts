import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, group, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

/** irc.guestGroup, session nicks (NICK), and irc.createRoomsIn, over real sockets. */
describe('IRC guests, nick changes and channels created by JOIN', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let aliceId = 0;
  const open: RawClient[] = [];
  const raw = async () => {
    const c = await RawClient.connect(port);
    open.push(c);
    return c;
  };
  /** Registers without signing in; resolves with the lines up to the end of the MOTD (or what came instead). */
  const asGuest = async (nick: string, caps: string[] = []) => {
    const c = await raw();
    if (caps.length > 0) c.send('CAP LS 302', `CAP REQ :${caps.join(' ')}`, 'CAP END');
    c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} real`);
    return c;
  };
  const welcomed = (c: RawClient) => c.next((l) => / 376 | 422 /.test(l));

  before(async () => {
    server = await startTestServer({ 'irc.guestGroup': 'irc-guests', 'irc.createRoomsIn': 'Open channels' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    aliceId = (await createUser(admin, 'alice@example.com')).id;
    const guests = expectStatus(await admin.post('/api/v1/groups', { name: 'irc-guests' }), 201) as { id: number };
    const everyone = [group(guests.id), user(aliceId)];
    await createCategory(admin, 'Open channels', { allowed: everyone, creators: everyone });
    const hidden = await createCategory(admin, 'Hidden', { allowed: [user(aliceId)] });
    await createRoom(admin, 'vault', hidden, { privacy: 'secret', members: [user(aliceId)] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('a guest registers under its nick, gets a guest account in the guest group, and no account tag', async () => {
    const g = await asGuest('wanderer', ['extended-join']);
    const welcome = await welcomed(g);
    assert.match(welcome, / 376 wanderer /);
    const { users } = expectStatus(await admin.get('/api/v1/users'), 200) as { users: { login: string; id: number }[] };
    const guest = users.find((u) => u.login === 'wanderer@guest.invalid');
    assert.ok(guest, 'the guest account exists');
    const { groups } = expectStatus(await admin.get('/api/v1/groups'), 200) as { groups: { name: string; members: { kind: string; id: number }[] }[] };
    assert.ok(groups.find((x) => x.name === 'irc-guests')?.members.some((m) => m.kind === 'user' && m.id === guest.id));
    g.send('JOIN #guestroom');
    const joined = await g.sync();
    // A guest has no profile: its real name is the one its USER gave.
    assert.ok(joined.some((l) => /^:wanderer!\S+ JOIN #guestroom \* :wanderer real$/.test(l)), joined.join('\n'));
  });

  it("a guest cannot take a real account's nick, nor one in use; registration waits for another NICK", async () => {
    const g = await asGuest('alice');
    await g.next((l) => / 433 \* alice :Nickname is registered to an account/.test(l));
    g.send('NICK alice_guest');
    assert.match(await welcomed(g), / 376 alice_guest /);
    const twin = await asGuest('alice_guest');
    await twin.next((l) => / 433 \* alice_guest :Nickname is already in use/.test(l));
  });

  it("a real account created later takes its nick back from a guest of that nick", async () => {
    const g = await asGuest('newcomer');
    await welcomed(g);
    g.close();
    await createUser(admin, 'newcomer@example.com');
    const again = await asGuest('newcomer');
    await again.next((l) => / 433 \* newcomer :Nickname is registered to an account/.test(l));
    const owner = open[open.push(await RawClient.register(port, 'newcomer@example.com', PASSWORD)) - 1] as RawClient;
    assert.match(owner.lines.find((l) => / 001 /.test(l)) ?? '', / 001 newcomer /);
  });

  it('a guest an administrator disabled is refused and closed', async () => {
    const g = await asGuest('troublemaker');
    await welcomed(g);
    g.close();
    const { users } = expectStatus(await admin.get('/api/v1/users'), 200) as { users: { login: string; id: number }[] };
    const guest = users.find((u) => u.login === 'troublemaker@guest.invalid');
    assert.ok(guest);
    expectStatus(await admin.patch(`/api/v1/users/${guest.id}`, { disabled: true }), 200);
    const again = await asGuest('troublemaker');
    await again.next((l) => / 464 \* :This guest nick was disabled by an administrator/.test(l));
    await again.waitClose();
  });

  it('a wrong PASS is refused, never turned into a guest', async () => {
    const c = await raw();
    c.send('PASS alice@example.com:wrong-password', 'NICK intruder', 'USER intruder 0 * :x');
    await c.next((l) => / 464 /.test(l));
    await c.waitClose();
  });

  it('JOIN of a missing channel creates an open room managed by the joiner; a secret name answers 403', async () => {
    const a = open[open.push(await RawClient.register(port, 'alice@example.com', PASSWORD)) - 1] as RawClient;
    a.send('JOIN #fresh_channel');
    const lines = await a.sync();
    assert.ok(lines.some((l) => / 353 alice = #fresh_channel :?@alice$/.test(l)), lines.join('\n'));
    const { rooms } = expectStatus(await admin.get('/api/v1/rooms?limit=100'), 200) as { rooms: { name: string; privacy: string; managers: { id: number }[] }[] };
    const made = rooms.find((room) => room.name === 'fresh channel');
    assert.equal(made?.privacy, 'open');
    assert.ok(made?.managers.some((m) => m.id === aliceId));
    const g = await asGuest('outsider');
    await welcomed(g);
    g.send('JOIN #vault');
    assert.ok((await g.sync()).some((l) => / 403 outsider #vault /.test(l)), 'the secret room stays unknown');
  });

  it('NICK changes the nick of every connection of the account and tells channel neighbours once', async () => {
    const a1 = open[open.push(await RawClient.register(port, 'alice@example.com', PASSWORD)) - 1] as RawClient;
    const a2 = open[open.push(await RawClient.register(port, 'alice@example.com', PASSWORD)) - 1] as RawClient;
    const g = await asGuest('watcher');
    await welcomed(g);
    for (const c of [a1, g]) c.send('JOIN #nicks', 'JOIN #nicks2');
    await a1.sync();
    await g.sync();
    const from = g.lines.length;
    a1.send('NICK ally');
    await a1.next((l) => /^:alice!\S+ NICK :?ally$/.test(l));
    await a2.next((l) => /^:alice!\S+ NICK :?ally$/.test(l));
    await g.sync();
    const seen = g.lines.slice(from);
    assert.equal(seen.filter((l) => / NICK :?ally$/.test(l)).length, 1, seen.join('\n'));
    g.send('NICK ally');
    assert.ok((await g.sync()).some((l) => / 433 watcher ally /.test(l)), 'in use by alice');
    g.send('NICK alice');
    assert.ok((await g.sync()).some((l) => / 433 watcher alice /.test(l)), "alice's own nick stays reserved");
    g.send('WHOIS ally');
    assert.ok((await g.sync()).some((l) => / 311 watcher ally /.test(l)), 'WHOIS finds the new nick');
    // PASS <password> with the account's own nick still signs in while the account shows another nick.
    const a3 = await raw();
    a3.send(`PASS ${PASSWORD}`, 'NICK alice', 'USER alice 0 * :alice');
    assert.match(await welcomed(a3), / 376 ally /, 'signed in, with the nick the account shows');
  });
});
