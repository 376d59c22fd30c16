import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';

export interface Someone {
  readonly id: number;
  readonly api: Api;
}

/**
 * A lived-in deployment for looking at every screen: people with display names, a room with two
 * days of history (grouped turns, a story, a file, a notice-free day line), a long-named room, an
 * auditorium whose presenters include a disabled account, a direct conversation, and a reader
 * (Bob) with unread messages since his last visit.
 */
export interface Scenario {
  readonly admin: Api;
  readonly adminId: number;
  readonly alice: Someone;
  readonly bob: Someone;
  readonly carol: Someone;
  readonly dave: Someone;
  readonly general: number;
  readonly longRoom: number;
  readonly hall: number;
  readonly direct: number;
  /** Bob's read position in general: the "New messages" line goes after it. */
  readonly bobReadUpTo: number;
  /** The seqs of general, in order, with who wrote them. */
  readonly history: { seq: number; authorId: number; text: string }[];
}

export const LONG_ROOM = 'quarterly planning, budgets and the roadmap of the platform team';
const DAY = 24 * 3600_000;

/** Two days ago at 10:00 local time of the test machine (the browser may be elsewhere). */
const twoDaysAgo = (minutes: number): number => {
  const d = new Date(Date.now() - 2 * DAY);
  d.setHours(10, minutes, 0, 0);
  return d.getTime();
};

export async function lived(server: TestServer): Promise<Scenario> {
  const admin = await adminApi(server.url);
  const adminId = expectStatus(await admin.get('/api/v1/me'), 200).id as number;
  const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice Liddell' });
  const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob Builder' });
  const carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol Presenter' });
  const dave = await createUser(admin, 'dave@example.com', { displayName: 'Dave Departed' });
  const everyone = [alice, bob, carol, dave].map((p) => user(p.id));
  const engineering = await createCategory(admin, 'Engineering', { allowed: everyone, fileUpload: true });
  const events = await createCategory(admin, 'Company events', { allowed: everyone });
  const general = await createRoom(admin, 'general', engineering, { members: everyone.slice(0, 3), managers: [user(alice.id)], description: 'Everyday talk about the release train' });
  const longRoom = await createRoom(admin, LONG_ROOM, engineering, {
    members: everyone.slice(0, 3),
    description: 'Every quarter: what we plan to ship, what it costs, and who decides — with the minutes of each meeting linked from here.',
  });
  const hall = await createRoom(admin, 'town hall', events, { type: 'auditorium', presenters: [user(carol.id), user(dave.id)], members: everyone });

  // Two days ago: Carol twice within a minute (one turn), again eight minutes later (a new turn), then Alice.
  const actor = await server.app.sessions.actorFor(adminId);
  const old = [
    { author: carol.id, at: twoDaysAgo(0), text: 'Release 4.2 is branched.' },
    { author: carol.id, at: twoDaysAgo(1), text: 'Please merge only fixes until Friday.' },
    { author: carol.id, at: twoDaysAgo(9), text: 'One more thing: the freeze starts at noon.' },
    { author: alice.id, at: twoDaysAgo(11), text: 'Noted. The migration notes are in the wiki.' },
  ];
  await server.app.imports.importHistory(
    actor,
    general,
    old.map((m, i) => ({ authorId: m.author, kind: 'text' as const, title: null, text: m.text, createdAt: m.at, origin: { system: 'screens-test', id: String(i) } })),
  );
  // Today: Alice three times in a row, Bob once (then he has read everything so far), then more.
  for (const text of ['Morning! The build is green again.', 'I fixed the flaky upload test.', 'Review welcome: the change is small.']) expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text }), 201);
  const bobs = expectStatus(await bob.api.post(`/api/v1/rooms/${general}/messages`, { text: 'Thanks Alice, looking at it after lunch.' }), 201);
  const bobReadUpTo = (bobs.message ?? bobs).seq as number;
  expectStatus(await bob.api.put(`/api/v1/me/rooms/${general}/read`, { seq: bobReadUpTo }), 200);
  expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { kind: 'story', title: 'Release checklist', text: 'Branch, freeze, test, tag.\nThen announce it in town hall.' }), 201);
  const form = new FormData();
  form.append('text', 'The release notes draft');
  form.append('file', new Blob(['Release 4.2\n- faster uploads\n'], { type: 'text/plain' }), 'release-notes.txt');
  const uploaded = await fetch(`${server.url}/api/v1/rooms/${general}/files`, { method: 'POST', headers: { authorization: `Bearer ${alice.api.token}` }, body: form });
  if (uploaded.status !== 201) throw new Error(`upload failed: ${uploaded.status} ${await uploaded.text()}`);
  for (const text of ['Carol, can you announce it?', 'Thanks!']) expectStatus(await alice.api.post(`/api/v1/rooms/${general}/messages`, { text }), 201);
  expectStatus(await carol.api.post(`/api/v1/rooms/${hall}/messages`, { text: 'Welcome to the quarterly town hall. Questions go to #general.' }), 201);

  const direct = expectStatus(await alice.api.post('/api/v1/direct', { participants: [bob.id] }), 201).roomId as number;
  for (const text of ['Bob, do you have a minute today?', 'It is about the release checklist.']) expectStatus(await alice.api.post(`/api/v1/rooms/${direct}/messages`, { text }), 201);

  // Dave leaves the company: his account is disabled; he stays in the presenter list.
  expectStatus(await admin.patch(`/api/v1/users/${dave.id}`, { disabled: true }), 200);
  const messages = expectStatus(await bob.api.get(`/api/v1/rooms/${general}/messages?limit=100`), 200).messages as { seq: number; authorId: number; text: string }[];
  return { admin, adminId, alice, bob, carol, dave, general, longRoom, hall, direct, bobReadUpTo, history: messages.map(({ seq, authorId, text }) => ({ seq, authorId, text })) };
}
