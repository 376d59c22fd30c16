import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chanibXml, chanidXml, roomUri, SipClient, type XccosEvent, type XccosReply } from '../../bench/lib/sipClient.js';
import { rng } from '../../bench/lib/words.js';
import { child, childrenNamed, type XmlElement } from '../../src/protocols/sip/xml.js';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The SIP + XCCOS endpoint through a raw client (bench/lib/sipClient.ts) against a real server:
 * every XCCOS command's reply, posts and their refusals, live notices, and SIP-level
 * robustness. Sign-in is `none-loopback-test` (no NTLM); pidgin.e2e.test.ts covers NTLM.
 */
const DOMAIN = 'pchat.test';
const MAX_MESSAGE_BYTES = 65_536;

const chanibs = (data: XmlElement) => childrenNamed(data, 'chanib');
const names = (data: XmlElement) => chanibs(data).map((c) => c.attrs.name ?? '').sort();
const chatText = (e: XmlElement) => (child(e, 'chat')?.text ?? '').replace(/\r\n/g, '\n');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assertReply(reply: XccosReply, code: number, id?: string): void {
  assert.equal(reply.code, code, `expected ${code}, got ${reply.code} ${reply.text}: ${reply.body.slice(0, 400)}`);
  if (id) assert.equal(reply.id, id);
}

describe('SIP + XCCOS group chat (raw client)', () => {
  let server: TestServer;
  let admin: Api;
  let port = 0;
  const ids: Record<string, number> = {};
  const rooms: Record<string, number> = {};
  const uri = (room: string) => roomUri(DOMAIN, rooms[room] as number);
  const open: SipClient[] = [];
  const signIn = async (login: string): Promise<SipClient> => {
    const c = await SipClient.signIn({ port, login: `${login}@${DOMAIN}` });
    open.push(c);
    return c;
  };
  const connectOnly = async (login: string): Promise<SipClient> => {
    const c = await SipClient.connect({ port, login });
    open.push(c);
    return c;
  };
  const messagesOf = async (room: string): Promise<{ text: string; authorId: number }[]> =>
    expectStatus(await admin.get(`/api/v1/rooms/${rooms[room]}/messages?limit=100`), 200).messages;

  before(async () => {
    server = await startTestServer({
      'sip.listen': [{ host: '127.0.0.1', port: 0 }],
      'sip.domains': [DOMAIN],
      'sip.auth': 'none-loopback-test',
      'sip.maxMessageBytes': MAX_MESSAGE_BYTES,
    });
    port = server.sip[0]?.port ?? 0;
    admin = await adminApi(server.url);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      ids[name] = (await createUser(admin, `${name}@${DOMAIN}`, { displayName: name[0]?.toUpperCase() + name.slice(1) })).id;
    }
    const [alice, bob, carol, dave] = [ids.alice, ids.bob, ids.carol, ids.dave].map((id) => user(id as number));
    const engineering = await createCategory(admin, 'Engineering', { allowed: [alice, bob, carol] });
    const finance = await createCategory(admin, 'Finance', { allowed: [bob, dave] });
    rooms.planning = await createRoom(admin, 'planning', engineering, { privacy: 'closed', description: 'release planning', members: [alice, bob], managers: [bob] });
    rooms.lobby = await createRoom(admin, 'lobby', engineering, { privacy: 'open', description: 'general chatter' });
    rooms.hidden = await createRoom(admin, 'hidden-deals', engineering, { privacy: 'secret', members: [bob] });
    rooms.board = await createRoom(admin, 'board', engineering, { privacy: 'closed', members: [bob] });
    rooms.stage = await createRoom(admin, 'town-hall', engineering, { type: 'auditorium', privacy: 'open', presenters: [bob] });
    rooms.ops = await createRoom(admin, 'ops', engineering, { privacy: 'open' });
    rooms.archive = await createRoom(admin, 'archive', engineering, { privacy: 'open' });
    rooms.budget = await createRoom(admin, 'budget', finance, { privacy: 'open' });
  });
  after(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  describe('XCCOS commands', () => {
    let alice: SipClient;
    let bob: SipClient;
    before(async () => {
      alice = await signIn('alice');
      bob = await signIn('bob');
    });

    it('cmd:requri names the chat service, which the client then invites', () => {
      assert.equal(alice.serviceUri, `sip:pchat-chat@${DOMAIN}`);
    });

    it('cmd:getserverinfo describes the server', async () => {
      const reply = await alice.command('cmd:getserverinfo');
      assertReply(reply, 200, 'rpl:getserverinfo');
      const sib = child(reply.data, 'sib');
      assert.equal(sib?.attrs.domain, DOMAIN);
      assert.ok(Number(sib?.attrs.searchLimit) > 0);
      assert.ok(Number(sib?.attrs.messageSizeLimit) > 0);
      assert.ok(!Number.isNaN(Date.parse(sib?.attrs.serverTime ?? '')), 'serverTime is a date');
    });

    it('cmd:chansrch BYNAME lists exactly the rooms the user may find: no secret room, no other category', async () => {
      const all = await alice.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="" extended="false"/>');
      assertReply(all, 200, 'rpl:chansrch');
      assert.deepEqual(names(all.data), ['archive', 'board', 'lobby', 'ops', 'planning', 'town-hall']);
      const planning = chanibs(all.data).find((c) => c.attrs.name === 'planning');
      assert.equal(planning?.attrs.uri, uri('planning'));
      assert.equal(planning?.attrs.description, 'release planning');

      const byName = await alice.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="PLAN" extended="false"/>');
      assertReply(byName, 200);
      assert.deepEqual(names(byName.data), ['planning']);
      const secret = await alice.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="deals"/>');
      assertReply(secret, 200);
      assert.deepEqual(names(secret.data), [], 'a secret room is absent for an outsider');
      const member = await bob.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="deals"/>');
      assert.deepEqual(names(member.data), ['hidden-deals'], 'and present for its member');
      const bobAll = await bob.command('cmd:chansrch', '<qib qtype="BYNAME" criteria=""/>');
      assert.deepEqual(names(bobAll.data), ['archive', 'board', 'budget', 'hidden-deals', 'lobby', 'ops', 'planning', 'town-hall']);

      const byDesc = await alice.command('cmd:chansrch', '<qib qtype="BYDESC" criteria="chatter"/>');
      assertReply(byDesc, 200);
      assert.deepEqual(names(byDesc.data), ['lobby']);
    });

    it('cmd:chansrch with an unknown qtype is a 400', async () => {
      const reply = await alice.command('cmd:chansrch', '<qib qtype="BYMOOD" criteria=""/>');
      assertReply(reply, 400, 'rpl:chansrch');
      assert.match(reply.text, /BYMOOD/);
    });

    it('cmd:join answers the room with its participants (aib) and their uib entries; the others get ntc:join', async () => {
      assertReply(await bob.command('cmd:join', chanidXml(uri('planning'))), 200);
      const reply = await alice.command('cmd:join', chanidXml(uri('planning')));
      assertReply(reply, 200, 'rpl:join');
      const [chanib, ...more] = chanibs(reply.data);
      assert.equal(more.length, 0);
      assert.equal(chanib?.attrs.uri, uri('planning'));
      assert.equal(chanib?.attrs.name, 'planning');
      assert.equal(chanib?.attrs.topic, 'release planning');
      const aib = new Map(childrenNamed(chanib, 'aib').map((a) => [a.attrs.key, (a.attrs.value ?? '').split(',').map(Number).sort()]));
      assert.deepEqual(aib.get('3984'), [ids.alice, ids.bob].sort(), 'participants');
      assert.deepEqual(aib.get('12276'), [ids.bob], 'the manager is a chanop');
      const uibs = new Map(childrenNamed(reply.data, 'uib').map((u) => [Number(u.attrs.id), u.attrs]));
      assert.equal(uibs.get(ids.alice as number)?.uri, `sip:alice@${DOMAIN}`);
      assert.equal(uibs.get(ids.bob as number)?.uri, `sip:bob@${DOMAIN}`);
      assert.equal(uibs.get(ids.bob as number)?.dn, 'Bob');

      const notice = await bob.next((e) => e.id === 'ntc:join');
      const uib = child(child(notice.element, 'data'), 'uib');
      assert.equal(uib?.attrs.uri, `sip:alice@${DOMAIN}`);
      assert.equal(Number(uib?.attrs.id), ids.alice);
      assert.equal(child(uib, 'aib')?.attrs.value, uri('planning').replace(`ma-chan://${DOMAIN}/`, ''));
    });

    it('cmd:join of a secret room by an outsider is a 404 exactly like a room that does not exist', async () => {
      const secret = await alice.command('cmd:join', chanidXml(uri('hidden')));
      const missing = await alice.command('cmd:join', chanidXml(roomUri(DOMAIN, 0xabcdef)));
      assertReply(missing, 404);
      assert.deepEqual({ code: secret.code, text: secret.text, data: secret.data }, { code: missing.code, text: missing.text, data: missing.data });
      const otherCategory = await alice.command('cmd:join', chanidXml(uri('budget')));
      assert.deepEqual({ code: otherCategory.code, text: otherCategory.text }, { code: missing.code, text: missing.text }, 'a room of a category out of scope');
      const history = await alice.command('cmd:bccontext', `${chanibXml(uri('hidden'))}<bcq><last cnt="5"/></bcq>`);
      const historyMissing = await alice.command('cmd:bccontext', `${chanibXml(roomUri(DOMAIN, 0xabcdef))}<bcq><last cnt="5"/></bcq>`);
      assert.deepEqual({ code: history.code, text: history.text }, { code: historyMissing.code, text: historyMissing.text }, 'bccontext of a secret room');
    });

    it('cmd:join of a closed room by a non-member is a 403', async () => {
      const reply = await alice.command('cmd:join', chanidXml(uri('board')));
      assertReply(reply, 403, 'rpl:join');
      assert.equal(chanibs(reply.data).length, 0);
    });

    it('cmd:bjoin joins the rooms it can and answers for those', async () => {
      const reply = await alice.command('cmd:bjoin', [uri('lobby'), roomUri(DOMAIN, 0xabcdef), uri('board'), uri('hidden')].map((u) => chanibXml(u)).join(''));
      assertReply(reply, 200, 'rpl:bjoin');
      assert.deepEqual(chanibs(reply.data).map((c) => c.attrs.uri), [uri('lobby')]);
      const none = await alice.command('cmd:bjoin', chanibXml(uri('board')));
      assert.equal(none.code, 403, 'a batch none of whose rooms can be joined fails');
    });

    it('cmd:bccontext returns the last N messages in order, with author URIs, ISO times, and multi-line and story texts whole', async () => {
      const texts = ['first', 'line one\nline two\n\nline four', 'middle <b>&amp; "quoted"</b>', 'last'];
      const bobApi = await signInApi(admin, 'bob');
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.archive}/messages`, { text: texts[0], clientId: 'a1' }), 201);
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.archive}/messages`, { text: texts[1], clientId: 'a2' }), 201);
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.archive}/messages`, { kind: 'story', title: 'Release notes', text: 'Shipped:\n- sip\n- xccos', clientId: 'a3' }), 201);
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.archive}/messages`, { text: texts[2], clientId: 'a4' }), 201);
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.archive}/messages`, { text: texts[3], clientId: 'a5' }), 201);
      assertReply(await alice.command('cmd:join', chanidXml(uri('archive'))), 200);

      const reply = await alice.command('cmd:bccontext', `${chanibXml(uri('archive'))}<bcq><last cnt="4"/></bcq>`);
      assertReply(reply, 200, 'rpl:bccontext');
      const chanib = child(reply.data, 'chanib');
      assert.equal(chanib?.attrs.uri, uri('archive'));
      const msgs = childrenNamed(chanib, 'msg');
      assert.deepEqual(msgs.map(chatText), [texts[1], 'Release notes\n\nShipped:\n- sip\n- xccos', texts[2], texts[3]]);
      const seqs = msgs.map((m) => Number(m.attrs.seqid));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest first');
      for (const m of msgs) {
        assert.equal(m.attrs.author, `sip:bob@${DOMAIN}`);
        assert.equal(m.attrs.chanUri, uri('archive'));
        assert.match(m.attrs.ts ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
      }
      const everything = await alice.command('cmd:bccontext', `${chanibXml(uri('archive'))}<bcq><last cnt="25"/></bcq>`);
      assert.equal(childrenNamed(child(everything.data, 'chanib'), 'msg').length, 5);
      const bad = await alice.command('cmd:bccontext', `${chanibXml(uri('archive'))}<bcq><last cnt="0"/></bcq>`);
      assertReply(bad, 400);
    });

    it('a grpchat post is answered 200 once stored, and delivered live to the room (the author too)', async () => {
      const text = 'hello from a raw SIP client\nsecond line';
      const response = await alice.post(uri('planning'), text);
      assert.equal(response.status, 200, response.reason);
      const stored = (await messagesOf('planning')).at(-1);
      assert.equal(stored?.text, text);
      assert.equal(stored?.authorId, ids.alice);
      for (const c of [bob, alice]) {
        const live = await c.next((e) => e.kind === 'grpchat' && e.element.attrs.chanUri === uri('planning'));
        assert.equal(live.element.attrs.author, `sip:alice@${DOMAIN}`);
        assert.equal(chatText(live.element), text);
      }
      // A web post reaches the SIP clients too.
      const bobApi = await signInApi(admin, 'bob');
      expectStatus(await bobApi.post(`/api/v1/rooms/${rooms.planning}/messages`, { text: 'from the web', clientId: 'w1' }), 201);
      const fromWeb = await alice.next((e) => e.kind === 'grpchat' && chatText(e.element) === 'from the web');
      assert.equal(fromWeb.element.attrs.author, `sip:bob@${DOMAIN}`);
    });

    it('a grpchat post decodes XML character references, and a Lync line break (&#13; + LF) is stored as one newline', async () => {
      const { body } = alice.envelope(`<grpchat id="grpchat" seqid="1" chanUri="${uri('planning')}" author="sip:alice@${DOMAIN}"><chat>caf&#233; &#x263A;&#13;\nnext line</chat></grpchat>`);
      assert.equal((await alice.info(body)).status, 200);
      assert.equal((await messagesOf('planning')).at(-1)?.text, 'café ☺\nnext line');
    });

    it('a grpchat post to a room the client has not joined is a 404, and nothing is stored', async () => {
      const before = (await messagesOf('board')).length;
      const response = await alice.post(uri('board'), 'let me in');
      assert.equal(response.status, 404);
      assert.equal((await messagesOf('board')).length, before);
    });

    it('an auditorium refuses a non-presenter’s post with 403 and stores nothing', async () => {
      const carol = await signIn('carol');
      assertReply(await carol.command('cmd:join', chanidXml(uri('stage'))), 200);
      const response = await carol.post(uri('stage'), 'may I speak?');
      assert.equal(response.status, 403, response.reason);
      assert.equal((await messagesOf('stage')).length, 0);
      assertReply(await bob.command('cmd:join', chanidXml(uri('stage'))), 200);
      assert.equal((await bob.post(uri('stage'), 'welcome, everyone')).status, 200, 'the presenter may');
      assert.equal((await messagesOf('stage')).length, 1);
    });

    it('read-only maintenance refuses posts with 503 and its message', async () => {
      const message = 'Upgrading the database, back at 10:00';
      expectStatus(await admin.put('/api/v1/pool/maintenance', { enabled: true, message }), 200);
      try {
        const before = (await messagesOf('planning')).length;
        const response = await alice.post(uri('planning'), 'during maintenance');
        assert.equal(response.status, 503);
        assert.match(response.reason, /Upgrading the database, back at 10:00/);
        assert.equal((await messagesOf('planning')).length, before);
      } finally {
        expectStatus(await admin.put('/api/v1/pool/maintenance', { enabled: false }), 200);
      }
      assert.equal((await alice.post(uri('planning'), 'after maintenance')).status, 200);
    });

    it('cmd:part leaves the room: 200, ntc:part to the others, and no more posting there', async () => {
      const reply = await alice.command('cmd:part', chanibXml(uri('planning')));
      assertReply(reply, 200, 'rpl:part');
      assert.equal(child(reply.data, 'chanib')?.attrs.uri, uri('planning'));
      const notice = await bob.next((e) => e.id === 'ntc:part');
      const chanib = child(child(notice.element, 'data'), 'chanib');
      assert.equal(chanib?.attrs.uri, uri('planning'));
      assert.equal(child(chanib, 'uib')?.attrs.uri, `sip:alice@${DOMAIN}`);
      assert.equal((await alice.post(uri('planning'), 'still here?')).status, 404);
      assertReply(await alice.command('cmd:part', chanibXml(uri('planning'))), 200);
      assertReply(await alice.command('cmd:part', ''), 400);
    });

    it('cmd:getinv answers 200 with no pending invitation', async () => {
      const reply = await alice.command('cmd:getinv', `<inv inviteId="1" domain="${DOMAIN}"/>`);
      assertReply(reply, 200, 'rpl:getinv');
      assert.equal(reply.data.children.length, 0);
    });

    it('cmd:getassociations lists the rooms the user holds a role in', async () => {
      const reply = await bob.command('cmd:getassociations');
      assertReply(reply, 200, 'rpl:getassociations');
      const roles = Object.fromEntries(chanibs(reply.data).map((c) => [c.attrs.name, c.attrs.role]));
      assert.deepEqual(roles, { planning: 'manager', 'hidden-deals': 'member', board: 'member', 'town-hall': 'presenter' });
      for (const c of chanibs(reply.data)) assert.match(c.attrs.uri ?? '', /^ma-chan:\/\/pchat\.test\//);
      const alices = await alice.command('cmd:getassociations');
      assert.deepEqual(Object.fromEntries(chanibs(alices.data).map((c) => [c.attrs.name, c.attrs.role])), { planning: 'member' });
    });

    it('cmd:setpref and cmd:getpref round-trip per user', async () => {
      const set = await alice.command('cmd:setpref', '<pref label="lync.chat.prefs" seqid="3" content="eyJhIjoxfQ=="/>');
      assertReply(set, 200, 'rpl:setpref');
      assert.equal(child(set.data, 'pref')?.attrs.label, 'lync.chat.prefs');
      const got = await alice.command('cmd:getpref', '<pref label="lync.chat.prefs" seqid="4"/><pref label="never.set"/>');
      assertReply(got, 200, 'rpl:getpref');
      const prefs = childrenNamed(got.data, 'pref');
      assert.deepEqual(prefs.map((p) => [p.attrs.label, p.attrs.content]), [['lync.chat.prefs', 'eyJhIjoxfQ==']]);
      assert.equal(prefs[0]?.attrs.seqid, '4');

      const bobs = await bob.command('cmd:getpref', '<pref label="lync.chat.prefs"/>');
      assertReply(bobs, 200);
      assert.equal(childrenNamed(bobs.data, 'pref').length, 0, 'preferences are per user');
      const withDefault = await bob.command('cmd:getpref', '<pref label="lync.chat.prefs" createdefault="true"/>');
      assert.deepEqual(childrenNamed(withDefault.data, 'pref').map((p) => [p.attrs.label, p.attrs.content]), [['lync.chat.prefs', '']]);

      assertReply(await alice.command('cmd:setpref', '<pref label="lync.chat.prefs" content="b3ZlcndyaXR0ZW4="/>'), 200);
      const again = await alice.command('cmd:getpref', '<pref label="lync.chat.prefs"/>');
      assert.equal(child(again.data, 'pref')?.attrs.content, 'b3ZlcndyaXR0ZW4=');
    });

    it('cmd:setpref and cmd:getpref refuse invalid input with 400', async () => {
      assertReply(await alice.command('cmd:setpref', '<pref content="eA=="/>'), 400, 'rpl:setpref');
      assertReply(await alice.command('cmd:setpref', '<pref label="has space" content="eA=="/>'), 400);
      assertReply(await alice.command('cmd:getpref', ''), 400, 'rpl:getpref');
      assertReply(await alice.command('cmd:getpref', '<pref label="has space"/>'), 400);
      assertReply(await alice.command('cmd:getpref', Array.from({ length: 65 }, (_, i) => `<pref label="k${i}"/>`).join('')), 400);

    });

    it('an unknown command is a 501', async () => {
      const reply = await alice.command('cmd:frobnicate', '<x/>');
      assertReply(reply, 501, 'rpl:frobnicate');
    });

    it('a malformed XCCOS body gets a 400 reply and the connection stays usable', async () => {
      for (const body of ['this is not XML <', '<xccos ver="1" envid="77" xmlns="urn:parlano:xml:ns:xccos"></xccos>', '<xccos ver="1" envid="78"><cmd id="not a command" seqid="1"/></xccos>', '<notxccos/>', '<xccos envid="79"><grpchat id="grpchat" seqid="1"/></xccos>']) {
        const response = await alice.info(body);
        assert.equal(response.status, 200, 'the INFO itself is accepted');
        const rpl: XccosEvent = await alice.next((e) => e.kind === 'rpl');
        assert.equal(child(rpl.element, 'resp')?.attrs.code, '400', `${body} → ${rpl.body}`);
      }
      assertReply(await alice.command('cmd:getserverinfo'), 200);
    });
  });

  describe('live changes', () => {
    it('a disabled room drops its SIP participants with ntc:part of themselves', async () => {
      const alice = await signIn('alice');
      assertReply(await alice.command('cmd:join', chanidXml(uri('ops'))), 200);
      expectStatus(await admin.patch(`/api/v1/rooms/${rooms.ops}`, { disabled: true }), 200);
      const notice = await alice.next((e) => e.id === 'ntc:part', 5000);
      const chanib = child(child(notice.element, 'data'), 'chanib');
      assert.equal(chanib?.attrs.uri, uri('ops'));
      assert.equal(child(chanib, 'uib')?.attrs.uri, `sip:alice@${DOMAIN}`);
      assert.equal((await alice.post(uri('ops'), 'anyone?')).status, 404);
      const search = await alice.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="ops"/>');
      assert.deepEqual(names(search.data), [], 'a disabled room is not listed');
      expectStatus(await admin.patch(`/api/v1/rooms/${rooms.ops}`, { disabled: false }), 200);
    });
  });

  describe('SIP level', () => {
    it('answers requests before REGISTER with 403', async () => {
      const c = await connectOnly(`alice@${DOMAIN}`);
      const invite = await c.request('INVITE', `sip:ocschat@${DOMAIN}`, { callId: 'before-register-1', cseq: 1, to: `<sip:ocschat@${DOMAIN}>` });
      assert.equal(invite.status, 403);
      const info = await c.request('INFO', `sip:pchat-chat@${DOMAIN}`, { callId: 'before-register-2', cseq: 2, to: `<sip:pchat-chat@${DOMAIN}>;tag=x`, body: '<xccos/>' });
      assert.equal(info.status, 403);
      assert.equal((await c.register()).status, 200, 'and registers afterwards');
    });

    it('answers an INFO on an unknown dialog with 481', async () => {
      const c = await signIn('carol');
      const response = await c.request('INFO', `sip:pchat-chat@${DOMAIN}`, {
        callId: 'no-such-dialog',
        cseq: 5,
        to: `<sip:pchat-chat@${DOMAIN}>;tag=nope`,
        headers: [['Content-Type', 'text/plain']],
        body: '<xccos ver="1" envid="1" xmlns="urn:parlano:xml:ns:xccos"><cmd id="cmd:getinv" seqid="1"><data/></cmd></xccos>',
      });
      assert.equal(response.status, 481);
    });

    it('answers REGISTER for a domain it does not serve with 404, and for an unknown account with 403', async () => {
      const stranger = await connectOnly('alice@elsewhere.test');
      assert.equal((await stranger.register()).status, 404);
      const unknown = await connectOnly(`nobody@${DOMAIN}`);
      assert.equal((await unknown.register()).status, 403);
    });

    it('closes a connection that sends an oversized message, and keeps serving the others', async () => {
      const bystander = await signIn('bob');
      const c = await signIn('carol');
      const response = await c.info(`<xccos ver="1" envid="9" xmlns="urn:parlano:xml:ns:xccos"><cmd id="cmd:getinv" seqid="1"><data>${'x'.repeat(MAX_MESSAGE_BYTES)}</data></cmd></xccos>`).catch((e: Error) => e);
      if (!(response instanceof Error)) assert.equal(response.status, 400);
      await Promise.race([c.closedPromise, pause(5000).then(() => assert.fail('the connection is still open'))]);
      assertReply(await bystander.command('cmd:getserverinfo'), 200);
      const fresh = await signIn('carol');
      assertReply(await fresh.command('cmd:getinv'), 200);
    });

    it('survives 500 lines of random garbage, raw and in XCCOS bodies; new clients still register', async () => {
      const random = rng(20261206);
      const lines = Array.from({ length: 500 }, (_, i) => garbageLine(random, i));
      // Raw, 10 lines per connection (a framing error ends a connection, so spread them out).
      for (let i = 0; i < lines.length; i += 10) {
        const socket = await rawSocket(port);
        socket.write(`${lines.slice(i, i + 10).join('\r\n')}\r\n\r\n`);
        await Promise.race([new Promise((resolve) => socket.once('close', resolve)), pause(50)]);
        socket.destroy();
      }
      // The same lines as INFO bodies of a signed-in client.
      const c = await signIn('dave');
      for (const line of lines) {
        const response = await c.info(line);
        assert.ok(response.status < 500, `INFO answered ${response.status} ${response.reason}`);
      }
      assertReply(await c.command('cmd:getserverinfo'), 200);
      const fresh = await signIn('alice');
      assertReply(await fresh.command('cmd:chansrch', '<qib qtype="BYNAME" criteria="lobby"/>'), 200);
      expectStatus(await admin.get('/healthz'), 200);
    });
  });

  // A preference value over 64 KiB, with a message limit that lets it through to validation.
  it('cmd:setpref refuses a value over 64 KiB with 400', async () => {
    const big = await startTestServer({ 'sip.listen': [{ host: '127.0.0.1', port: 0 }], 'sip.domains': [DOMAIN], 'sip.auth': 'none-loopback-test' });
    try {
      const api = await adminApi(big.url);
      await createUser(api, `erin@${DOMAIN}`);
      const c = await SipClient.signIn({ port: big.sip[0]?.port ?? 0, login: `erin@${DOMAIN}` });
      assertReply(await c.command('cmd:setpref', `<pref label="big" content="${'x'.repeat(64 * 1024 + 1)}"/>`), 400);
      assertReply(await c.command('cmd:setpref', `<pref label="big" content="${'x'.repeat(64 * 1024)}"/>`), 200);
      c.close();
    } finally {
      await big.stop();
    }
  });
});

const signInApi = (admin: Api, name: string): Promise<Api> => Api.login(admin.baseUrl, `${name}@${DOMAIN}`, PASSWORD);

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.on('error', () => undefined);
      socket.resume();
      resolve(socket);
    });
  });
}

/** One line of garbage: random bytes, SIP-looking starts and headers, broken XML, huge numbers. */
function garbageLine(random: () => number, i: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const noise = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(random() * 0xd7ff))).join('');
  const printable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
  switch (i % 10) {
    case 0:
      return noise(1 + Math.floor(random() * 200));
    case 1:
      return `${pick(['INVITE', 'INFO', 'REGISTER', 'BYE', 'FOO', 'SIP/2.0'])} ${printable(Math.floor(random() * 40))} SIP/2.0`;
    case 2:
      return `Content-Length: ${pick(['-1', '99999999999', 'abc', '', '0x10', '4294967296', ' 7 '])}`;
    case 3:
      return `${pick(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'l', 'i', 'v'])}:${printable(Math.floor(random() * 60))}`;
    case 4:
      return `<xccos ver="1" envid="${printable(5)}" xmlns="urn:parlano:xml:ns:xccos"><cmd id="cmd:${pick(['join', 'chansrch', 'bccontext', 'setpref', printable(8)])}" seqid="${printable(3)}"><data>${printable(30)}`;
    case 5:
      return `<${printable(10)}${pick(['/>', '>', '', '<!DOCTYPE x [<!ENTITY a "b">]>', '&amp;&#xFFFF;&#0;'])}`;
    case 6:
      return ` ${printable(Math.floor(random() * 80))}`;
    case 7:
      return pick(['', ':', '::::', '\t', '\u0000\u0001\u0002', 'SIP/2.0 200 OK', 'ACK * SIP/2.0']);
    case 8:
      return `<xccos ver="1" envid="1" xmlns="urn:parlano:xml:ns:xccos"><grpchat id="grpchat" seqid="1" chanUri="${printable(20)}"><chat>${noise(40)}</chat></grpchat></xccos>`;
    default:
      return printable(Math.floor(random() * 300));
  }
}
