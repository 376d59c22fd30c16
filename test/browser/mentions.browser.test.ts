import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seriousViolations } from './axe.js';
import { launchBrowser, People, type Person } from './browser.js';

/**
 * Records the notifications the page shows and the permission requests it makes, around the
 * browser's real Notification (granted or not by the context), and lets a test make the page
 * hidden: headless Chromium has no other tab or window to hide it behind.
 */
const SPY = `
  globalThis.__shown = [];
  globalThis.__asked = 0;
  globalThis.__hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (globalThis.__hidden ? 'hidden' : 'visible') });
  if (typeof Notification !== 'undefined') {
    const Real = Notification;
    const ask = Real.requestPermission.bind(Real);
    class Recorded extends Real {
      constructor(title, options) {
        super(title, options);
        globalThis.__shown.push({ title, body: options && options.body });
      }
    }
    Recorded.requestPermission = () => { globalThis.__asked++; return ask(); };
    globalThis.Notification = Recorded;
  }
`;

/** @mentions in the web client: completion, highlight, badges and title, the Mentions view, the per-room setting and notifications. */
describe('web client: mentions and notifications', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let roomId: number;
  let sideRoom: number;
  const people = new People(() => ({ browser, url: server.url }));
  let a: Person;
  let b: Person;

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    let carol: { id: number };
    [alice, bob, carol] = await Promise.all([
      createUser(admin, 'alice', { displayName: 'Alice Archer' }),
      createUser(admin, 'bob', { displayName: 'Robert Bloggs' }),
      createUser(admin, 'carol', { displayName: 'Carol Clark' }),
    ]);
    const category = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id), user(carol.id)] });
    // Carol may use the category but is no member of this closed room: she is never offered.
    roomId = await createRoom(admin, 'planning', category, { members: [user(alice.id), user(bob.id)] });
    sideRoom = await createRoom(admin, 'side', category, { members: [user(alice.id), user(bob.id)] });
    a = await people.stranger();
    b = await people.stranger();
    await b.context.grantPermissions(['notifications'], { origin: server.url });
    for (const p of [a, b]) await p.page.addInitScript(SPY);
    await Promise.all([a.signIn('alice'), b.signIn('bob')]);
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('completes @ with the people who may read the room (arrows, Enter, Escape) and highlights the mention for the one mentioned', async () => {
    await a.openRoom(roomId);
    await b.openRoom(roomId);
    // Bob looks elsewhere, so the mention stays unread for him.
    await b.goto('#/');
    const box = a.page.locator('.composer textarea');
    const options = a.page.getByRole('listbox', { name: 'People to mention' });
    const answered = a.page.waitForResponse((r) => r.url().includes('/people?prefix=ca'));
    await box.pressSequentially('lunch @ca');
    await answered;
    assert.equal(await options.isVisible(), false, 'carol cannot read the room: nobody to offer');
    await box.fill('');
    await box.pressSequentially('lunch @');
    await options.getByRole('option').first().waitFor();
    // Administrators may read every room, so they are offered too.
    assert.deepEqual(await options.getByRole('option').allInnerTexts(), ['Administrator @admin', 'Alice Archer @alice', 'Robert Bloggs @bob']);
    assert.equal(await box.getAttribute('aria-controls'), await options.getAttribute('id'));
    await box.pressSequentially('Ro');
    await options.getByRole('option', { name: /Robert Bloggs/ }).waitFor();
    assert.equal(await options.getByRole('option').count(), 1, 'by a word of the display name');
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.getByRole('option').first().getAttribute('id'));
    await a.screenshot('mentions-completion');
    assert.deepEqual(await seriousViolations(a.page), [], 'the open listbox and the field that controls it');
    await box.press('Enter');
    assert.equal(await box.inputValue(), 'lunch @bob ', 'Enter inserts the login, and does not send');
    await box.pressSequentially('and @al');
    await options.getByRole('option', { name: /Alice Archer/ }).waitFor();
    await box.press('Escape');
    await options.waitFor({ state: 'hidden' });
    await box.fill('lunch @bob?');
    await box.press('Enter');

    // Bob: the sidebar counts the mention apart from unread, the title shows it, the message is marked.
    const link = b.page.locator('.room-list a', { hasText: 'planning' });
    await link.getByLabel('1 mention of you').waitFor();
    assert.equal(await b.page.locator('.mentions-link').getByLabel('1 unread mention').count(), 1);
    assert.equal(await b.page.title(), '(1) pchat');
    await b.openRoom(roomId);
    const marked = b.page.locator('li.msg.mentions-me', { hasText: 'lunch @bob?' });
    await marked.getByText('mentions you').waitFor();
    assert.equal(await marked.locator('.mention-chip.you').textContent(), '@bob', 'your login as a chip of its own kind');
    assert.equal(await marked.locator('.mention-chip.you').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display), 'inline', 'a chip flows in the line');
    assert.equal(await a.page.locator('li.msg.mentions-me').count(), 0, 'the author sees no highlight');
    assert.equal(await a.page.locator('li.msg .mention-chip', { hasText: '@bob' }).count(), 1, 'everyone sees the chip');
    await b.screenshot('mentions-highlight');
    // The bar, the tag and the chips keep their contrast in both colour schemes.
    assert.deepEqual(await seriousViolations(b.page), []);
    await b.page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await seriousViolations(b.page), [], 'dark');
    await b.page.emulateMedia({ colorScheme: 'light' });
    // Reading the room reads the mention.
    await b.page.waitForFunction('document.title === "pchat"');
    assert.equal(await link.getByLabel(/mention/).count(), 0);
  });

  it('lists mentions newest first in the Mentions view, each opening its place in the room, with no serious accessibility violation', async () => {
    expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text: 'and again, @bob' }), 201);
    await b.goto('#/mentions');
    const hits = b.page.locator('.mentions-page li.hit');
    await hits.first().waitFor();
    assert.deepEqual(await b.page.locator('.mentions-page li.hit .text').allTextContents(), ['and again, @bob', 'lunch @bob?']);
    assert.deepEqual(await seriousViolations(b.page), []);
    await b.screenshot('mentions-view');
    await hits.last().getByRole('link').click();
    await b.page.locator('li.msg.focused', { hasText: 'lunch @bob?' }).waitFor();
  });

  it('keeps the room setting on the server, notifies while hidden as it says, and asks permission only from a click', async () => {
    await b.openRoom(roomId);
    const shown = async () => (await b.page.evaluate('globalThis.__shown')) as { title: string; body: string }[];
    const post = async (text: string) => expectStatus(await alice.api.post(`/api/v1/rooms/${roomId}/messages`, { text }), 201);
    const seen = (text: string) => b.page.locator('li.msg', { hasText: text }).waitFor();
    await b.page.evaluate('globalThis.__hidden = true');

    // The default, mentions: a plain message says nothing, a mention notifies.
    await post('plain words');
    await seen('plain words');
    await post('@bob are you there');
    await seen('@bob are you there');
    assert.deepEqual(await shown(), [{ title: 'Alice Archer mentioned you in planning', body: '@bob are you there' }]);

    // A room bob never opened in this browser: the server pushes the mention; counted and notified.
    const total = b.page.locator('.mentions-link .mention-badge');
    const before = (await total.count()) > 0 ? Number(await total.textContent()) : 0;
    expectStatus(await alice.api.post(`/api/v1/rooms/${sideRoom}/messages`, { text: 'over here, @bob' }), 201);
    await b.page.waitForFunction('globalThis.__shown.length === 2');
    assert.deepEqual((await shown())[1], { title: 'Alice Archer mentioned you in side', body: 'over here, @bob' });
    assert.equal(await total.textContent(), String(before + 1));
    assert.equal(await b.page.locator('.room-list a', { hasText: 'side' }).count(), 0, 'the room is not opened for it');

    // All: every message while hidden.
    const setting = b.page.getByLabel('Notify me of');
    // Chosen in the room header, stored on the server: another device (bob's API client) reads it back.
    const choose = async (level: string) => {
      const saved = b.page.waitForResponse((r) => r.url().endsWith(`/api/v1/me/rooms/${roomId}/notify`) && r.request().method() === 'PUT');
      await setting.selectOption(level);
      assert.equal((await saved).status(), 200);
      const rooms = expectStatus(await bob.api.get('/api/v1/me/rooms'), 200).rooms as { roomId: number; notify: string }[];
      assert.equal(rooms.find((r) => r.roomId === roomId)?.notify, level);
    };
    await choose('all');
    await post('everyone hears this');
    await seen('everyone hears this');
    assert.equal((await shown()).at(-1)?.title, 'Alice Archer in planning');

    // None: nothing, not even a mention; visible again: nothing either.
    await choose('none');
    const shownBefore = (await shown()).length;
    await post('@bob quiet please');
    await seen('@bob quiet please');
    await b.page.evaluate('globalThis.__hidden = false');
    await choose('all');
    await post('seen on screen');
    await seen('seen on screen');
    assert.equal((await shown()).length, shownBefore, 'neither with "none" nor while the page is visible');

    // Permission: never asked at page load; the profile's button asks.
    assert.equal(await a.page.evaluate('globalThis.__asked'), 0);
    await a.goto('#/profile');
    await a.page.getByRole('button', { name: 'Turn on browser notifications' }).click();
    await a.page.waitForFunction('globalThis.__asked === 1');
    await b.goto('#/profile');
    await b.page.getByText('Browser notifications are on').waitFor();
    b.assertClean();
    a.assertClean();
  });
});
