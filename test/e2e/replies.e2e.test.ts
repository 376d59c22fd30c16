import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import { quoteOf } from '../../src/core/replies.js';
import { chatText } from '../../src/protocols/sip/xccos/present.js';
import { deskScenario, PASSWORD } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

const msgidOf = (line: string): string => /(?:^@|;)msgid=([^; ]+)/.exec(line)?.[1] ?? '';

/** Replies over real sockets: posted over HTTP, WebSocket and IRC (+draft/reply), shown with their parent everywhere. */
describe('replies through every door', () => {
  let server: TestServer;
  let port: number;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let eve: { id: number; api: Api };
  let roomId: number;
  let secretId: number;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);
  const messages = `/api/v1/rooms`;

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    ({ alice, bob, eve, roomId, secretId } = await deskScenario(server.url));
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  const say = async (api: Api, body: Record<string, unknown>, room = roomId) => expectStatus(await api.post(`${messages}/${room}/messages`, body), 201).message;

  it('posts a reply over HTTP and WebSocket; history, search and the live event show its parent and the count', async () => {
    const watcher = track(await WsClient.connect(server.url, alice.api.token));
    await watcher.next((f) => f.type === 'ready');
    await watcher.call({ type: 'join', roomId });

    const parent = await say(alice.api, { text: 'who reviews the quarterly zebra report?' });
    assert.deepEqual([parent.replyTo, parent.replyCount], [null, 0]);
    const reply = await say(bob.api, { text: 'I will take it', replyTo: parent.seq });
    const expected = { seq: parent.seq, authorId: alice.id, authorName: 'Alice A', excerpt: 'who reviews the quarterly zebra report?' };
    assert.deepEqual(reply.replyTo, expected);
    const live = await watcher.next((f) => f.type === 'message' && f.message.seq === reply.seq);
    assert.deepEqual(live.message.replyTo, expected, 'the live event carries the parent');

    // Over the WebSocket too.
    const ack = await watcher.call({ type: 'post', roomId, text: 'thanks Bob', replyTo: parent.seq, clientId: 'ws-reply-1' });
    assert.equal(ack.type, 'ack');
    const history = expectStatus(await bob.api.get(`${messages}/${roomId}/messages`), 200).messages as any[];
    assert.equal(history.find((m) => m.seq === parent.seq)?.replyCount, 2);
    assert.deepEqual(
      history.filter((m) => m.replyTo).map((m) => [m.text, m.replyTo.seq]),
      [['I will take it', parent.seq], ['thanks Bob', parent.seq]],
    );
    const hits = expectStatus(await bob.api.get('/api/v1/search?q=take'), 200).hits as any[];
    assert.deepEqual(hits.map((h) => h.message.replyTo?.seq), [parent.seq], 'search results are replies with their parent');
  });

  it('refuses a reply to a message that is not in the room, naming the field; an outsider learns nothing', async () => {
    const bad = expectStatus(await bob.api.post(`${messages}/${roomId}/messages`, { text: 'to nothing', replyTo: 9_999 }), 400);
    assert.equal(bad.error.field, 'replyTo');
    assert.match(bad.error.message, /no message 9999 in this room/);
    assert.equal(expectStatus(await bob.api.post(`${messages}/${roomId}/messages`, { text: 'x', replyTo: 'first' }), 400).error.field, 'replyTo');
    assert.equal(expectStatus(await bob.api.post(`${messages}/${roomId}/messages`, { text: 'x', replyTo: 0 }), 400).error.field, 'replyTo');
    // A secret room's message by seq: the room does not exist for Eve, whatever the seq.
    const hidden = await say(alice.api, { text: 'a secret' }, secretId);
    assert.equal(expectStatus(await eve.api.post(`${messages}/${secretId}/messages`, { text: 'x', replyTo: hidden.seq }), 404).error.code, 'room_not_found');
  });

  it('IRC: a reply from elsewhere reads with a one-line quote of its parent; +draft/reply from a client posts a reply, relayed as written', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['message-tags', 'echo-message']));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD));
    for (const client of [a, b]) {
      client.send('JOIN #desk');
      await client.next((l) => / 366 /.test(l));
    }
    a.send('PRIVMSG #desk :the deploy window is Thursday at six in the evening, after the freeze ends');
    const echo = await a.next((l) => l.includes('PRIVMSG #desk :the deploy window'));
    const parentMsgid = msgidOf(echo);
    const parentSeq = Number(parentMsgid.split('-')[1]);

    // A web reply reaches the plain IRC client as the quote, then the text.
    const from = b.lines.length;
    const fromA = a.lines.length;
    await say(bob.api, { text: 'works for me', replyTo: parentSeq });
    await b.next((l) => l.endsWith(':works for me'), 5000, from);
    // A client with message-tags gets the IRCv3 +draft/reply tag naming the parent as well, on each line.
    await a.next((l) => l.endsWith(':works for me'), 5000, fromA);
    const tagged = a.lines.slice(fromA).filter((l) => l.includes('PRIVMSG #desk'));
    assert.equal(tagged.length, 2);
    for (const line of tagged) assert.match(line, new RegExp(`^@(\\S*;)?\\+draft/reply=${parentMsgid}[; ]`));
    const lines = b.lines.slice(from).filter((l) => l.includes('PRIVMSG #desk'));
    assert.deepEqual(lines, [
      `:bob!u${bob.id}@irc.test PRIVMSG #desk :> Alice A: the deploy window is Thursday at six in the evening, after…`,
      `:bob!u${bob.id}@irc.test PRIVMSG #desk :works for me`,
    ]);

    // An IRC client's +draft/reply makes a reply, stored with its parent.
    const fromIrc = b.lines.length;
    a.send(`@+draft/reply=${parentMsgid} PRIVMSG #desk :see you then`);
    await b.next((l) => l.endsWith(':see you then'), 5000, fromIrc);
    // Written on IRC, it reads on IRC as written (as any IRC server relays it): no quote line.
    assert.deepEqual(
      b.lines.slice(fromIrc).filter((l) => l.includes('PRIVMSG #desk')),
      [`:alice!u${alice.id}@irc.test PRIVMSG #desk :see you then`],
    );
    const history = expectStatus(await bob.api.get(`${messages}/${roomId}/messages`), 200).messages as any[];
    const stored = history.find((m) => m.text === 'see you then');
    assert.equal(stored?.replyTo?.seq, parentSeq);
    assert.equal(history.find((m) => m.seq === parentSeq)?.replyCount, 2);
    // One of our msgids naming no message of the channel: refused, nothing posted.
    a.send('@+draft/reply=1-9999 PRIVMSG #desk :to nothing');
    assert.match(await a.next((l) => / 404 /.test(l)), / 404 alice #desk :There is no message 9999 in this room to reply to\.$/);
    // History replayed on JOIN carries the tag too (and the quote for the web reply).
    const late = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['message-tags', 'server-time', 'batch']));
    late.send('JOIN #desk');
    await late.next((l) => / 366 /.test(l));
    const replayed = late.lines.filter((l) => l.endsWith(':works for me') || l.endsWith(':see you then'));
    assert.equal(replayed.length, 2);
    for (const line of replayed) assert.ok(line.includes(`+draft/reply=${parentMsgid}`), line);
    // A tag that names no message of ours is a client tag like any other: a plain message.
    a.send('@+draft/reply=not-ours PRIVMSG #desk :plain after all');
    await b.next((l) => l.endsWith(':plain after all'));
    const plain = (expectStatus(await bob.api.get(`${messages}/${roomId}/messages`), 200).messages as any[]).find((m) => m.text === 'plain after all');
    assert.equal(plain?.replyTo, null);
  });
});

describe('the quote doors without replies show', () => {
  const parent = { id: 7, seq: 3, authorId: 1, excerpt: 'line one\nline two with   spaces' };
  it('is one line, shortened, and says when the parent is gone', () => {
    assert.equal(quoteOf(parent, 'Alice'), '> Alice: line one line two with spaces');
    assert.equal(quoteOf({ ...parent, excerpt: 'x'.repeat(100) }, 'Alice'), `> Alice: ${'x'.repeat(59)}…`);
    assert.equal(quoteOf({ id: 7, seq: null, authorId: null, excerpt: '' }, null), '> (a removed message)');
  });
  it('comes first in a SIP client’s message text', () => {
    const m: Message = { id: 9, roomId: 1, seq: 4, authorId: 2, kind: 'text', title: null, text: 'agreed', createdAt: 0, clientId: null, origin: null, replyTo: parent };
    assert.equal(chatText(m, 'https://chat.example.com', quoteOf(parent, 'Alice')), '> Alice: line one line two with spaces\nagreed');
  });
});
