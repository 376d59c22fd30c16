import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

interface StoredMessage {
  seq: number;
  kind: string;
  text: string;
}

/** Messages and replies as classes: NOTICE, PART/QUIT reasons, client tags and TAGMSG, labels, 417. */
describe('IRC messages and replies', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let alice: { id: number; api: Api };
  let room = 0;
  const open: RawClient[] = [];
  const connect = async (login: string, caps: string[] = []) => {
    const c = await RawClient.register(port, login, PASSWORD, caps);
    open.push(c);
    return c;
  };
  const history = async (): Promise<StoredMessage[]> => (expectStatus(await alice.api.get(`/api/v1/rooms/${room}/messages`), 200) as { messages: StoredMessage[] }).messages;
  /** Joins #lobby and waits for the end of its NAMES. */
  const join = async (c: RawClient, channel = '#lobby') => {
    const from = c.lines.length;
    c.send(`JOIN ${channel}`);
    await c.next((l) => / 366 /.test(l), 5000, from);
    await c.sync();
  };
  const after_ = (c: RawClient) => c.lines.length;

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com');
    const others = await Promise.all(['bob@example.com', 'carol@example.com', 'dave@example.com'].map((login) => createUser(admin, login)));
    const cat = await createCategory(admin, 'Talk', { allowed: [user(alice.id), ...others.map((o) => user(o.id))] });
    room = await createRoom(admin, 'lobby', cat, { privacy: 'open' });
    await createRoom(admin, 'side', cat, { privacy: 'open' });
  });
  // Each test starts with nobody connected: a connection left over would keep its user present.
  afterEach(async () => {
    const left = open.splice(0);
    for (const c of left) c.close();
    await Promise.all(left.map((c) => c.waitClose()));
  });
  after(() => server.stop());

  it('NOTICE is stored as a notice, relayed and echoed as NOTICE, replayed as NOTICE, and never answered', async () => {
    const a = await connect('alice@example.com', ['echo-message', 'labeled-response', 'batch']);
    const b = await connect('bob@example.com');
    await join(a);
    await join(b);
    const fromA = after_(a);
    const fromB = after_(b);
    a.send('@label=n1 NOTICE #lobby :the build is green');
    assert.match(await a.next((l) => l.includes('the build is green'), 5000, fromA), /^@label=n1 :alice!\S+ NOTICE #lobby :the build is green$/);
    assert.match(await b.next((l) => l.includes('the build is green'), 5000, fromB), /^:alice!\S+ NOTICE #lobby :the build is green$/);
    const stored = (await history()).find((m) => m.text === 'the build is green');
    assert.equal(stored?.kind, 'notice');
    // Replayed on JOIN (no chathistory) as a NOTICE, like any other history.
    const c = await connect('carol@example.com');
    const fromC = after_(c);
    c.send('JOIN #lobby');
    assert.match(await c.next((l) => l.includes('the build is green'), 5000, fromC), /:alice!\S+ NOTICE #lobby :\[\d{4}-\d\d-\d\d \d\d:\d\d UTC\] the build is green$/);
    // No reply of any kind to a NOTICE, even one that fails.
    const quiet = after_(a);
    a.send('NOTICE #nowhere :anyone?', 'NOTICE nobody-here :hello?');
    const answered = (await a.sync()).filter((l) => !l.includes('PONG'));
    assert.deepEqual(answered, [], a.lines.slice(quiet).join('\n'));
  });

  it('CHATHISTORY shows a notice as NOTICE; the web sees kind "notice" when one is posted through the API', async () => {
    expectStatus(await alice.api.post(`/api/v1/rooms/${room}/messages`, { text: 'posted as a notice', kind: 'notice' }), 201);
    const a = await connect('alice@example.com', ['batch', 'server-time', 'draft/chathistory']);
    await join(a);
    const from = after_(a);
    a.send('CHATHISTORY LATEST #lobby * 10');
    assert.match(await a.next((l) => l.includes('posted as a notice'), 5000, from), /:alice!\S+ NOTICE #lobby :posted as a notice$/);
    assert.equal((await history()).find((m) => m.text === 'posted as a notice')?.kind, 'notice');
  });

  it('PART carries its reason to the others in the channel', async () => {
    const a = await connect('alice@example.com');
    const b = await connect('bob@example.com');
    await join(a);
    await join(b);
    const from = after_(b);
    a.send('PART #lobby :off to lunch');
    assert.match(await b.next((l) => / PART /.test(l), 5000, from), /^:alice!\S+ PART #lobby :off to lunch$/);
  });

  it('QUIT reaches each connection sharing a channel once, with its reason; a bouncer connection left keeps the user present', async () => {
    const d1 = await connect('dave@example.com');
    const d2 = await connect('dave@example.com');
    const b = await connect('bob@example.com');
    const c = await connect('carol@example.com');
    for (const x of [d1, d2, b]) {
      await join(x);
      await join(x, '#side');
    }
    await join(c, '#side');
    // One of dave's two connections goes: dave is still in both channels, nobody sees anything.
    let fromB = after_(b);
    d2.send('QUIT :switching laptops');
    await d2.waitClose();
    await b.sync();
    assert.deepEqual(b.lines.slice(fromB).filter((l) => /dave/.test(l)), []);
    // The last one goes: one QUIT each for bob (two channels shared) and carol, and no PART.
    fromB = after_(b);
    const fromC = after_(c);
    d1.send('QUIT :gone home');
    await d1.waitClose();
    assert.match(await b.next((l) => / QUIT /.test(l), 5000, fromB), /^:dave!\S+ QUIT :Quit: gone home$/);
    assert.match(await c.next((l) => / QUIT /.test(l), 5000, fromC), /^:dave!\S+ QUIT :Quit: gone home$/);
    await b.sync();
    await c.sync();
    const seen = [...b.lines.slice(fromB), ...c.lines.slice(fromC)].filter((l) => l.startsWith(':dave!'));
    assert.equal(seen.length, 2, seen.join('\n'));
  });

  it('client-only tags go with a PRIVMSG to the recipients that took message-tags, with its msgid', async () => {
    const a = await connect('alice@example.com', ['message-tags', 'echo-message']);
    const b = await connect('bob@example.com', ['message-tags']);
    const c = await connect('carol@example.com', ['server-time']);
    for (const x of [a, b, c]) await join(x);
    const [fa, fb, fc] = [a, b, c].map(after_) as [number, number, number];
    a.send('@+example/reply=1-1;fizz=buzz PRIVMSG #lobby :tagged hello');
    const echo = await a.next((l) => l.includes('tagged hello'), 5000, fa);
    const relayed = await b.next((l) => l.includes('tagged hello'), 5000, fb);
    const plain = await c.next((l) => l.includes('tagged hello'), 5000, fc);
    for (const line of [echo, relayed]) {
      assert.match(line, /^@\S*\+example\/reply=1-1/);
      assert.match(line, /msgid=\d+-\d+/);
      assert.doesNotMatch(line, /fizz/);
    }
    assert.equal(/msgid=([^; ]+)/.exec(echo)?.[1], /msgid=([^; ]+)/.exec(relayed)?.[1]);
    assert.doesNotMatch(plain, /example\/reply/);
  });

  it('TAGMSG is relayed to message-tags recipients only, echoed with echo-message, and not stored', async () => {
    const before_ = (await history()).length;
    const a = await connect('alice@example.com', ['message-tags', 'echo-message', 'labeled-response']);
    const b = await connect('bob@example.com', ['message-tags']);
    const c = await connect('carol@example.com', ['server-time']);
    for (const x of [a, b, c]) await join(x);
    const [fa, fb, fc] = [a, b, c].map(after_) as [number, number, number];
    a.send('@label=t1;+draft/react=\\:ok;cat=dog TAGMSG #lobby');
    const echo = await a.next((l) => / TAGMSG /.test(l), 5000, fa);
    const relayed = await b.next((l) => / TAGMSG /.test(l), 5000, fb);
    assert.match(echo, /^@\S*label=t1/);
    assert.match(relayed, /^@\S*\+draft\/react=\\:ok\S* :alice!\S+ TAGMSG #lobby$/);
    assert.doesNotMatch(relayed, /label=|cat=/);
    assert.equal(/msgid=([^; ]+)/.exec(echo)?.[1], /msgid=([^; ]+)/.exec(relayed)?.[1]);
    await c.sync();
    assert.deepEqual(c.lines.slice(fc).filter((l) => /TAGMSG/.test(l)), []);
    assert.equal((await history()).length, before_);
    // Without echo-message, a labeled TAGMSG is acknowledged.
    const q = await connect('bob@example.com', ['message-tags', 'labeled-response']);
    await join(q);
    const fq = after_(q);
    q.send('@label=t2;+typing=active TAGMSG #lobby');
    assert.match(await q.next((l) => /label=t2/.test(l), 5000, fq), /^@label=t2 :irc\.test ACK$/);
  });

  it('every reply is labeled, errors included; batch references are letters and digits', async () => {
    const a = await connect('alice@example.com', ['labeled-response', 'batch']);
    let from = after_(a);
    a.send('@label=u1 NONEXISTENT_COMMAND', '@label=u2 FROBNICATE x', '@label=u3 PRIVMSG #nowhere :hi');
    assert.match(await a.next((l) => /label=u1/.test(l), 5000, from), /^@label=u1 :irc\.test 421 alice NONEXISTENT_COMMAND /);
    assert.match(await a.next((l) => /label=u2/.test(l), 5000, from), /^@label=u2 :irc\.test 421 alice FROBNICATE :Unknown command$/);
    assert.match(await a.next((l) => /label=u3/.test(l), 5000, from), /^@label=u3 :irc\.test 403 alice #nowhere /);
    from = after_(a);
    a.send('@label=u4 JOIN #lobby');
    const start = await a.next((l) => /label=u4/.test(l), 5000, from);
    assert.match(start, /^@label=u4 :irc\.test BATCH \+[A-Za-z0-9]+ labeled-response$/);
    // One reference proves little about a random one: thirty more labeled multi-line replies, and
    // every batch reference the connection was sent, are letters and digits.
    from = after_(a);
    a.send(...Array.from({ length: 30 }, (_, i) => `@label=n${i} NAMES #lobby`));
    await a.sync();
    assert.equal(a.lines.slice(from).filter((l) => /^@label=n\d+ :irc\.test BATCH \+\S+ labeled-response$/.test(l)).length, 30, a.lines.slice(from).join('\n'));
    const refs = a.lines.map((l) => / BATCH [+-](\S+)/.exec(l)?.[1]).filter((ref) => ref !== undefined);
    assert.ok(refs.length >= 62, `every batch opened and closed: ${refs.length}`);
    for (const ref of refs) assert.match(ref, /^[A-Za-z0-9]+$/);
  });

  it('417 for tag data over 4094 bytes and for a PRIVMSG that would not fit one line once relayed; FAIL … INVALID_UTF8 names the command', async () => {
    const a = await connect('alice@example.com', ['message-tags', 'labeled-response']);
    const b = await connect('bob@example.com', ['message-tags']);
    await join(a);
    await join(b);
    const fb = after_(b);
    let from = after_(a);
    // "@" + 4094 bytes of tag data + " ": the most a client may send.
    const atLimit = `@+big=${'a'.repeat(4094 - 5)} TAGMSG #lobby`;
    a.send(atLimit, `@+big=${'a'.repeat(4094 - 4)} TAGMSG #lobby`, `@label=l1;+big=${'a'.repeat(4100)} PRIVMSG #lobby :hi`);
    assert.match(await a.next((l) => / 417 /.test(l), 5000, from), /^:irc\.test 417 alice :Input line was too long$/);
    assert.match(await a.next((l) => /label=l1/.test(l), 5000, from), / 417 alice /);
    assert.match(await b.next((l) => / TAGMSG /.test(l), 5000, fb), new RegExp(`\\+big=a{${4094 - 5}};`));
    // 510 bytes sent, which the sender's nick!user@host would push past the limit when relayed.
    from = after_(a);
    const text = 'b'.repeat(510 - 'PRIVMSG #lobby :'.length);
    a.send(`PRIVMSG #lobby :${text}`);
    assert.match(await a.next((l) => / 417 /.test(l), 5000, from), / 417 alice :Your message would not fit one line once relayed/);
    await b.sync();
    assert.deepEqual(b.lines.slice(fb).filter((l) => /PRIVMSG/.test(l)), []);
    // Bytes that are not UTF-8: the standard reply, [command, code, description].
    from = after_(a);
    a.socket.write(Buffer.concat([Buffer.from('PRIVMSG #lobby :caf'), Buffer.from([0xe9]), Buffer.from('\r\n')]));
    assert.match(await a.next((l) => / FAIL /.test(l), 5000, from), /^:irc\.test FAIL PRIVMSG INVALID_UTF8 :text: The text is not valid UTF-8/);
  });

  it('a private message to someone away answers RPL_AWAY', async () => {
    const a = await connect('alice@example.com');
    const c = await connect('carol@example.com');
    c.send('AWAY :in a meeting');
    await c.next((l) => / 306 /.test(l));
    const from = after_(a);
    a.send('PRIVMSG carol :are you there?');
    assert.match(await a.next((l) => / 301 /.test(l), 5000, from), /^:irc\.test 301 alice carol :in a meeting$/);
    c.send('AWAY');
    await c.next((l) => / 305 /.test(l));
    const quiet = after_(a);
    a.send('PRIVMSG carol :back?');
    await a.sync();
    assert.deepEqual(a.lines.slice(quiet).filter((l) => / 301 /.test(l)), []);
  });
});
