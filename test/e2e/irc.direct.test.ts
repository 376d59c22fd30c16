import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

const CAPS = ['batch', 'server-time', 'message-tags', 'echo-message', 'labeled-response', 'draft/chathistory'];

/** Private messages over IRC: PRIVMSG <nick> is a direct conversation, shared with the web and kept. */
describe('IRC private messages (direct conversations)', () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice A' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob B' });
    carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol C' });
    const cat = await createCategory(admin, 'Talk', { allowed: [user(alice.id), user(bob.id)] });
    await createRoom(admin, 'lobby', cat, { privacy: 'open' });
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  it('PRIVMSG <nick> is persisted first, delivered to the recipient on IRC and the web, and echoed to the sender', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, CAPS));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD));
    const web = track(await WsClient.connect(server.url, bob.api.token));
    await web.next((f) => f.type === 'ready');

    a.send('@label=dm1 PRIVMSG bob :hello bob, just us');
    const echo = await a.next((l) => l.includes('PRIVMSG bob :hello bob, just us'));
    assert.match(echo, /^@[^ ]*label=dm1[^ ]* :alice!u\d+@irc\.test PRIVMSG bob :hello bob, just us$/, 'the echo carries the label');
    assert.match(echo, /msgid=\d+-1/);
    const delivered = await b.next((l) => l.includes('hello bob, just us'));
    assert.equal(delivered, `:alice!u${alice.id}@irc.test PRIVMSG bob :hello bob, just us`);
    // The web client hears of the new conversation and its first message without joining anything.
    const announced = await web.next((f) => f.type === 'direct');
    const roomId = announced.conversation.roomId as number;
    const live = await web.next((f) => f.type === 'message' && f.roomId === roomId);
    assert.equal(live.message.text, 'hello bob, just us');
    assert.equal(live.message.authorId, alice.id);

    // The web answers; IRC shows it as a private message to alice.
    const ack = await web.call({ type: 'post', roomId, text: 'hi alice, from the browser' });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const answer = await a.next((l) => l.includes('hi alice, from the browser'));
    assert.match(answer, new RegExp(`:bob!u${bob.id}@irc\\.test PRIVMSG alice :hi alice, from the browser$`));
    // Bob's own IRC connection sees what he said elsewhere, addressed to alice.
    assert.match(await b.next((l) => l.includes('hi alice, from the browser')), /:bob!u\d+@irc\.test PRIVMSG alice :hi alice, from the browser$/);

    // Persisted, in one conversation, which HTTP lists with its unread count.
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages`), 200).messages;
    assert.deepEqual(history.map((m: any) => m.text), ['hello bob, just us', 'hi alice, from the browser']);
    const listed = expectStatus(await alice.api.get('/api/v1/direct'), 200).conversations;
    assert.deepEqual(listed.map((c: any) => [c.roomId, c.unread]), [[roomId, 2]]);
    // NOTICE to a nick goes the same way, and stays a notice.
    b.send('NOTICE alice :a notice, privately');
    assert.match(await a.next((l) => l.includes('a notice, privately')), /:bob!u\d+@irc\.test NOTICE alice :a notice, privately$/);
  });

  it('CHATHISTORY <nick> answers the conversation, and TARGETS lists conversations and channels by latest activity', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, CAPS));
    a.send('JOIN #lobby');
    await a.next(/ 366 \S+ #lobby /);
    a.send('PRIVMSG #lobby :in the lobby');
    await a.next((l) => l.includes('PRIVMSG #lobby :in the lobby'));
    let from = a.lines.length;
    a.send('CHATHISTORY LATEST BOB * 10');
    const end = await a.next((l) => /^:irc\.test BATCH -/.test(l), 5000, from);
    const batch = a.lines.slice(from, a.lines.indexOf(end, from) + 1);
    assert.match(batch[0] ?? '', /BATCH \+\S+ chathistory BOB$/);
    const texts = batch.filter((l) => / (PRIVMSG|NOTICE) /.test(l)).map((l) => l.replace(/^@\S+ /, ''));
    assert.deepEqual(texts, [
      `:alice!u${alice.id}@irc.test PRIVMSG bob :hello bob, just us`,
      `:bob!u${bob.id}@irc.test PRIVMSG alice :hi alice, from the browser`,
      `:bob!u${bob.id}@irc.test NOTICE alice :a notice, privately`,
    ]);
    from = a.lines.length;
    a.send('CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z 10');
    await a.next((l) => /^:irc\.test BATCH -/.test(l), 5000, from);
    const untagged = (l: string): string[] => l.replace(/^@\S+ /, '').split(' ');
    const targets = a.lines.slice(from).filter((l) => / CHATHISTORY TARGETS /.test(l)).map((l) => untagged(l).slice(3, 5).join(' '));
    assert.deepEqual(targets.map((t) => t.split(' ')[0]), ['bob', '#lobby'], 'earliest latest-message first');
    const bobTime = (targets[0] ?? '').split(' ')[1] as string;
    from = a.lines.length;
    a.send(`CHATHISTORY TARGETS timestamp=${bobTime} timestamp=2262-01-01T00:00:00.000Z 10`);
    await a.next((l) => /^:irc\.test BATCH -/.test(l), 5000, from);
    assert.deepEqual(a.lines.slice(from).filter((l) => / CHATHISTORY TARGETS /.test(l)).map((l) => untagged(l)[3]), ['#lobby'], 'the bounds are exclusive');
    // A nick without a conversation, and a nick that does not exist, are no targets.
    from = a.lines.length;
    a.send('CHATHISTORY LATEST carol * 10', 'CHATHISTORY LATEST nobody * 10');
    const fails = await a.sync();
    assert.ok(fails.some((l) => / FAIL CHATHISTORY INVALID_TARGET LATEST carol /.test(l)), fails.join('\n'));
    assert.ok(fails.some((l) => / FAIL CHATHISTORY INVALID_TARGET LATEST nobody /.test(l)), fails.join('\n'));
  });

  it('answers numerics: 401 for an unknown nick, 404 for oneself and when the policy switches direct messages off; NOTICE stays silent', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD));
    a.send('PRIVMSG nosuchperson :anyone?', 'PRIVMSG alice :note to self', 'NOTICE nosuchperson :quiet');
    const lines = await a.sync();
    assert.ok(lines.some((l) => / 401 alice nosuchperson :No such nick$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / 404 alice alice :/.test(l)), lines.join('\n'));
    assert.equal(lines.filter((l) => / 401 /.test(l)).length, 1, 'NOTICE gets no error reply');

    expectStatus(await admin.put('/api/v1/policies', { kind: 'direct', scope: 'user', targetId: alice.id, enabled: false }), 200);
    a.send('PRIVMSG bob :are you there?', 'PRIVMSG carol :hello carol');
    const refused = await a.sync();
    assert.ok(refused.some((l) => / 404 alice bob :Direct messages are switched off for you by the policy\.$/.test(l)), refused.join('\n'));
    assert.ok(refused.some((l) => / 404 alice carol :Direct messages are switched off for you by the policy\.$/.test(l)), refused.join('\n'));
    const withCarol = expectStatus(await carol.api.get('/api/v1/direct'), 200).conversations;
    assert.deepEqual(withCarol, [], 'no conversation was opened');
    const kept = expectStatus(await bob.api.get('/api/v1/direct'), 200).conversations[0];
    assert.notEqual(kept.lastMessage.text, 'are you there?', 'nothing was posted');
    expectStatus(await admin.delete(`/api/v1/policies?scope=user&targetId=${alice.id}&kind=direct`), 204);
    a.send('PRIVMSG carol :hello carol');
    await a.sync();
    assert.equal(expectStatus(await carol.api.get('/api/v1/direct'), 200).conversations[0]?.lastMessage.text, 'hello carol');
  });
});
