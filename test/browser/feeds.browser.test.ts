import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seriousViolations } from './axe.js';
import { launchBrowser, People } from './browser.js';

/** Records the notifications shown around the browser's real Notification, and lets the test hide the page (headless Chromium has no other tab). */
const SPY = `
  globalThis.__shown = [];
  globalThis.__hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (globalThis.__hidden ? 'hidden' : 'visible') });
  const Real = Notification;
  globalThis.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      globalThis.__shown.push({ title, body: options && options.body });
    }
  };
`;

describe('web client: topic feeds in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  /** The administrator posts (one user fewer to create: each costs a password hash). */
  let admin: Api;
  let adminName: string;
  let roomId: number;
  const people = new People(() => ({ browser, url: server.url }));

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    const me = expectStatus(await admin.get('/api/v1/me'), 200);
    adminName = `${me.displayName} (${me.login})`;
    const bob = expectStatus(await admin.post('/api/v1/users', { login: 'bob@example.com', password: PASSWORD, displayName: 'Bob Builder' }), 201);
    const everyone = [user(me.id), user(bob.id)];
    roomId = await createRoom(admin, 'ops', await createCategory(admin, 'Ops', { allowed: everyone }), { members: everyone });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  const say = async (text: string) => expectStatus(await admin.post(`/api/v1/rooms/${roomId}/messages`, { text }), 201).message;

  it('creates a feed from the sidebar by keyboard; a matching post appears live in the open feed, and counts in the sidebar when it is not open', async () => {
    const b = await people.stranger();
    b.page.setDefaultTimeout(60_000);
    await b.context.grantPermissions(['notifications'], { origin: server.url });
    await b.page.addInitScript(SPY);
    await b.signIn('bob@example.com');
    await b.page.getByRole('heading', { name: 'Topic feeds' }).waitFor();

    // Keyboard only: the "+" link, the form's fields, Enter to save.
    await b.page.getByRole('link', { name: 'New topic feed' }).focus();
    await b.page.keyboard.press('Enter');
    await b.page.getByRole('heading', { name: 'New topic feed' }).waitFor();
    await b.page.getByLabel('Words').fill('Database outage');
    await b.page.getByLabel('Author').selectOption({ label: adminName });
    await b.page.getByLabel('Words').press('Enter');
    await b.page.getByRole('heading', { name: 'database outage' }).waitFor();
    await b.page.getByText('No messages yet').waitFor();
    assert.deepEqual(await seriousViolations(b.page), [], 'the feed screen passes axe');

    const hit = await say('The DATABASE had an outage at noon');
    await say('the database is fine');
    const entry = b.page.locator('.hits li', { hasText: 'had an outage at noon' });
    await entry.waitFor();
    assert.equal(await b.page.locator('.hits li').count(), 1, 'only the message with every word');
    assert.equal(await entry.getByRole('link').getAttribute('href'), `#/room/${roomId}/m/${hit.seq}`);
    await b.screenshot('feeds-01-live-hit');

    // Elsewhere, with the tab hidden, a new hit shows as a count beside the feed and in the title, and as a notification.
    await b.goto('#/');
    await b.page.evaluate('globalThis.__hidden = true');
    await say('outage of the database again');
    const item = b.page.locator('.feed-list li[data-feed="database outage"]');
    await item.locator('.badge', { hasText: '1' }).waitFor();
    assert.equal(await item.locator('.badge').getAttribute('aria-label'), '1 new');
    assert.match(await b.page.title(), /^\(1\) /);
    assert.deepEqual(await b.page.evaluate('globalThis.__shown'), [{ title: `database outage: ${adminName.replace(/ \(.*/, '')} in ops`, body: 'outage of the database again' }]);
    await b.page.evaluate('globalThis.__hidden = false');
    await b.screenshot('feeds-02-sidebar-count');
    await item.getByRole('link').click();
    await b.page.locator('.hits li', { hasText: 'outage of the database again' }).waitFor();
    await item.locator('.badge').waitFor({ state: 'detached' });
    assert.deepEqual(await b.page.locator('.hits li .text').allInnerTexts(), ['outage of the database again', 'The DATABASE had an outage at noon'], 'newest first');

    // Edit, then delete.
    await b.page.getByRole('button', { name: 'Edit' }).click();
    await b.page.getByLabel('Name (optional)').fill('DB incidents');
    await b.page.getByRole('group', { name: 'Only in these rooms' }).getByLabel('ops').check();
    await b.page.getByRole('button', { name: 'Save feed' }).click();
    await b.page.getByRole('heading', { name: 'DB incidents' }).waitFor();
    await b.page.getByText('in ops', { exact: false }).waitFor();
    assert.deepEqual(expectStatus(await admin.get('/api/v1/feeds'), 200).feeds, [], "the administrator sees none of Bob's feeds");
    await b.page.getByRole('button', { name: 'Delete…' }).click();
    await b.page.getByRole('button', { name: 'Delete “DB incidents”' }).click();
    await b.page.locator('.feed-list li').waitFor({ state: 'detached' });
    b.assertClean();
  });
});
