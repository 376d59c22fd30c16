import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createRoom, user } from '../helpers/fixtures.js';
import { expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, Person } from './browser.js';
import { lived, type Scenario } from './scenario.js';

/** One message as the reader sees it: whose name heads it (null when it continues a turn) and its avatar. */
interface Shown {
  seq: number;
  continued: boolean;
  visibleAuthor: string | null;
  srAuthor: string;
  avatar: string | null;
  avatarClass: string | null;
  avatarHidden: string | null;
}

const SHOWN = `[...document.querySelectorAll('.msg-list li.msg:not(.pending)')].map((li) => {
  const meta = li.querySelector('.msg-meta');
  const avatar = li.querySelector('.avatar');
  return {
    seq: Number(li.dataset.seq),
    continued: li.classList.contains('continued'),
    visibleAuthor: meta.classList.contains('sr-only') ? null : meta.querySelector('.author').textContent,
    srAuthor: meta.querySelector('.author').textContent,
    avatar: avatar ? avatar.textContent : null,
    avatarClass: avatar ? [...avatar.classList].find((c) => /^av\\d+$/.test(c)) : null,
    avatarHidden: avatar ? avatar.getAttribute('aria-hidden') : null,
  };
})`;

/** The rows of the list in order: day lines and the new-messages line by their text, messages by seq. */
const ROWS = `[...document.querySelectorAll('.msg-list > li')].map((li) => li.classList.contains('divider') ? (li.classList.contains('new') ? 'NEW' : 'DAY ' + li.textContent) : li.dataset.seq)`;

/** Turns, day lines, the "New messages" line and avatars: a room's history read as a conversation. */
describe('web client: a room read as a conversation', () => {
  let server: TestServer;
  let browser: Browser;
  let s: Scenario;
  const open: Person[] = [];
  const person = async (login: string, options: { timezoneId?: string; locale?: string } = {}) => {
    const p = await Person.open(browser, server.url, { width: 1280, height: 800 }, options);
    open.push(p);
    await p.signIn(login);
    return p;
  };
  const seqOf = (text: string) => s.history.find((m) => m.text === text)!.seq;

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    s = await lived(server);
  });
  after(async () => {
    for (const p of open) await p.close();
    await browser?.close();
    await server?.stop();
  });

  it('groups one author’s messages within five minutes under one name, and starts a new turn after a gap, another author, a story or a day line', async () => {
    const b = await person('bob@example.com', { locale: 'en-US' });
    await b.openRoom(s.general);
    await b.page.getByText('Thanks!', { exact: true }).waitFor();
    const shown = (await b.page.evaluate<Shown[]>(SHOWN)).map((m) => ({ ...m, text: s.history.find((h) => h.seq === m.seq)?.text ?? '' }));
    const heads = shown.filter((m) => !m.continued).map((m) => `${m.visibleAuthor}: ${m.text}`);
    assert.deepEqual(heads, [
      'Carol Presenter: Release 4.2 is branched.',
      'Carol Presenter: One more thing: the freeze starts at noon.', // eight minutes later
      'Alice Liddell: Noted. The migration notes are in the wiki.',
      'Alice Liddell: Morning! The build is green again.', // another day
      'Bob Builder: Thanks Alice, looking at it after lunch.',
      'Alice Liddell: Branch, freeze, test, tag.\nThen announce it in town hall.', // the "New messages" line, and a story stands alone
      'Alice Liddell: The release notes draft', // after a story
    ]);
    for (const m of shown) {
      assert.equal(m.srAuthor.length > 0, true, 'every message keeps its author for screen readers');
      assert.equal(m.continued ? m.visibleAuthor === null && m.avatar === null : m.visibleAuthor !== null && m.avatar !== null, true, `seq ${m.seq}: a name and avatar only at the head of a turn`);
    }
    assert.deepEqual(
      shown.filter((m) => m.continued).map((m) => m.text),
      ['Please merge only fixes until Friday.', 'I fixed the flaky upload test.', 'Review welcome: the change is small.', 'Carol, can you announce it?', 'Thanks!'],
    );
    b.assertClean();
  });

  it('draws day lines in the reader’s local time, and never groups across one', async () => {
    // Two messages four minutes apart around midnight UTC: one day in New York, two days in UTC.
    const categories = expectStatus(await s.admin.get('/api/v1/categories'), 200).categories as { id: number; name: string }[];
    const night = await createRoom(s.admin, 'night shift', categories.find((c) => c.name === 'Engineering')!.id, { members: [user(s.bob.id), user(s.carol.id)] });
    const actor = await server.app.sessions.actorFor(s.adminId);
    const at = [Date.parse('2024-03-04T23:58:00Z'), Date.parse('2024-03-05T00:02:00Z')];
    await server.app.imports.importHistory(
      actor,
      night,
      at.map((t, i) => ({ authorId: s.carol.id, kind: 'text' as const, title: null, text: `night ${i}`, createdAt: t, origin: { system: 'conversation-test', id: String(i) } })),
    );
    const rowsIn = async (timezoneId: string) => {
      const p = await person('bob@example.com', { timezoneId, locale: 'en-US' });
      await p.openRoom(night);
      await p.page.getByText('night 1').waitFor();
      const rows = await p.page.evaluate<string[]>(ROWS);
      const continued = await p.page.locator('li.msg.continued').count();
      await p.screen(`day-lines-${timezoneId.replace('/', '-')}`);
      return { rows, continued };
    };
    const utc = await rowsIn('UTC');
    assert.deepEqual(utc.rows, ['DAY Monday, March 4, 2024', '1', 'DAY Tuesday, March 5, 2024', '2']);
    assert.equal(utc.continued, 0, 'a day line starts a new turn');
    const newYork = await rowsIn('America/New_York');
    assert.deepEqual(newYork.rows, ['DAY Monday, March 4, 2024', '1', '2']);
    assert.equal(newYork.continued, 1, 'the same evening, four minutes apart: one turn');
  });

  it('marks where the reader left off with a "New messages" line, which stays while reading and goes once read', async () => {
    // Bob's other browsers close first: one showing the room would read Carol's message at once.
    for (const p of open.splice(0)) await p.close();
    // Bob read up to his own message (or, after the tests above, further); Carol writes after that.
    const readingOf = async () => (expectStatus(await s.bob.api.get('/api/v1/me/rooms'), 200).rooms as { roomId: number; lastRead: number; unread: number }[]).find((r) => r.roomId === s.general)!;
    expectStatus(await s.carol.api.post(`/api/v1/rooms/${s.general}/messages`, { text: 'Town hall at four.' }), 201);
    const { lastRead } = await readingOf();
    assert.ok(lastRead >= s.bobReadUpTo);
    const b = await person('bob@example.com');
    await b.openRoom(s.general);
    await b.page.getByText('Town hall at four.').waitFor();
    const rows = await b.page.evaluate<string[]>(ROWS);
    assert.equal(rows.filter((r) => r === 'NEW').length, 1);
    assert.equal(rows[rows.indexOf('NEW') - 1], String(lastRead), 'after the last message Bob read');
    assert.equal(rows[rows.indexOf('NEW') + 1], String(lastRead + 1), 'before the first he has not');
    assert.equal(await b.page.locator('.divider.new').innerText(), 'New messages');
    // Having seen the newest message, Bob's position reaches the server; the line stays put meanwhile.
    await waitFor(async () => (await readingOf()).unread === 0, 'the read position reaches the server');
    assert.equal(await b.page.locator('.divider.new').count(), 1);
    await b.screen('new-messages-line');
    // Back in the room later: everything is read, so no line; then one new message brings it back above it.
    await b.goto('#/');
    await b.page.getByRole('heading', { name: 'Room directory' }).waitFor();
    await b.openRoom(s.general);
    assert.equal(await b.page.locator('.divider.new').count(), 0, 'nothing new: no line');
    await b.goto('#/');
    await b.page.getByRole('heading', { name: 'Room directory' }).waitFor();
    const posted = expectStatus(await s.carol.api.post(`/api/v1/rooms/${s.general}/messages`, { text: 'Announced.' }), 201).message.seq as number;
    await b.page.locator('#sidebar a', { hasText: 'general' }).getByLabel('1 unread').waitFor();
    await b.openRoom(s.general);
    await b.page.getByText('Announced.').waitFor();
    const again = await b.page.evaluate<string[]>(ROWS);
    assert.equal(again[again.indexOf('NEW') + 1], String(posted));
    b.assertClean();
  });

  it('never marks one’s own messages as new', async () => {
    // Alice read up to Bob's message; the four after it are hers, then Carol writes.
    expectStatus(await s.alice.api.put(`/api/v1/me/rooms/${s.general}/read`, { seq: s.bobReadUpTo }), 200);
    const carols = expectStatus(await s.carol.api.post(`/api/v1/rooms/${s.general}/messages`, { text: 'Seen, thanks.' }), 201).message.seq as number;
    const { messages } = expectStatus(await s.alice.api.get(`/api/v1/rooms/${s.general}/messages?after=${s.bobReadUpTo}`), 200) as { messages: { seq: number; authorId: number }[] };
    const firstByOthers = messages.find((m) => m.authorId !== s.alice.id)!.seq;
    assert.ok(firstByOthers > seqOf('Thanks!') && firstByOthers <= carols);
    const a = await person('alice@example.com');
    await a.openRoom(s.general);
    await a.page.getByText('Seen, thanks.').waitFor();
    const rows = await a.page.evaluate<string[]>(ROWS);
    assert.equal(rows.filter((r) => r === 'NEW').length, 1);
    assert.equal(rows[rows.indexOf('NEW') + 1], String(firstByOthers), 'the line skips what Alice wrote herself');
  });

  it('shows initials avatars in a stable colour per person, hidden from screen readers, with readable contrast', async () => {
    const first = await person('bob@example.com');
    await first.openRoom(s.general);
    await first.page.getByText('Thanks!', { exact: true }).waitFor();
    const second = await person('carol@example.com');
    await second.openRoom(s.general);
    await second.page.getByText('Thanks!', { exact: true }).waitFor();
    const avatars = async (p: Person) => {
      const shown = await p.page.evaluate<Shown[]>(SHOWN);
      const byAuthor = new Map<string, Set<string>>();
      for (const m of shown.filter((x) => !x.continued)) {
        assert.equal(m.avatarHidden, 'true', 'the avatar is decoration: the name is the text');
        const key = `${m.visibleAuthor} ${m.avatar}`;
        byAuthor.set(key, new Set([...(byAuthor.get(key) ?? []), m.avatarClass ?? 'none']));
      }
      return Object.fromEntries([...byAuthor].map(([k, v]) => [k, [...v]]));
    };
    const seen = await avatars(first);
    assert.deepEqual(Object.keys(seen).sort(), ['Alice Liddell AL', 'Bob Builder BB', 'Carol Presenter CP']);
    for (const classes of Object.values(seen)) assert.equal(classes.length, 1, 'one colour per person');
    assert.deepEqual(await avatars(second), seen, 'the same colours in another browser');
    // In the direct conversation Alice has the same colour as in the room.
    await first.openRoom(s.direct);
    await first.page.getByText('It is about the release checklist.').waitFor();
    assert.deepEqual((await avatars(first))['Alice Liddell AL'], seen['Alice Liddell AL']);
    // Every colour of the palette, not only those these three people drew.
    const contrast = await first.page.evaluate<number>(`(() => {
      const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const ratios = [];
      for (let i = 0; i < 10; i++) {
        const e = document.createElement('span');
        e.className = 'avatar av' + i;
        document.body.appendChild(e);
        const s = getComputedStyle(e);
        const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
        ratios.push((a + 0.05) / (b + 0.05));
        e.remove();
      }
      return Math.min(...ratios);
    })()`);
    assert.ok(contrast >= 4.5, `initials at a contrast of ${contrast.toFixed(2)}`);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}
