import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

/** A bound on waiting for replies, generous for a loaded machine (nothing here measures time). */
const WAIT_MS = 30_000;
/** The app's refusal of a post by a non-presenter in an auditorium (not the +n check's). */
const PRESENTERS_ONLY = 'Only presenters may post in an auditorium.';

/**
 * A connection's posts to a channel start before the lines ahead of them are answered (so they
 * may share group commits; that sharing is not observed here). What must still hold, and is
 * tested: posts are stored in the order they were sent, every reply comes in line order, and a
 * PONG comes only once every line before it is done (stored).
 */
describe('IRC: pipelined posts of one connection keep their order; a PONG follows them once stored', () => {
  let server: TestServer;
  let port: number;
  let alice: { id: number; api: Api };
  const rooms: Record<string, number> = {};
  const open: RawClient[] = [];
  const track = (c: RawClient): RawClient => (open.push(c), c);

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test', 'irc.floodControl': false });
    port = server.irc[0]?.port ?? 0;
    const admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com');
    const bob = await createUser(admin, 'bob@example.com');
    const cat = await createCategory(admin, 'Engineering', { allowed: [user(alice.id), user(bob.id)] });
    rooms.plan = await createRoom(admin, 'release planning', cat, { members: [user(alice.id)] });
    rooms.hall = await createRoom(admin, 'Town Hall', cat, { type: 'auditorium', members: [user(alice.id), user(bob.id)], presenters: [user(bob.id)] });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  const texts = async (roomId: number): Promise<string[]> => {
    const page = expectStatus(await alice.api.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200);
    return page.messages.map((m: { text: string }) => m.text);
  };

  it('stores a burst of posts in order, durable before the PONG that follows them', async () => {
    const c = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    c.send('JOIN #release_planning');
    await c.sync(WAIT_MS);
    const burst = Array.from({ length: 120 }, (_, i) => `burst ${i}`);
    c.send(...burst.map((t) => `PRIVMSG #release_planning :${t}`));
    await c.sync(WAIT_MS);
    // Read right after the PONG: every post before it is already stored, in the order sent.
    assert.deepEqual((await texts(rooms.plan as number)).filter((t) => t.startsWith('burst ')), burst);
  });

  it('answers refused posts, echoes and labels in line order, and only then the PONG', async () => {
    const c = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['echo-message', 'labeled-response', 'batch']));
    // Alice joins the auditorium too, so her posts there pass the channel's +n check and reach
    // the app, which refuses them because she is not a presenter.
    c.send('JOIN #release_planning,#Town_Hall');
    await c.sync(WAIT_MS);
    const lines: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i % 7 === 3) {
        // Refused in the app (only presenters post in an auditorium): 404, between the echoes.
        lines.push(`@label=r${i} PRIVMSG #Town_Hall :not a presenter ${i}`);
        expected.push(`r${i} 404 ${PRESENTERS_ONLY}`);
      } else if (i % 11 === 5) {
        // No such channel: refused before any post.
        lines.push(`@label=m${i} PRIVMSG #no_such_room :nobody ${i}`);
        expected.push(`m${i} 403`);
      } else {
        lines.push(`@label=p${i} PRIVMSG #release_planning :ordered ${i}`);
        expected.push(`p${i} PRIVMSG ordered ${i}`);
      }
    }
    c.send(...lines, '@label=x PING done');
    await c.next((l) => l.startsWith('@label=x ') && l.includes(' PONG '), WAIT_MS);
    // "<label> <numeric>" ("<label> 404 <text>" for the auditorium's refusal), "<label> PRIVMSG
    // <text>" (the echo), "x PONG", in the order received.
    const answers = c.lines.flatMap((l) => {
      const label = /^@label=(\w+) /.exec(l)?.[1];
      if (label === undefined) return [];
      const command = l.split(' ')[2];
      if (command === 'PRIVMSG') return [`${label} PRIVMSG ${l.slice(l.indexOf(' :', l.indexOf(' PRIVMSG ')) + 2)}`];
      if (command === '404') return [`${label} 404 ${l.slice(l.indexOf(' :', l.indexOf(' 404 ')) + 2)}`];
      return [`${label} ${command}`];
    });
    assert.deepEqual(answers, [...expected, 'x PONG'], c.lines.join('\n'));
    const stored = (await texts(rooms.plan as number)).filter((t) => t.startsWith('ordered '));
    assert.deepEqual(stored, expected.filter((e) => e.includes(' PRIVMSG ')).map((e) => e.slice(e.indexOf('ordered '))));
  });

  it('runs a command after posts only once they are done: the PART comes after the last post', async () => {
    const c = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['echo-message']));
    c.send('JOIN #release_planning');
    await c.sync(WAIT_MS);
    c.send('PRIVMSG #release_planning :before part 1', 'PRIVMSG #release_planning :before part 2', 'PART #release_planning :bye');
    const out = await c.sync(WAIT_MS);
    const at = (pattern: RegExp) => out.findIndex((l) => pattern.test(l));
    assert.ok(at(/PRIVMSG #release_planning :before part 1$/) >= 0, out.join('\n'));
    assert.ok(at(/PRIVMSG #release_planning :before part 1$/) < at(/PRIVMSG #release_planning :before part 2$/), out.join('\n'));
    assert.ok(at(/PRIVMSG #release_planning :before part 2$/) < at(/ PART #release_planning/), out.join('\n'));
    assert.deepEqual((await texts(rooms.plan as number)).slice(-2), ['before part 1', 'before part 2']);
  });
});
