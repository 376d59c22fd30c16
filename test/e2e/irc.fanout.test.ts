import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';

/** A bound on waiting for replies, generous for a loaded machine (nothing here measures time). */
const WAIT_MS = 30_000;
const POSTERS = 4;
/** Each round, every poster sends this many lines at once (pipelined), then waits for them to be stored. */
const LINES_PER_ROUND = 4;
const ROUNDS = 15;

/**
 * A commit's posts reach each IRC connection as one batch (Hub.routePosts, irc/events.ts
 * deliverPosts): most recipients write one shared rendering of the batch, the others slices of
 * it around what they must not see as others' lines. Several posters send pipelined bursts at
 * once, round after round, so commits carry posts of several of them; every kind of recipient
 * must still see exactly the right lines, each once, in the room's order.
 *
 * Rounds rather than one long burst each: a fast machine reads a poster's whole burst in one go
 * and may store it before the next poster's, and then no commit would hold two posters' lines.
 * A round is stored before the next one starts, so the room's order alternates between posters
 * whatever the machine's speed.
 */
describe('IRC: posts committed together reach every kind of recipient exactly once, in order', () => {
  let server: TestServer;
  let port: number;
  const open: RawClient[] = [];
  const track = (c: RawClient): RawClient => (open.push(c), c);
  const logins = Array.from({ length: POSTERS }, (_, i) => `poster${i}@example.com`);
  let roomId = 0;
  let readerApi: Api;

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test', 'irc.floodControl': false });
    port = server.irc[0]?.port ?? 0;
    const admin = await adminApi(server.url);
    const people = [];
    for (const login of [...logins, 'reader@example.com', 'tagged@example.com']) people.push(await createUser(admin, login));
    readerApi = (people[POSTERS] as { api: Api }).api;
    const cat = await createCategory(admin, 'Everyone', { allowed: people.map((p) => user(p.id)) });
    roomId = await createRoom(admin, 'busy', cat, { privacy: 'open' });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  /** PRIVMSG lines received, as "nick text" (tags and the rest of the source left out). */
  const posts = (lines: readonly string[]): string[] =>
    lines
      .map((l) => /^(?:@\S+ )?:([^!\s]+)\S* PRIVMSG #busy :(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} ${m[2]}`);

  it('the plain reader, a reader with tags, posters with and without echo-message', async () => {
    const reader = track(await RawClient.register(port, 'reader@example.com', PASSWORD));
    const tagged = track(await RawClient.register(port, 'tagged@example.com', PASSWORD, ['message-tags', 'server-time']));
    // Half the posters take echo-message: their own lines come back in their place.
    const posters = await Promise.all(logins.map((login, i) => RawClient.register(port, login, PASSWORD, i % 2 === 0 ? ['echo-message'] : []).then(track)));
    for (const c of [reader, tagged, ...posters]) c.send('JOIN #busy');
    for (const c of [reader, tagged, ...posters]) await c.sync(WAIT_MS);
    const marks = [reader, tagged, ...posters].map((c) => c.lines.length);

    // Round after round, every poster sends its lines at once, pipelined: the group commit mixes them.
    for (let round = 0; round < ROUNDS; round++) {
      posters.forEach((c, p) =>
        c.send(...Array.from({ length: LINES_PER_ROUND }, (_, i) => `PRIVMSG #busy :p${p} line ${round * LINES_PER_ROUND + i}`)),
      );
      // A PONG means every line before it is answered, its post durable.
      await Promise.all(posters.map((c) => c.sync(WAIT_MS)));
    }

    // The room's order, as stored, and who posted each.
    const page = expectStatus(await readerApi.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200);
    const stored: string[] = page.messages.map((m: { text: string }) => m.text);
    assert.equal(stored.length, POSTERS * LINES_PER_ROUND * ROUNDS);
    const nickOf = (text: string) => `poster${text.slice(1, text.indexOf(' '))}`;
    const expected = stored.map((text) => `${nickOf(text)} ${text}`);

    // The last poster's PONG came after every post was stored; the readers' PINGs queue behind what was delivered.
    await reader.sync(WAIT_MS);
    await tagged.sync(WAIT_MS);
    assert.deepEqual(posts(reader.lines.slice(marks[0])), expected, 'the plain reader sees every post once, in order');
    const taggedLines = tagged.lines.slice(marks[1]).filter((l) => l.includes(' PRIVMSG #busy '));
    assert.deepEqual(posts(taggedLines), expected, 'the reader with tags sees the same posts');
    assert.ok(taggedLines.every((l) => /^@(?=\S*msgid=)(?=\S*time=)\S+ /.test(l)), 'each with its msgid and time');
    for (const [p, c] of posters.entries()) {
      await c.sync(WAIT_MS);
      const nick = `poster${p}`;
      const seen = posts(c.lines.slice(marks[2 + p]));
      const own = (l: string) => l.startsWith(`${nick} `);
      assert.deepEqual(seen.filter((l) => !own(l)), expected.filter((l) => !own(l)), `${nick} sees the others' posts once, in order`);
      // An echo goes out with its command's reply, in the order the poster sent its lines.
      assert.deepEqual(seen.filter(own), p % 2 === 0 ? expected.filter(own) : [], `${nick} sees its own posts ${p % 2 === 0 ? 'echoed, once each' : 'not at all (no echo-message)'}`);
    }
  });
});
