import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deskScenario, PASSWORD } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

const REDACTION = 'draft/message-redaction';
/** A REDACT line from the server (not a FAIL REDACT). */
const isRedact = (line: string): boolean => /^(@\S+ )?:\S+ REDACT /.test(line);
const msgidOf = (line: string): string => /(?:^@|;)msgid=([^; ]+)/.exec(line)?.[1] ?? '';

/** Authors editing and deleting their own messages, over real sockets: HTTP, WebSocket and IRC with and without draft/message-redaction. */
describe("authors' own edits and deletions through every door", () => {
  let server: TestServer;
  let port: number;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let eve: { id: number; api: Api };
  let roomId: number;
  let secretId: number;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (open.push(c), c);

  before(async () => {
    server = await startTestServer({ 'irc.serverName': 'irc.test' });
    port = server.irc[0]?.port ?? 0;
    ({ admin, alice, bob, eve, roomId, secretId } = await deskScenario(server.url));
  });
  after(async () => {
    for (const c of open) c.close();
    await server.stop();
  });

  const say = async (api: Api, text: string, room = roomId) => expectStatus(await api.post(`/api/v1/rooms/${room}/messages`, { text }), 201).message;
  const messagePath = (seq: number, room = roomId) => `/api/v1/rooms/${room}/messages/${seq}`;

  it('edits and deletes over HTTP and WebSocket; everyone joined sees it live; search knows the new text only', async () => {
    const watcher = track(await WsClient.connect(server.url, bob.api.token));
    await watcher.next((f) => f.type === 'ready');
    await watcher.call({ type: 'join', roomId });

    const m = await say(alice.api, 'meet at the old office');
    assert.equal(m.editedAt, null);
    await watcher.next((f) => f.type === 'message' && f.message.seq === m.seq);
    const edited = expectStatus(await alice.api.patch(messagePath(m.seq), { text: 'meet at the new office' }), 200).message;
    assert.equal(edited.text, 'meet at the new office');
    assert.match(edited.editedAt, /^\d{4}-\d\d-\d\dT.*Z$/);
    const replaced = await watcher.next((f) => f.type === 'messages.replaced');
    assert.deepEqual([replaced.roomId, replaced.byAuthor, replaced.messages[0].seq, replaced.messages[0].text, replaced.messages[0].editedAt], [roomId, true, m.seq, 'meet at the new office', edited.editedAt]);
    const history = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages`), 200).messages;
    assert.deepEqual(history.find((x: any) => x.seq === m.seq)?.editedAt, edited.editedAt);
    assert.equal(expectStatus(await bob.api.get('/api/v1/search?q=old'), 200).hits.length, 0);
    assert.deepEqual(expectStatus(await bob.api.get('/api/v1/search?q=new%20office'), 200).hits.map((h: any) => h.message.seq), [m.seq]);

    // Not the author: refused, and nothing reaches anyone.
    const refused = expectStatus(await bob.api.patch(messagePath(m.seq), { text: 'mine now' }), 403);
    assert.equal(refused.error.code, 'not_permitted');
    assert.equal(refused.error.details.rule, 'author');
    assert.equal(expectStatus(await alice.api.patch(messagePath(m.seq), { text: '' }), 400).error.field, 'text');

    expectStatus(await alice.api.delete(`${messagePath(m.seq)}?reason=${encodeURIComponent('wrong place')}`), 204);
    const removed = await watcher.next((f) => f.type === 'messages.removed');
    assert.deepEqual(removed, { type: 'messages.removed', roomId, seqs: [m.seq], byAuthor: { userId: alice.id, reason: 'wrong place' } }, 'who removed it and why, never the text');
    assert.equal(expectStatus(await alice.api.delete(messagePath(m.seq)), 404).error.code, 'not_found');

    // The WebSocket frames do the same.
    const author = track(await WsClient.connect(server.url, alice.api.token));
    await author.next((f) => f.type === 'ready');
    const ack = await author.call({ type: 'post', roomId, text: 'typo heer' });
    const wsEdit = await author.call({ type: 'edit', roomId, seq: ack.message.seq, text: 'typo here' });
    assert.equal(wsEdit.type, 'edited', JSON.stringify(wsEdit));
    assert.equal(wsEdit.message.text, 'typo here');
    assert.equal((await watcher.next((f) => f.type === 'messages.replaced')).messages[0].text, 'typo here');
    const wsRefused = await author.call({ type: 'edit', roomId, seq: 'x', text: 'a' });
    assert.deepEqual([wsRefused.type, wsRefused.code, wsRefused.field], ['error', 'invalid_input', 'seq']);
    const deleted = await author.call({ type: 'delete', roomId, seq: ack.message.seq });
    assert.deepEqual([deleted.type, deleted.roomId, deleted.seq], ['deleted', roomId, ack.message.seq]);
    assert.deepEqual((await watcher.next((f) => f.type === 'messages.removed')).seqs, [ack.message.seq]);
    watcher.close();
    author.close();
  });

  it('answers room_not_found to outsiders, and follows the configured window', async () => {
    const hidden = await say(alice.api, 'a secret', secretId);
    assert.equal(expectStatus(await eve.api.patch(messagePath(hidden.seq, secretId), { text: 'x' }), 404).error.code, 'room_not_found');
    assert.equal(expectStatus(await bob.api.delete(messagePath(hidden.seq, secretId)), 404).error.code, 'room_not_found');
    try {
      expectStatus(await admin.patch('/api/v1/config', { editOwnMessages: 'off' }), 200);
      assert.equal(expectStatus(await alice.api.patch(messagePath(hidden.seq, secretId), { text: 'changed' }), 403).error.details.rule, 'off');
      assert.equal(expectStatus(await admin.patch('/api/v1/config', { editOwnMessages: 0 }), 400).error.field, 'editOwnMessages');
      assert.equal(expectStatus(await alice.api.get('/api/v1/config'), 200).editOwnMessages, 'off', 'every signed-in user reads the window');
    } finally {
      expectStatus(await admin.patch('/api/v1/config', { editOwnMessages: 15 }), 200);
    }
    expectStatus(await alice.api.patch(messagePath(hidden.seq, secretId), { text: 'changed' }), 200);
    const records = expectStatus(await admin.get(`/api/v1/compliance?type=EDIT&roomId=${secretId}`), 200).events;
    assert.deepEqual(records.map((e: any) => [e.userId, e.data.previousText, e.data.text]), [[alice.id, 'a secret', 'changed']]);
  });

  it('IRC: REDACT for clients with draft/message-redaction, one NOTICE line for the others, NOTICE for edits', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['message-tags', 'echo-message', 'server-time', 'labeled-response', REDACTION]));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['message-tags', REDACTION]));
    const c = track(await RawClient.register(port, 'carol@example.com', PASSWORD, ['message-tags']));
    for (const client of [a, b, c]) {
      client.send('JOIN #desk');
      await client.next((l) => / 366 /.test(l));
    }

    // A REDACT from the IRC client itself.
    a.send('PRIVMSG #desk :posted in the wrong channel');
    const echo = await a.next((l) => l.includes('PRIVMSG #desk :posted in the wrong channel'));
    const msgid = msgidOf(echo);
    assert.match(msgid, /^\d+-\d+$/);
    await c.next((l) => l.includes('posted in the wrong channel'));
    const from = b.lines.length;
    const fromC = c.lines.length;
    a.send(`@label=r1 REDACT #desk ${msgid} :wrong channel`);
    const own = await a.next(isRedact);
    assert.match(own, new RegExp(`^@[^ ]*label=r1[^ ]* :alice!u${alice.id}@irc\\.test REDACT #desk ${msgid} :wrong channel$`), 'the own REDACT carries the label');
    assert.equal((await b.next(isRedact, 5000, from)).replace(/^@\S+ /, ''), `:alice!u${alice.id}@irc.test REDACT #desk ${msgid} :wrong channel`);
    assert.equal(await c.next((l) => l.includes('removed a message'), 5000, fromC), ':irc.test NOTICE #desk :alice removed a message: wrong channel');
    assert.ok(!c.lines.slice(fromC).some((l) => l.includes('REDACT')), 'no REDACT to a client without the capability');
    const gone = expectStatus(await bob.api.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200).messages;
    assert.ok(!gone.some((m: any) => m.text === 'posted in the wrong channel'), 'removed for the web too');

    // A web deletion of a message that took two IRC lines: a REDACT for each line's msgid.
    const twoLines = await say(alice.api, 'first line\nsecond line');
    const lineIds = [`${twoLines.id}-${twoLines.seq}`, `${twoLines.id}-${twoLines.seq}-1`];
    await b.next((l) => l.includes('second line'));
    const beforeDelete = b.lines.length;
    expectStatus(await alice.api.delete(messagePath(twoLines.seq)), 204);
    await b.next((l) => l.includes(`REDACT #desk ${lineIds[1]}`), 5000, beforeDelete);
    assert.deepEqual(
      b.lines.slice(beforeDelete).filter(isRedact).map((l) => l.replace(/^@\S+ /, '')),
      lineIds.map((id) => `:alice!u${alice.id}@irc.test REDACT #desk ${id}`),
    );

    // An edit from the web: one NOTICE line for every IRC client, with the new text.
    const fixed = await say(alice.api, 'teh plan');
    await c.next((l) => l.includes('teh plan'));
    expectStatus(await alice.api.patch(messagePath(fixed.seq), { text: 'the plan\nin two lines' }), 200);
    assert.equal(await c.next((l) => l.includes('edited a message')), ':irc.test NOTICE #desk :alice edited a message: the plan in two lines');
    assert.match(await b.next((l) => l.includes('edited a message')), /NOTICE #desk :alice edited a message: the plan in two lines$/);
    for (const client of [a, b, c]) client.close();
  });

  it('IRC: REDACT refusals use the FAIL codes of the specification', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['message-tags', 'echo-message', REDACTION]));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['message-tags', REDACTION]));
    for (const client of [a, b]) {
      client.send('JOIN #desk');
      await client.next((l) => / 366 /.test(l));
    }
    a.send('PRIVMSG #desk :only alice may take this back');
    const msgid = msgidOf(await a.next((l) => l.includes('only alice may take this back')));
    const failOf = async (client: RawClient, line: string) => {
      const from = client.lines.length;
      client.send(line);
      return client.next((l) => l.includes(' FAIL REDACT '), 5000, from);
    };
    assert.match(await failOf(b, `REDACT #desk ${msgid}`), new RegExp(`FAIL REDACT REDACT_FORBIDDEN #desk ${msgid} :Only its author`));
    assert.match(await failOf(a, 'REDACT #desk 12345'), /FAIL REDACT UNKNOWN_MSGID #desk 12345 :/);
    const [id, seq] = msgid.split('-');
    assert.match(await failOf(a, `REDACT #desk ${Number(id) + 1}-${seq}`), /FAIL REDACT UNKNOWN_MSGID/, 'a msgid names its message id and seq both');
    assert.match(await failOf(a, 'REDACT #nowhere 1-1'), /FAIL REDACT INVALID_TARGET #nowhere :/);
    assert.match(await failOf(b, 'REDACT #hush 1-1'), /FAIL REDACT INVALID_TARGET #hush :/, 'a secret room is no target for outsiders');

    // Older than the window (15 minutes by default): a message stored an hour ago.
    const [old] = await server.app.context.store.messages.append([
      { roomId, authorId: alice.id, kind: 'text', title: null, text: 'an hour ago', createdAt: Date.now() - 3_600_000, clientId: null, origin: null, keep: true },
    ]);
    const oldId = `${old!.message.id}-${old!.message.seq}`;
    assert.match(await failOf(a, `REDACT #desk ${oldId}`), new RegExp(`FAIL REDACT REDACT_WINDOW_EXPIRED #desk ${oldId} 900 :Messages can be edited or deleted for 15 minutes`));
    assert.ok(!b.lines.some(isRedact), 'no refused REDACT reached anyone');
    a.close();
    b.close();
  });

  it('IRC: a private message is redacted for both people, addressed as the message was', async () => {
    const a = track(await RawClient.register(port, 'alice@example.com', PASSWORD, ['message-tags', 'echo-message', REDACTION]));
    const b = track(await RawClient.register(port, 'bob@example.com', PASSWORD, ['message-tags', REDACTION]));
    a.send('PRIVMSG bob :just between us');
    const msgid = msgidOf(await a.next((l) => l.includes('PRIVMSG bob :just between us')));
    await b.next((l) => l.includes('just between us'));
    a.send(`REDACT bob ${msgid}`);
    assert.equal((await a.next(isRedact)).replace(/^@\S+ /, ''), `:alice!u${alice.id}@irc.test REDACT bob ${msgid}`);
    assert.equal((await b.next(isRedact)).replace(/^@\S+ /, ''), `:alice!u${alice.id}@irc.test REDACT bob ${msgid}`);
  });
});
