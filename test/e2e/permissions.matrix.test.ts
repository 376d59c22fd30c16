// The permission matrix, black box: a real server, real HTTP and WebSocket clients (and IRC for direct conversations).
// Every privacy (open, closed, secret) × type (normal, auditorium) × role × operation.
// The expected outcomes are written out below from the domain rules (../shared/docs/domain.md);
// the test never asks src/core/permissions.ts what to expect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, group, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, type ApiResponse, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { ROOM_KEYS, type RoomKey, SHARED_EXPECTED, type TableRow, uniform } from '../helpers/permissionTable.js';
import { WsClient } from '../helpers/wsClient.js';
import { RawClient } from '../irc/clients.js';

const PRIVACIES = ['open', 'closed', 'secret'] as const;
type Privacy = (typeof PRIVACIES)[number];
type RoomType = 'normal' | 'auditorium';

const OPS = ['find', 'enter', 'read', 'post', 'search', 'manage'] as const;
type Op = (typeof OPS)[number];

/**
 * The roles (rows). Set-up of each:
 * - admin: the bootstrap administrator; in no category list at all.
 * - inScope: in group Staff, which the category allows; no role in any room.
 * - member: in Staff; granted member directly in every room.
 * - nestedMember: in group A; A is in group B; B is allowed by the category and granted member in every room.
 * - manager: in Staff; granted manager directly in every room.
 * - presenter: in Staff; granted presenter in the three auditoriums (normal rooms have no presenters).
 * - denied: in Staff, a member of every room (through group RoleHolders), and listed in the category's denied list.
 * - deniedNested: like denied, but denied through nesting: in group Traders, Traders in group Wall, Wall denied.
 * - outsider: in no allowed list.
 * - disabledUser: in Staff, a member of every room, signed in, then disabled by PATCH /users/:id {disabled:true}.
 * - chatPolicyOff: in Staff, a member of every room, with a user-scope persistent chat policy set to disabled.
 */
const ROWS = [
  'admin',
  'inScope',
  'member',
  'nestedMember',
  'manager',
  'presenter',
  'denied',
  'deniedNested',
  'outsider',
  'disabledUser',
  'chatPolicyOff',
] as const;
type Row = (typeof ROWS)[number];

const ROW_LABEL: Record<Row, string> = {
  admin: 'administrator',
  inScope: "non-member inside the category's allowed list",
  member: 'member (granted directly)',
  nestedMember: 'member through a nested group (user in A, A in B, B granted)',
  manager: 'manager',
  presenter: 'presenter',
  denied: 'user denied by the category (also a member: denied wins)',
  deniedNested: 'user denied through a nested group (in Traders, Traders in Wall, Wall denied; also a member)',
  outsider: "user outside the category's allowed list",
  disabledUser: 'disabled user (token issued before disabling)',
  chatPolicyOff: 'member whose persistent chat policy is disabled',
};

/**
 * THE EXPECTED TABLE. One string per row and room, one letter per operation, in the order
 *         find enter read post search manage
 *  Y  allowed
 *  F  refused with 403 not_permitted: the caller may find the room but not do this
 *  N  refused with 404 room_not_found: to this caller the room does not exist (never 403)
 *  U  refused with 401 unauthenticated (the WebSocket upgrade is refused with HTTP 401)
 *  -  not applicable: normal rooms have no presenters (see the separate test for that row)
 *
 * Domain rules used:
 *  - open: anyone allowed by the category (and not denied) finds, enters, reads, posts, searches.
 *  - closed: anyone in scope finds it; only members, managers and presenters enter, read, post, search.
 *  - secret: only members, managers and presenters find it; to everyone else it does not exist.
 *  - auditorium: only presenters (and admins) post; everyone else who may enter only reads.
 *  - manage: managers and administrators only.
 *  - denied always wins over allowed, also through nested groups, and voids role grants.
 *  - administrators may do everything; disabled users cannot authenticate at all;
 *    a disabled chat policy means the user may not use persistent chat at all (sees nothing).
 */
const NOT_APPLICABLE = '- - - - - -';
const EXPECTED: Record<Row, TableRow> = {
  admin: SHARED_EXPECTED.admin,
  inScope: SHARED_EXPECTED.inScope,
  member: SHARED_EXPECTED.member,
  nestedMember: SHARED_EXPECTED.nestedMember,
  manager: SHARED_EXPECTED.manager,
  // Normal rooms have no presenters: the API refuses them there (tested separately).
  presenter: { ...SHARED_EXPECTED.presenterInAuditorium, 'open normal': NOT_APPLICABLE, 'closed normal': NOT_APPLICABLE, 'secret normal': NOT_APPLICABLE },
  denied: SHARED_EXPECTED.denied,
  deniedNested: SHARED_EXPECTED.deniedNested,
  outsider: SHARED_EXPECTED.outsider,
  // A disabled user's token stops working: 401 everywhere.
  disabledUser: uniform('U'),
  chatPolicyOff: SHARED_EXPECTED.chatPolicyOff,
};

type Outcome = 'Y' | 'F' | 'N' | 'U' | '-';
function expected(row: Row, key: RoomKey, op: Op): Outcome {
  const letters = EXPECTED[row][key].trim().split(/\s+/);
  assert.equal(letters.length, OPS.length, `table entry ${row} / ${key} must have ${OPS.length} letters`);
  const letter = letters[OPS.indexOf(op)];
  assert.ok(letter === 'Y' || letter === 'F' || letter === 'N' || letter === 'U' || letter === '-', `bad letter ${letter}`);
  return letter;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  Y: 'allowed',
  F: '403 not_permitted',
  N: '404 room_not_found',
  U: '401 unauthenticated',
  '-': 'not applicable',
};

/** A word that occurs in exactly one seeded message, so search results are unambiguous. */
const seedWord = (key: RoomKey): string => `seed${key.replace(' ', '')}`;
const seedText = (key: RoomKey): string => `the seeded message ${seedWord(key)} of this room`;

function expectError(res: ApiResponse, status: number, code: string, what: string): void {
  assert.equal(res.status, status, `${what}: expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, code, `${what}: error code`);
}

describe('permission matrix over HTTP and WebSocket', () => {
  let server: TestServer;
  let admin: Api;
  const apis = {} as Record<Row, Api>;
  const ids = {} as Record<Row, number>;
  const sockets = {} as Partial<Record<Row, WsClient>>;
  const rooms = {} as Record<RoomKey, number>;
  let categoryId: number;
  let staffGroup: number;
  let postCounter = 0;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    const me = expectStatus(await admin.get('/api/v1/me'), 200);
    apis.admin = admin;
    ids.admin = me.id;

    for (const row of ROWS) {
      if (row === 'admin') continue;
      const created = await createUser(admin, `${row.toLowerCase()}@matrix.example`, { displayName: ROW_LABEL[row] });
      apis[row] = created.api;
      ids[row] = created.id;
    }

    const mkGroup = async (name: string, members: { kind: 'user' | 'group'; id: number }[]): Promise<number> =>
      expectStatus(await admin.post('/api/v1/groups', { name, members }), 201).id;
    const groupA = await mkGroup('Matrix A', [user(ids.nestedMember)]);
    const groupB = await mkGroup('Matrix B', [group(groupA)]);
    const roleHolders = await mkGroup('Matrix role holders', [user(ids.denied), user(ids.deniedNested)]);
    const traders = await mkGroup('Matrix traders', [user(ids.deniedNested)]);
    const wall = await mkGroup('Matrix wall', [group(traders)]);
    staffGroup = await mkGroup('Matrix staff', [
      ...(['inScope', 'member', 'manager', 'presenter', 'denied', 'deniedNested', 'disabledUser', 'chatPolicyOff'] as const).map((r) => user(ids[r])),
      group(roleHolders),
    ]);

    // Denials come after the rooms: role lists may only name principals inside allowed − denied.
    categoryId = await createCategory(admin, 'Matrix', { allowed: [group(staffGroup), group(groupB)] });
    for (const key of ROOM_KEYS) {
      const [privacy, type] = key.split(' ') as [Privacy, RoomType];
      rooms[key] = await createRoom(admin, `matrix ${key}`, categoryId, {
        privacy,
        type,
        description: 'original description',
        members: [user(ids.member), group(groupB), group(roleHolders), user(ids.disabledUser), user(ids.chatPolicyOff)],
        managers: [user(ids.manager)],
        presenters: type === 'auditorium' ? [user(ids.presenter)] : [],
      });
      expectStatus(await admin.post(`/api/v1/rooms/${rooms[key]}/messages`, { text: seedText(key), clientId: `seed-${key}` }), 201);
    }
    expectStatus(await admin.patch(`/api/v1/categories/${categoryId}`, { denied: [user(ids.denied), group(wall)] }), 200);
    expectStatus(await admin.put('/api/v1/policies', { scope: 'user', targetId: ids.chatPolicyOff, enabled: false }), 200);
    expectStatus(await admin.patch(`/api/v1/users/${ids.disabledUser}`, { disabled: true }), 200);

    for (const row of ROWS) {
      if (row === 'disabledUser') continue;
      const ws = await WsClient.connect(server.url, apis[row].token);
      await ws.next((f) => f.type === 'ready');
      sockets[row] = ws;
    }
  });

  after(async () => {
    for (const ws of Object.values(sockets)) ws?.close();
    await server?.stop();
  });

  const history = async (roomId: number): Promise<any[]> => expectStatus(await admin.get(`/api/v1/rooms/${roomId}/messages?limit=500`), 200).messages;

  // ---- One check per operation; `outcome` is the expected table entry. ----
  const CHECKS: Record<Op, (row: Row, key: RoomKey, outcome: Outcome) => Promise<void>> = {
    async find(row, key, outcome) {
      const api = apis[row];
      const roomId = rooms[key];
      const dir = await api.get('/api/v1/rooms?limit=1000');
      const one = await api.get(`/api/v1/rooms/${roomId}`);
      if (outcome === 'U') {
        expectError(dir, 401, 'unauthenticated', 'directory');
        expectError(one, 401, 'unauthenticated', 'GET room');
        return;
      }
      const listed = expectStatus(dir, 200).rooms.map((r: any) => r.id);
      if (outcome === 'Y') {
        assert.ok(listed.includes(roomId), `room ${key} must be in the directory`);
        const body = expectStatus(one, 200);
        assert.equal(body.id, roomId);
        assert.equal(body.name, `matrix ${key}`);
      } else {
        assert.equal(outcome, 'N', 'find has no 403 outcome');
        assert.ok(!listed.includes(roomId), `room ${key} must not be in the directory`);
        expectError(one, 404, 'room_not_found', 'GET room');
      }
    },

    async enter(row, key, outcome) {
      const roomId = rooms[key];
      if (outcome === 'U') {
        await assert.rejects(WsClient.connect(server.url, apis[row].token), /HTTP 401/);
        return;
      }
      const ws = sockets[row] as WsClient;
      const reply = await ws.call({ type: 'join', roomId });
      if (outcome === 'Y') {
        assert.equal(reply.type, 'joined', JSON.stringify(reply));
        assert.equal(reply.room.id, roomId);
        assert.ok(
          reply.messages.some((m: any) => m.text === seedText(key)),
          'the join frame carries the room history',
        );
        assert.equal((await ws.call({ type: 'part', roomId })).type, 'parted');
      } else {
        assert.equal(reply.type, 'error', JSON.stringify(reply));
        assert.equal(reply.code, outcome === 'F' ? 'not_permitted' : 'room_not_found');
      }
    },

    async read(row, key, outcome) {
      const res = await apis[row].get(`/api/v1/rooms/${rooms[key]}/messages?limit=500`);
      if (outcome === 'Y') {
        const body = expectStatus(res, 200);
        assert.ok(
          body.messages.some((m: any) => m.text === seedText(key)),
          'history holds the seeded message',
        );
      } else if (outcome === 'F') expectError(res, 403, 'not_permitted', 'read');
      else if (outcome === 'N') expectError(res, 404, 'room_not_found', 'read');
      else expectError(res, 401, 'unauthenticated', 'read');
    },

    async post(row, key, outcome) {
      const roomId = rooms[key];
      const clientId = `matrix-${row}-${key}-${++postCounter}`;
      const text = `a post by ${row} number ${postCounter}`;
      const res = await apis[row].post(`/api/v1/rooms/${roomId}/messages`, { text, clientId });
      if (outcome === 'Y') {
        const body = expectStatus(res, 201);
        assert.equal(body.message.roomId, roomId);
        assert.equal(body.message.text, text);
        assert.equal(body.message.authorId, ids[row]);
        assert.equal(body.duplicate, false);
      } else {
        if (outcome === 'F') expectError(res, 403, 'not_permitted', 'post');
        else if (outcome === 'N') expectError(res, 404, 'room_not_found', 'post');
        else expectError(res, 401, 'unauthenticated', 'post');
      }
      const stored = (await history(roomId)).filter((m) => m.clientId === clientId);
      assert.equal(stored.length, outcome === 'Y' ? 1 : 0, 'stored copies of the post');
    },

    async search(row, key, outcome) {
      const roomId = rooms[key];
      const word = seedWord(key);
      const global = await apis[row].get(`/api/v1/search?q=${word}`);
      const filtered = await apis[row].get(`/api/v1/search?q=${word}&roomId=${roomId}`);
      if (outcome === 'U') {
        expectError(global, 401, 'unauthenticated', 'search');
        expectError(filtered, 401, 'unauthenticated', 'search with roomId');
        return;
      }
      const hits = expectStatus(global, 200).hits;
      if (outcome === 'Y') {
        assert.equal(hits.length, 1, `exactly the seeded message: ${JSON.stringify(hits)}`);
        assert.equal(hits[0].message.roomId, roomId);
        assert.equal(hits[0].message.text, seedText(key));
        const inRoom = expectStatus(filtered, 200).hits;
        assert.equal(inRoom.length, 1);
        assert.equal(inRoom[0].message.roomId, roomId);
      } else {
        assert.deepEqual(hits, [], 'search must not reveal the message');
        if (outcome === 'F') expectError(filtered, 403, 'not_permitted', 'search with roomId');
        else expectError(filtered, 404, 'room_not_found', 'search with roomId');
      }
    },

    async manage(row, key, outcome) {
      const roomId = rooms[key];
      const description = `edited by ${row}`;
      const res = await apis[row].patch(`/api/v1/rooms/${roomId}`, { description });
      if (outcome === 'Y') {
        const body = expectStatus(res, 200);
        assert.equal(body.description, description);
      } else {
        if (outcome === 'F') expectError(res, 403, 'not_permitted', 'manage');
        else if (outcome === 'N') expectError(res, 404, 'room_not_found', 'manage');
        else expectError(res, 401, 'unauthenticated', 'manage');
        const now = expectStatus(await admin.get(`/api/v1/rooms/${roomId}`), 200);
        assert.notEqual(now.description, description, 'the refused change must not be applied');
      }
    },
  };

  for (const row of ROWS) {
    describe(ROW_LABEL[row], () => {
      for (const key of ROOM_KEYS) {
        const [privacy, type] = key.split(' ') as [Privacy, RoomType];
        if (EXPECTED[row][key].replace(/\s+/g, '') === '------') {
          it(`${key} room: not applicable — normal rooms have no presenters (the API refuses one: 400 invalid_input)`, async () => {
            assert.equal(type, 'normal');
            const res = await admin.patch(`/api/v1/rooms/${rooms[key]}`, { presenters: [user(ids[row])] });
            expectError(res, 400, 'invalid_input', 'adding a presenter to a normal room');
            assert.equal(res.body.error.field, 'presenters');
            const created = await admin.post('/api/v1/rooms', { name: `presenters in ${privacy} normal`, categoryId, privacy, type, presenters: [user(ids[row])] });
            expectError(created, 400, 'invalid_input', 'creating a normal room with a presenter');
          });
          continue;
        }
        for (const op of OPS) {
          const outcome = expected(row, key, op);
          it(`${op} in ${key} room → ${OUTCOME_TEXT[outcome]}`, () => CHECKS[op](row, key, outcome));
        }
      }
    });
  }

  describe('users who cannot act at all', () => {
    it('a disabled user cannot sign in again (401 unauthenticated)', async () => {
      const res = await new Api(server.url).post('/api/v1/sessions', { login: 'disableduser@matrix.example', password: 'user-password-123' });
      expectError(res, 401, 'unauthenticated', 'login of a disabled user');
    });

    it("disabling a user closes their open WebSocket at once and revokes their token", async () => {
      const victim = await createUser(admin, 'soon-disabled@matrix.example');
      const ws = await WsClient.connect(server.url, victim.api.token);
      await ws.next((f) => f.type === 'ready');
      expectStatus(await admin.patch(`/api/v1/users/${victim.id}`, { disabled: true }), 200);
      const closed = await ws.waitClose();
      assert.equal(closed.code, 4001);
      expectError(await victim.api.get('/api/v1/me'), 401, 'unauthenticated', 'GET /me with a revoked token');
    });

    it('the chat-policy-disabled user is signed in but sees an empty directory and no search hits', async () => {
      const me = expectStatus(await apis.chatPolicyOff.get('/api/v1/me'), 200);
      assert.equal(me.chatEnabled, false);
      assert.deepEqual(expectStatus(await apis.chatPolicyOff.get('/api/v1/rooms'), 200).rooms, []);
      assert.deepEqual(expectStatus(await apis.chatPolicyOff.get('/api/v1/search?q=seed'), 200).hits, []);
    });

    it('a manager whose chat policy is disabled cannot manage the room either: 404 room_not_found like GET, not 200', async () => {
      const mgr = await createUser(admin, 'manager-policy-off@matrix.example');
      const cat = await createCategory(admin, 'Matrix policy', { allowed: [user(mgr.id)] });
      const roomId = await createRoom(admin, 'matrix policy-off managed', cat, { privacy: 'secret', managers: [user(mgr.id)] });
      expectStatus(await admin.put('/api/v1/policies', { scope: 'user', targetId: mgr.id, enabled: false }), 200);
      expectError(await mgr.api.get(`/api/v1/rooms/${roomId}`), 404, 'room_not_found', 'GET room');
      expectError(await mgr.api.patch(`/api/v1/rooms/${roomId}`, { description: 'changed while chat is off' }), 404, 'room_not_found', 'PATCH room');
    });
  });

  describe('direct conversations: their participants only, through every door (administrators included in "everyone else")', () => {
    const word = 'directmatrixword';
    let conversation: number;
    let a: { id: number; api: Api };
    let b: { id: number; api: Api };
    let bSocket: WsClient;

    before(async () => {
      a = await createUser(admin, 'dm-a@matrix.example');
      b = await createUser(admin, 'dm-b@matrix.example');
      // B is online before the conversation exists: the first message must still reach them.
      bSocket = await WsClient.connect(server.url, b.api.token);
      await bSocket.next((f) => f.type === 'ready');
      const opened = expectStatus(await a.api.post('/api/v1/direct', { participants: ['dm-b@matrix.example'] }), 201);
      conversation = opened.roomId;
      expectStatus(await a.api.post(`/api/v1/rooms/${conversation}/messages`, { text: `the first direct message ${word}` }), 201);
    });
    after(() => bSocket?.close());

    it('reaches the other participant live without a join, and lists it for both with its unread count', async () => {
      const announced = await bSocket.next((f) => f.type === 'direct' && f.conversation.roomId === conversation);
      assert.deepEqual(announced.conversation.participants.map((p: any) => p.id), [a.id, b.id]);
      const live = await bSocket.next((f) => f.type === 'message' && f.roomId === conversation);
      assert.equal(live.message.text, `the first direct message ${word}`);
      const mine = expectStatus(await b.api.get('/api/v1/direct'), 200).conversations;
      assert.deepEqual(mine.map((c: any) => [c.roomId, c.unread, c.lastMessage.text]), [[conversation, 1, `the first direct message ${word}`]]);
      const again = await a.api.post('/api/v1/direct', { participants: [b.id] });
      assert.equal(expectStatus(again, 200).roomId, conversation, 'a pair has one conversation');
      assert.equal(again.body.created, false);
    });

    it('participants read, search, post and enter it; nobody manages it', async () => {
      expectStatus(await b.api.post(`/api/v1/rooms/${conversation}/messages`, { text: 'an answer' }), 201);
      assert.deepEqual(expectStatus(await b.api.get(`/api/v1/rooms/${conversation}/messages`), 200).messages.map((m: any) => m.text), [`the first direct message ${word}`, 'an answer']);
      assert.equal(expectStatus(await b.api.get(`/api/v1/search?q=${word}`), 200).hits.length, 1);
      const joined = await bSocket.call({ type: 'join', roomId: conversation });
      assert.equal(joined.type, 'joined', JSON.stringify(joined));
      await bSocket.call({ type: 'part', roomId: conversation });
      expectError(await b.api.patch(`/api/v1/rooms/${conversation}`, { description: 'ours' }), 403, 'not_permitted', 'a participant managing');
      assert.equal(expectStatus(await b.api.get('/api/v1/rooms?limit=1000'), 200).rooms.some((r: any) => r.id === conversation), false, 'not a room of the directory');
    });

    for (const row of ['admin', 'outsider', 'inScope', 'member', 'manager'] as const) {
      it(`${ROW_LABEL[row]}: 404 room_not_found over HTTP, WebSocket and IRC, nothing in listings or search`, async () => {
        const api = apis[row];
        const text = `intrusion by ${row}`;
        expectError(await api.get(`/api/v1/direct/${conversation}`), 404, 'room_not_found', 'GET conversation');
        expectError(await api.get(`/api/v1/rooms/${conversation}`), 404, 'room_not_found', 'GET room');
        expectError(await api.get(`/api/v1/rooms/${conversation}/messages`), 404, 'room_not_found', 'read');
        expectError(await api.post(`/api/v1/rooms/${conversation}/messages`, { text }), 404, 'room_not_found', 'post');
        expectError(await api.get(`/api/v1/search?q=${word}&roomId=${conversation}`), 404, 'room_not_found', 'search in room');
        assert.deepEqual(expectStatus(await api.get(`/api/v1/search?q=${word}`), 200).hits, [], 'global search');
        expectError(await api.patch(`/api/v1/rooms/${conversation}`, { description: 'taken over' }), 404, 'room_not_found', 'manage');
        expectError(await api.put(`/api/v1/me/rooms/${conversation}/read`, { seq: 1 }), 404, 'room_not_found', 'mark read');
        expectError(await api.put(`/api/v1/me/rooms/${conversation}`, { followed: true }), 404, 'room_not_found', 'follow');
        assert.equal(expectStatus(await api.get('/api/v1/rooms?limit=1000'), 200).rooms.some((r: any) => r.id === conversation), false, 'directory');
        assert.equal(expectStatus(await api.get('/api/v1/direct'), 200).conversations.some((c: any) => c.roomId === conversation), false, 'conversation list');
        const ws = sockets[row] as WsClient;
        for (const frame of [{ type: 'join', roomId: conversation }, { type: 'history', roomId: conversation }, { type: 'post', roomId: conversation, text }]) {
          const reply = await ws.call(frame);
          assert.equal(reply.type, 'error', `${frame.type}: ${JSON.stringify(reply)}`);
          assert.equal(reply.code, 'room_not_found', frame.type);
        }
        if (row === 'admin') {
          expectError(await api.delete(`/api/v1/rooms/${conversation}`), 404, 'room_not_found', 'admin DELETE');
          const swept = expectStatus(await api.post('/api/v1/moderation/remove-messages', { authorId: a.id, action: 'remove', dryRun: true }), 200);
          assert.equal(swept.matched, 0, 'moderation neither counts nor touches direct messages');
        }
        const login = row === 'admin' ? 'admin' : `${row.toLowerCase()}@matrix.example`;
        const irc = await RawClient.register(server.irc[0]?.port ?? 0, login, row === 'admin' ? ADMIN_PASSWORD : PASSWORD, ['batch', 'server-time', 'draft/chathistory']);
        try {
          irc.send('CHATHISTORY LATEST dm-a * 10', 'CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z 50', 'LIST');
          const lines = await irc.sync();
          assert.ok(lines.some((l) => / FAIL CHATHISTORY INVALID_TARGET LATEST dm-a /.test(l)), lines.join('\n'));
          assert.ok(!lines.some((l) => l.includes(word) || / CHATHISTORY TARGETS dm-/.test(l) || l.includes('direct ')), lines.join('\n'));
        } finally {
          irc.close();
        }
        const stored = expectStatus(await b.api.get(`/api/v1/rooms/${conversation}/messages`), 200).messages;
        assert.equal(stored.some((m: any) => m.text === text), false, 'nothing was posted');
      });
    }

    it('compliance records it like any room (administrators read the compliance record, not the conversation)', async () => {
      const events = expectStatus(await admin.get(`/api/v1/compliance?roomId=${conversation}&type=CHAT`), 200).events;
      assert.ok(events.some((e: any) => e.userId === a.id && String(e.data?.text).includes(word)), JSON.stringify(events));
    });
  });

  describe('denied wins, also over a role listed directly', () => {
    it('a member listed directly and then denied by the category loses access, and the room stays editable by its admin and manager', async () => {
      const walled = await createUser(admin, 'walled@matrix.example');
      const cat = await createCategory(admin, 'Matrix wall test', { allowed: [group(staffGroup), user(walled.id)] });
      const roomId = await createRoom(admin, 'matrix direct then denied', cat, { members: [user(walled.id)], managers: [user(ids.manager)] });
      expectStatus(await walled.api.get(`/api/v1/rooms/${roomId}/messages`), 200);
      expectStatus(await admin.patch(`/api/v1/categories/${cat}`, { denied: [user(walled.id)] }), 200);
      expectError(await walled.api.get(`/api/v1/rooms/${roomId}`), 404, 'room_not_found', 'GET room after the deny');
      expectError(await walled.api.get(`/api/v1/rooms/${roomId}/messages`), 404, 'room_not_found', 'read after the deny');
      // A settings change that does not touch the member list must still work.
      const byAdmin = await admin.patch(`/api/v1/rooms/${roomId}`, { description: 'edited by the administrator' });
      assert.equal(byAdmin.status, 200, `admin PATCH: ${JSON.stringify(byAdmin.body)}`);
      const byManager = await apis.manager.patch(`/api/v1/rooms/${roomId}`, { description: 'edited by the manager' });
      assert.equal(byManager.status, 200, `manager PATCH: ${JSON.stringify(byManager.body)}`);
    });
  });

  describe('disabled rooms', () => {
    for (const privacy of PRIVACIES) {
      it(`a disabled ${privacy} room: nobody enters, reads, posts or searches; listed only for admins and managers; re-enabling brings history back`, async () => {
        const word = `disabledseed${privacy}`;
        const roomId = await createRoom(admin, `matrix disabled ${privacy}`, categoryId, {
          privacy,
          members: [user(ids.member)],
          managers: [user(ids.manager)],
        });
        expectStatus(await apis.member.post(`/api/v1/rooms/${roomId}/messages`, { text: `history before ${word}` }), 201);
        const memberWs = sockets.member as WsClient;
        assert.equal((await memberWs.call({ type: 'join', roomId })).type, 'joined');

        expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { disabled: true }), 200);
        const removed = await memberWs.next((f) => f.type === 'removed' && f.roomId === roomId);
        assert.equal(removed.reason, 'disabled', 'members are disconnected at once');

        const listedFor = async (row: Row) => expectStatus(await apis[row].get('/api/v1/rooms?limit=1000'), 200).rooms.some((r: any) => r.id === roomId);
        assert.equal(await listedFor('admin'), true, 'admin still lists it');
        assert.equal(await listedFor('manager'), true, 'manager still lists it');
        assert.equal(await listedFor('member'), false, 'member no longer lists it');
        assert.equal(await listedFor('inScope'), false, 'in-scope user no longer lists it');
        expectStatus(await admin.get(`/api/v1/rooms/${roomId}`), 200);
        expectStatus(await apis.manager.get(`/api/v1/rooms/${roomId}`), 200);
        expectError(await apis.member.get(`/api/v1/rooms/${roomId}`), 404, 'room_not_found', 'member GET');
        expectError(await apis.inScope.get(`/api/v1/rooms/${roomId}`), 404, 'room_not_found', 'in-scope GET');

        for (const row of ['admin', 'manager', 'member', 'inScope'] as const) {
          // Those who still find it are told it is disabled; to the others it does not exist.
          const [status, code] = row === 'admin' || row === 'manager' ? [403, 'room_disabled'] : [404, 'room_not_found'];
          const api = apis[row];
          expectError(await api.get(`/api/v1/rooms/${roomId}/messages`), status, code, `${row} read`);
          expectError(await api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'into a disabled room' }), status, code, `${row} post`);
          expectError(await api.get(`/api/v1/search?q=${word}&roomId=${roomId}`), status, code, `${row} search in room`);
          assert.deepEqual(expectStatus(await api.get(`/api/v1/search?q=${word}`), 200).hits, [], `${row} global search`);
          const joined = await (sockets[row] as WsClient).call({ type: 'join', roomId });
          assert.equal(joined.type, 'error', `${row} join`);
          assert.equal(joined.code, code, `${row} join`);
        }

        const reenabled = await apis.manager.patch(`/api/v1/rooms/${roomId}`, { disabled: false });
        assert.equal(reenabled.status, 200, `a manager re-enables: ${JSON.stringify(reenabled.body)}`);
        const back = expectStatus(await apis.member.get(`/api/v1/rooms/${roomId}/messages`), 200);
        assert.deepEqual(
          back.messages.map((m: any) => m.text),
          [`history before ${word}`],
        );
        const hits = expectStatus(await apis.member.get(`/api/v1/search?q=${word}`), 200).hits;
        assert.equal(hits.length, 1);
        assert.equal(await listedFor('member'), true);
        const rejoined = await memberWs.call({ type: 'join', roomId });
        assert.equal(rejoined.type, 'joined');
        assert.deepEqual(
          rejoined.messages.map((m: any) => m.text),
          [`history before ${word}`],
        );
        await memberWs.call({ type: 'part', roomId });
      });
    }
  });
});
