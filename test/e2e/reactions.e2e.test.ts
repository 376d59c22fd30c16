import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deskScenario, PASSWORD } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

const msgidOf = (line: string): string => /(?:^@|;)msgid=([^; ]+)/.exec(line)?.[1] ?? '';
const tagsOf = (line: string): Record<string, string> =>
  Object.fromEntries(
    (/^@(\S+) /.exec(line)?.[1] ?? '')
      .split(';')
      .filter(Boolean)
      .map((t) => {
        const i = t.indexOf('=');
        return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)];
      }),
  );

/** Emoji reactions over real sockets: HTTP, WebSocket, and IRC with and without message-tags. */
describe('emoji reactions through every door', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  let eve: { id: number; api: Api };
  let roomId: number;
  let secretId: number;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    ({ admin, alice, bob, carol, eve, roomId, secretId } = await deskScenario(server.url));
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  const say = async (api: Api, text: string, room = roomId) => expectStatus(await api.post(`/api/v1/rooms/${room}/messages`, { text }), 201).message;
  const reactionPath = (seq: number, emoji: string, room = roomId) => `/api/v1/rooms/${room}/messages/${seq}/reactions/${encodeURIComponent(emoji)}`;

  it('HTTP and WebSocket: add, repeat, take back; everyone joined gets the new set live; history and compliance carry it', async () => {
    const watcher = track(await WsClient.connect(server.url, carol.api.token));
    await watcher.next((f) => f.type === 'ready');
    await watcher.call({ type: 'join', roomId });
    const m = await say(alice.api, 'ship it?');
    const plain = await say(alice.api, 'nobody reacts to this');
    assert.deepEqual(m.reactions, [], 'a message has reactions: [] until someone reacts');

    const added = expectStatus(await bob.api.request('PUT', reactionPath(m.seq, '👍')), 200);
    const thumbs = { emoji: '👍', count: 1, users: [{ id: bob.id, name: 'Bob B' }] };
    assert.deepEqual(added, { roomId, seq: m.seq, messageId: m.id, reactions: [thumbs], changed: true });
    const live = await watcher.next((f) => f.type === 'message.reactions');
    assert.deepEqual(live, { type: 'message.reactions', roomId, seq: m.seq, messageId: m.id, reactions: [thumbs], change: { user: { id: bob.id, name: 'Bob B' }, emoji: '👍', added: true } });
    assert.equal(expectStatus(await bob.api.request('PUT', reactionPath(m.seq, '👍')), 200).changed, false, 'a repeat changes nothing (and tells nobody)');

    // The WebSocket commands do the same, and answer with the message's set.
    const reactor = track(await WsClient.connect(server.url, alice.api.token));
    await reactor.next((f) => f.type === 'ready');
    const wsAdd = await reactor.call({ type: 'react', roomId, seq: m.seq, emoji: '🎉' });
    assert.equal(wsAdd.type, 'reactions', JSON.stringify(wsAdd));
    assert.deepEqual(wsAdd.reactions.map((r: any) => [r.emoji, r.count]), [['👍', 1], ['🎉', 1]]);
    const secondLive = await watcher.next((f) => f.type === 'message.reactions');
    assert.deepEqual([secondLive.change.emoji, secondLive.change.user.id, secondLive.reactions.length], ['🎉', alice.id, 2], 'the repeat sent no frame: the next one is this');
    const wsBad = await reactor.call({ type: 'react', roomId, seq: m.seq, emoji: 'thumbs up' });
    assert.deepEqual([wsBad.type, wsBad.code, wsBad.field], ['error', 'invalid_input', 'emoji']);
    assert.equal((await reactor.call({ type: 'unreact', roomId, seq: m.seq, emoji: '🎉' })).changed, true);
    assert.equal((await watcher.next((f) => f.type === 'message.reactions')).change.added, false);

    const history = expectStatus(await carol.api.get(`/api/v1/rooms/${roomId}/messages`), 200).messages;
    assert.deepEqual(history.find((x: any) => x.seq === m.seq)?.reactions, [thumbs]);
    assert.deepEqual(history.find((x: any) => x.seq === plain.seq)?.reactions, []);

    const removed = expectStatus(await bob.api.delete(reactionPath(m.seq, '👍')), 200);
    assert.deepEqual([removed.changed, removed.reactions], [true, []]);
    assert.deepEqual((await watcher.next((f) => f.type === 'message.reactions')).reactions, []);

    const records = async (type: string) => expectStatus(await admin.get(`/api/v1/compliance?type=${type}&roomId=${roomId}`), 200).events.map((e: any) => [e.userId, e.data.emoji, e.data.seq]);
    assert.deepEqual(await records('REACT'), [[bob.id, '👍', m.seq], [alice.id, '🎉', m.seq]]);
    assert.deepEqual(await records('UNREACT'), [[alice.id, '🎉', m.seq], [bob.id, '👍', m.seq]]);
    watcher.close();
    reactor.close();
  });

  it('HTTP refusals: outsiders get room_not_found, bad emoji the rule, unknown messages not_found; the route is in the OpenAPI document', async () => {
    const hidden = await say(alice.api, 'a secret', secretId);
    assert.equal(expectStatus(await eve.api.request('PUT', reactionPath(hidden.seq, '👀', secretId)), 404).error.code, 'room_not_found');
    assert.equal(expectStatus(await bob.api.request('PUT', reactionPath(hidden.seq, '👀', secretId)), 404).error.code, 'room_not_found');
    const bad = expectStatus(await alice.api.request('PUT', reactionPath(hidden.seq, 'yes!', secretId)), 400).error;
    assert.deepEqual([bad.code, bad.field], ['invalid_input', 'emoji']);
    assert.match(bad.message, /one Unicode emoji/);
    assert.equal(expectStatus(await alice.api.request('PUT', reactionPath(9_999, '👀', secretId)), 404).error.code, 'not_found');
    const kiss = '👨🏻‍❤️‍💋‍👨🏼'; // 105 characters URL-encoded: past the router's default parameter length
    assert.equal(expectStatus(await alice.api.request('PUT', reactionPath(hidden.seq, kiss, secretId)), 200).reactions[0].emoji, kiss);
    const document = expectStatus(await alice.api.get('/api/openapi.json'), 200);
    const path = document.paths['/api/v1/rooms/{roomId}/messages/{seq}/reactions/{emoji}'];
    assert.ok(path?.put && path?.delete, 'PUT and DELETE are described');
  });

  it('IRC: +draft/react on a TAGMSG stores a reaction; clients with message-tags see every reaction live, others nothing', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['message-tags', 'echo-message', 'labeled-response']));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['message-tags', 'account-tag']));
    const c = track(await RawClient.register(port, 'carol@example.com', PASSWORD, []));
    for (const client of [a, b, c]) {
      client.send('JOIN #desk');
      await client.next((l) => / 366 /.test(l));
    }
    a.send('PRIVMSG #desk :which logo?');
    const msgid = msgidOf(await a.next((l) => l.includes('PRIVMSG #desk :which logo?')));
    await c.next((l) => l.includes('which logo?'));
    const [id, seq] = msgid.split('-').map(Number) as [number, number];
    const fromC = c.lines.length;

    a.send(`@label=r1;+draft/react=👍;+draft/reply=${msgid} TAGMSG #desk`);
    const echo = await a.next((l) => l.includes(' TAGMSG #desk'));
    assert.deepEqual([tagsOf(echo).label, tagsOf(echo)['+draft/react'], tagsOf(echo)['+draft/reply']], ['r1', '👍', msgid], 'the echo carries the label');
    const seen = await b.next((l) => l.includes(' TAGMSG #desk'));
    assert.deepEqual([tagsOf(seen)['+draft/react'], tagsOf(seen)['+draft/reply'], tagsOf(seen).account, tagsOf(seen).label], ['👍', msgid, 'alice', undefined]);
    assert.match(seen, new RegExp(` :alice!u${alice.id}@irc\\.test TAGMSG #desk$`));
    const stored = async () => expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages?after=${seq - 1}&limit=1`), 200).messages[0];
    assert.equal((await stored()).id, id);
    assert.deepEqual((await stored()).reactions.map((r: any) => [r.emoji, r.users.map((u: any) => u.id)]), [['👍', [alice.id]]]);

    // A reaction from the web reaches IRC as a TAGMSG from its author.
    const fromA = a.lines.length;
    expectStatus(await bob.api.request('PUT', reactionPath(seq, '🎉')), 200);
    const web = await a.next((l) => l.includes('+draft/react=🎉'), 5000, fromA);
    assert.match(web, new RegExp(`\\+draft/reply=${msgid}.* :bob!u${bob.id}@irc\\.test TAGMSG #desk$`));

    // Taking back, and a TAGMSG that is not a reaction pchat stores (not an emoji): relayed as before, not stored.
    const fromB = b.lines.length;
    a.send(`@+draft/unreact=👍;+draft/reply=${msgid} TAGMSG #desk`);
    assert.equal(tagsOf(await b.next((l) => l.includes('+draft/unreact='), 5000, fromB))['+draft/unreact'], '👍');
    a.send(`@+draft/react=l😃l;+draft/reply=${msgid} TAGMSG #desk`);
    await b.next((l) => l.includes('+draft/react=l😃l'), 5000, fromB);
    assert.deepEqual((await stored()).reactions.map((r: any) => r.emoji), ['🎉']);

    // A refusal is reported to the sender only.
    a.send(`@+draft/react=👍;+draft/reply=${id}-9999 TAGMSG #desk`);
    assert.match(await a.next((l) => l.includes(' FAIL TAGMSG ')), /FAIL TAGMSG INVALID_PARAMS #desk :No such message\.$/);

    const quiet = (await c.sync()).concat(c.lines.slice(fromC));
    assert.ok(!quiet.some((l) => l.includes('TAGMSG')), `nothing for a client without message-tags: ${quiet.join(' | ')}`);
  });
});
