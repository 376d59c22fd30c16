import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { expectStatus } from '../helpers/http.js';
import { launchBrowser, Person } from './browser.js';
import { seriousViolations } from './axe.js';
import { clippedElements, clippedPlaceholders, pageProblems, squeezedCells } from './layout.js';
import { lived, type Scenario } from './scenario.js';

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
const ADMIN_TABS = ['categories', 'addins', 'users', 'groups', 'policy', 'config', 'moderation', 'compliance'];

/**
 * Every main screen at a desktop and a phone width: each is photographed for review
 * (test-artifacts/screenshots/screens-<screen>-<width>.png) and checked for what a reviewer
 * would see at a glance: nothing cut off, no sideways page, no scrolling twice, a page load
 * that logs no error, and no serious or critical accessibility violation as axe-core finds them
 * (axe.ts; the dark colour scheme is checked in accessibility.browser.test.ts).
 */
describe('web client: every main screen at 1280 and 390 px', () => {
  let server: TestServer;
  let browser: Browser;
  let s: Scenario;

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    s = await lived(server);
    expectStatus(await s.admin.post('/api/v1/addins', { name: 'Status board', url: `${server.url}/healthz` }), 201);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Photographs the screen and collects what is wrong with it, keyed by screen. */
  const look = async (p: Person, screen: string, problems: Record<string, string[]>, within = '#main') => {
    await p.screen(screen);
    const found = [
      ...(await pageProblems(p.page)),
      ...(await clippedElements(p.page, within)),
      ...(await clippedPlaceholders(p.page)),
      ...(await squeezedCells(p.page)),
      ...(await seriousViolations(p.page)),
    ];
    if (found.length > 0) problems[screen] = found;
  };

  for (const viewport of VIEWPORTS) {
    it(`shows a reader's screens whole at ${viewport.width} px`, async () => {
      const problems: Record<string, string[]> = {};
      const bob = await Person.open(browser, server.url, viewport);
      try {
        await bob.page.goto(server.url);
        await bob.page.getByLabel('Login').waitFor();
        await look(bob, 'sign-in', problems, 'body');
        await bob.signIn('bob@example.com');
        await bob.page.locator('.room-card').first().waitFor();
        await look(bob, 'directory', problems);

        await bob.openRoom(s.general);
        await bob.page.getByText('Thanks!', { exact: true }).waitFor();
        await look(bob, 'room', problems);
        await bob.openRoom(s.longRoom);
        await look(bob, 'room-long-name', problems);
        await bob.openRoom(s.hall);
        await bob.page.locator('.composer-note, .composer').first().waitFor();
        await look(bob, 'auditorium', problems);
        await bob.openRoom(s.direct);
        await bob.page.getByText('It is about the release checklist.').waitFor();
        await look(bob, 'direct', problems);
        await bob.goto('#/direct/new');
        await bob.page.getByRole('heading', { name: 'New direct message' }).waitFor();
        await look(bob, 'direct-new', problems);

        await bob.goto('#/search');
        await bob.page.getByLabel('Words').fill('release');
        await bob.page.getByRole('button', { name: 'Search' }).click();
        await bob.page.locator('.hit').first().waitFor();
        await look(bob, 'search', problems);
        await bob.goto('#/profile');
        await bob.page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
        await look(bob, 'profile', problems);
        await bob.goto('#/mentions');
        await bob.page.getByRole('heading', { name: 'Mentions', level: 1 }).waitFor();
        await look(bob, 'mentions', problems);
        await bob.goto('#/feeds/new');
        await bob.page.getByRole('heading', { name: 'New topic feed' }).waitFor();
        await look(bob, 'feed-new', problems);
        if (viewport.width < 760) {
          await bob.goto('#/');
          await bob.page.getByRole('button', { name: 'Rooms menu' }).click();
          await bob.page.locator('#sidebar').waitFor();
          await look(bob, 'menu', problems, '#sidebar');
        }
        assert.deepEqual(problems, {}, 'screens with something wrong');
        bob.assertClean();
        bob.assertQuiet();
      } finally {
        await bob.close();
      }
    });

    it(`shows a manager's and an administrator's screens whole at ${viewport.width} px`, async () => {
      const problems: Record<string, string[]> = {};
      const root = await Person.open(browser, server.url, viewport);
      try {
        await root.signIn('admin', ADMIN_PASSWORD);
        await root.goto(`#/room/${s.general}/settings`);
        await root.page.getByRole('group', { name: 'Managers' }).waitFor();
        await look(root, 'room-settings', problems);
        // The settings page scrolls once, in the main region, and ends with its buttons.
        await root.page.locator('#main').evaluate((main) => main.scrollTo(0, main.scrollHeight));
        await look(root, 'room-settings-end', problems);
        for (const tab of ADMIN_TABS) {
          await root.goto(`#/admin/${tab}`);
          await root.page.locator('#main h2').first().waitFor();
          await root.page.locator('#main [role="status"]', { hasText: 'Loading' }).waitFor({ state: 'detached' });
          await look(root, `admin-${tab}`, problems);
        }
        assert.deepEqual(problems, {}, 'screens with something wrong');
        root.assertClean();
        root.assertQuiet();
      } finally {
        await root.close();
      }
    });
  }
});
