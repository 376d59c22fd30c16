import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, People } from './browser.js';

/** Messages shown with the safe Markdown subset, search results with their words marked, and the quick switcher (Ctrl-K). */
describe('web client: Markdown subset, search highlights, quick switcher', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: { id: number; api: Api };
  let room: number;
  let lunch: number;
  const people = new People(() => ({ browser, url: server.url }));

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    const admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    const category = await createCategory(admin, 'Team', { allowed: [user(alice.id)] });
    room = await createRoom(admin, 'notes', category, { members: [user(alice.id)] });
    lunch = await createRoom(admin, 'lunch plans', category, { members: [user(alice.id)] });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  const post = async (text: string) => expectStatus(await alice.api.post(`/api/v1/rooms/${room}/messages`, { text }), 201);

  it('shows bold, italic, code, code blocks, quotes, links and /me actions, and never HTML', async () => {
    await post('Ship **today**, not *tomorrow*; run `npm test` first');
    await post('> the build is red\n> since noon\nI know, fixing it');
    await post('```\nconst a = 1 < 2;\n```');
    await post('<b>not bold</b> and <img src=x onerror=alert(1)> stay text; snake_case_name and 2*3*4 too; see [the docs](https://example.com/docs)');
    await post('/me waves at *everyone*');
    const a = await people.signedIn('alice@example.com');
    await a.openRoom(room);
    const message = (n: number) => a.page.locator('.msg-list li.msg .text').nth(n);

    assert.equal(await message(0).locator('strong').innerText(), 'today');
    assert.equal(await message(0).locator('em').innerText(), 'tomorrow');
    assert.equal(await message(0).locator('code').innerText(), 'npm test');

    assert.equal(await message(1).locator('.md-quote').innerText(), 'the build is red\nsince noon');
    assert.equal(await message(1).locator('.md-lines').last().innerText(), 'I know, fixing it');

    assert.equal(await message(2).locator('code.md-code-block').innerText(), 'const a = 1 < 2;');

    const raw = message(3);
    assert.equal(await raw.locator('b, img, strong, em').count(), 0, 'no element from the text, and no emphasis in snake_case or 2*3*4');
    assert.match(await raw.innerText(), /^<b>not bold<\/b> and <img src=x onerror=alert\(1\)> stay text; snake_case_name and 2\*3\*4 too; see the docs$/);
    assert.equal(await raw.locator('a').getAttribute('href'), 'https://example.com/docs');

    // "/me …" (IRC's ACTION) reads as an action by its author.
    assert.equal(await message(4).locator('.md-action').innerText(), 'Alice waves at everyone');
    assert.equal(await message(4).locator('.md-action em').innerText(), 'everyone');
    a.assertClean();
  });

  it('marks the words searched for in the results', async () => {
    await post('The release train leaves on Friday');
    const a = await people.signedIn('alice@example.com');
    await a.goto('#/search');
    await a.page.getByLabel('Words').fill('release friday');
    await a.page.getByLabel('Words').press('Enter');
    const hit = a.page.locator('.hits .hit', { hasText: 'release train' });
    await hit.waitFor();
    assert.deepEqual(await hit.locator('mark').allInnerTexts(), ['release', 'Friday']);
  });

  it('jumps to a room by part of its name with Ctrl-K, by keyboard only, and Escape gives the focus back', async () => {
    const a = await people.signedIn('alice@example.com');
    await a.openRoom(lunch);
    await a.openRoom(room);
    const box = a.page.locator('.composer textarea');
    await box.focus();
    await a.page.keyboard.press('Control+K');
    const dialog = a.page.getByRole('dialog', { name: 'Jump to a room or conversation' });
    await dialog.waitFor();
    assert.deepEqual((await dialog.locator('[role=option] .switcher-name').allInnerTexts()).sort(), ['lunch plans', 'notes']);
    await a.page.keyboard.type('LUN');
    assert.deepEqual(await dialog.locator('[role=option] .switcher-name').allInnerTexts(), ['lunch plans']);
    await a.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await a.page.waitForFunction(`location.hash === '#/room/${lunch}'`);

    await a.page.locator('.room-main .messages[aria-busy="false"]').waitFor();
    await box.focus();
    await a.page.keyboard.press('Control+K');
    await dialog.waitFor();
    await a.page.keyboard.type('nothing like this');
    await dialog.getByText('No room or conversation of yours matches.').waitFor();
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await a.page.evaluate('location.hash'), `#/room/${lunch}`);
    assert.equal(await a.page.evaluate('document.activeElement?.tagName'), 'TEXTAREA', 'the focus is back in the composer');
    a.assertClean();
  });
});
