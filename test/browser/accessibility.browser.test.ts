import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { seriousViolations } from './axe.js';
import { launchBrowser, People, type Person } from './browser.js';

/**
 * Every main screen of the web client in the dark colour scheme has no serious or critical
 * accessibility violation as axe-core finds them (axe.ts). The light scheme is checked at 1280
 * and 390 px on richer screens by screens.browser.test.ts; the colours differ, so contrast must
 * be checked in both.
 */
describe('web client: accessibility of every main screen in the dark colour scheme (axe-core)', () => {
  let server: TestServer;
  let browser: Browser;
  let lunch: number;
  const people = new People(() => ({ browser, url: server.url }));

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    const admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    const both = [user(alice.id), user(bob.id)];
    const social = await createCategory(admin, 'Social', { allowed: both });
    lunch = await createRoom(admin, 'lunch', social, { members: both, managers: [user(alice.id)], description: 'Where to eat today' });
    await createRoom(admin, 'stage', social, { members: both, type: 'auditorium', presenters: [user(alice.id)] });
    for (const [who, text] of [
      [alice, 'Noodles at noon?'],
      [bob, 'Yes, the **new** place'],
      [alice, 'See https://example.com/menu'],
    ] as const) {
      expectStatus(await who.api.post(`/api/v1/rooms/${lunch}/messages`, { text }), 201);
    }
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  /** Opens `hash` and waits for the main region to settle (no "Loading…" left). */
  const show = async (p: Person, hash: string) => {
    await p.goto(hash);
    await p.page.locator('#main').waitFor();
    await p.page.locator('.state .spinner').first().waitFor({ state: 'detached' });
  };

  for (const [viewport, colorScheme] of [[{ width: 1280, height: 800 }, 'dark']] as const) {
    it(`has no serious violation at ${viewport.width} px, ${colorScheme}: sign-in, rooms, a room, settings, search, profile, administration`, async () => {
      const found: string[] = [];
      const person = async (login: string | null, password?: string) => {
        const p = login === null ? await people.stranger(viewport) : await people.signedIn(login, viewport, password);
        await p.page.emulateMedia({ colorScheme });
        return p;
      };
      const stranger = await person(null);
      await stranger.page.goto(server.url);
      await stranger.page.getByLabel('Login').waitFor();
      for (const v of await seriousViolations(stranger.page)) found.push(`sign-in: ${v}`);

      const alice = await person('alice@example.com');
      const screens: [string, string][] = [
        ['directory', '#/'],
        ['room', `#/room/${lunch}`],
        ['room settings', `#/room/${lunch}/settings`],
        ['search', '#/search'],
        ['profile', '#/profile'],
      ];
      for (const [name, hash] of screens) {
        await show(alice, hash);
        for (const v of await seriousViolations(alice.page)) found.push(`${name}: ${v}`);
      }

      const admin = await person('admin', ADMIN_PASSWORD);
      for (const section of ['categories', 'addins', 'users', 'groups', 'policy', 'config', 'moderation', 'compliance']) {
        await show(admin, `#/admin/${section}`);
        for (const v of await seriousViolations(admin.page)) found.push(`admin/${section}: ${v}`);
      }
      assert.deepEqual(found, []);
    });
  }
});
