import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, People, type Person } from './browser.js';

/** Everyday use beyond chatting: finding rooms, following them across devices, unread counts, keyboard and phone. */
describe('web client: finding, following and reading rooms', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let admin: Api;
  let lunch: number;
  let chess: number;
  let garden: number;
  const people = new People(() => ({ browser, url: server.url }));
  const person = (login: string, viewport?: { width: number; height: number }) => people.signedIn(login, viewport);
  const sidebarLink = (p: Person, name: string) => p.page.locator('#sidebar a', { hasText: name });
  const noHorizontalScroll = (p: Person) => p.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  /** The elements that reach past the right edge, for the message when something does not fit. */
  const overflowing = (p: Person) =>
    p.page.evaluate<string>(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(0, 6).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px').join(', ') || 'none'",
    );

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    // Eve exists but the category does not allow her: no manager may give her a role there.
    await createUser(admin, 'eve@example.com', { displayName: 'Eve' });
    const both = [user(alice.id), user(bob.id)];
    const social = await createCategory(admin, 'Social', { allowed: both });
    lunch = await createRoom(admin, 'lunch', social, { members: both, description: 'Where to eat today' });
    chess = await createRoom(admin, 'chess club', social, { members: both, description: 'Openings and endgames' });
    await createRoom(admin, 'book club', social, { members: both, description: 'One novel a month' });
    garden = await createRoom(admin, 'garden', social, { members: [user(alice.id)], managers: [user(alice.id)], description: 'Tomatoes' });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('finds rooms in the directory by name or description, and says so when nothing matches', async () => {
    const b = await person('bob@example.com');
    const search = b.page.getByLabel('Find rooms by name or description');
    await search.fill('endgames');
    await b.page.locator('.room-card', { hasText: 'chess club' }).waitFor();
    await b.page.locator('.room-card').nth(1).waitFor({ state: 'detached' });
    assert.deepEqual(await b.page.locator('.room-card h3').allInnerTexts(), ['chess club']);
    await search.fill('club');
    await b.page.locator('.room-card', { hasText: 'book club' }).waitFor();
    assert.deepEqual((await b.page.locator('.room-card h3').allInnerTexts()).sort(), ['book club', 'chess club']);
    await search.fill('no such room anywhere');
    await b.page.getByText('No room you may find matches “no such room anywhere”.').waitFor();
    b.assertClean();
  });

  it('follows a room on one device, opens it at sign-in on another, and counts unread messages live', async () => {
    const laptop = await person('bob@example.com');
    const follow = laptop.page.locator('.room-card', { hasText: 'lunch' }).getByRole('button', { name: 'Follow' });
    await follow.click();
    await laptop.page.locator('.room-card', { hasText: 'lunch' }).getByRole('button', { name: 'Following' }).waitFor();
    for (const text of ['pizza?', 'or sushi', 'noon at the usual place']) expectStatus(await alice.api.post(`/api/v1/rooms/${lunch}/messages`, { text }), 201);

    // Another device: the followed room is open at sign-in, with what bob has not read.
    const phone = await person('bob@example.com', { width: 390, height: 780 });
    await phone.page.getByRole('button', { name: 'Rooms menu' }).click();
    await sidebarLink(phone, 'lunch').getByLabel('3 unread').waitFor();
    expectStatus(await alice.api.post(`/api/v1/rooms/${lunch}/messages`, { text: 'who is in?' }), 201);
    await sidebarLink(phone, 'lunch').getByLabel('4 unread').waitFor();
    await phone.screenshot('18-unread-phone');

    // Reading it clears the count, here and (through the server) on the first device.
    await sidebarLink(phone, 'lunch').click();
    await phone.page.getByText('who is in?').waitFor();
    await phone.page.getByRole('button', { name: 'Rooms menu' }).click();
    await sidebarLink(phone, 'lunch').waitFor();
    await phone.page.locator('#sidebar .badge').waitFor({ state: 'detached' });
    await waitFor(async () => {
      const { rooms } = expectStatus(await bob.api.get('/api/v1/me/rooms'), 200) as { rooms: { roomId: number; unread: number; followed: boolean }[] };
      const view = rooms.find((r) => r.roomId === lunch);
      return view?.followed === true && view.unread === 0;
    }, 'the read position reaches the server');
    await laptop.page.reload();
    await sidebarLink(laptop, 'lunch').waitFor();
    assert.equal(await sidebarLink(laptop, 'lunch').locator('.badge').count(), 0);
    laptop.assertClean();
    phone.assertClean();
  });

  it('leaves a room, which closes it in the sidebar without unfollowing others', async () => {
    const b = await person('bob@example.com');
    await b.openRoom(chess);
    await sidebarLink(b, 'chess club').waitFor();
    await b.page.getByRole('button', { name: 'Leave this room' }).click();
    await b.page.getByRole('heading', { name: 'Room directory' }).waitFor();
    assert.equal(await sidebarLink(b, 'chess club').count(), 0);
    assert.equal(await sidebarLink(b, 'lunch').count(), 1, 'the followed room stays open');
  });

  it('lets a manager edit the room, offering only the principals its category allows', async () => {
    const a = await person('alice@example.com');
    await a.goto(`#/room/${garden}/settings`);
    const members = a.page.getByRole('group', { name: 'Members' });
    const choice = members.getByLabel('Choose whom to add to Members');
    await choice.locator('option', { hasText: 'Bob' }).waitFor({ state: 'attached' });
    const offered = (await choice.locator('option').allInnerTexts()).slice(1);
    assert.deepEqual(offered, ['bob@example.com'], 'Eve is not offered: the category does not allow her');
    await choice.selectOption({ label: 'bob@example.com' });
    await members.getByRole('button', { name: 'Add' }).click();
    await a.page.getByLabel('Description').fill('Tomatoes, and now beans');
    await a.page.getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Saved.').waitFor();
    const room = expectStatus(await bob.api.get(`/api/v1/rooms/${garden}`), 200) as { description: string; members: { id: number }[] };
    assert.equal(room.description, 'Tomatoes, and now beans');
    assert.ok(room.members.some((m) => m.id === bob.id), 'bob is a member now');
    a.assertClean();
  });

  it('shows why the server signed a user out', async () => {
    const b = await person('bob@example.com');
    await b.openRoom(lunch);
    expectStatus(await admin.patch(`/api/v1/users/${bob.id}`, { disabled: true }), 200);
    await b.page.getByRole('button', { name: 'Sign in' }).waitFor();
    const notice = b.page.locator('p.notice');
    await notice.waitFor();
    assert.equal(await notice.innerText(), 'An administrator disabled your account.');
    await b.screenshot('21-signed-out-by-server');
    expectStatus(await admin.patch(`/api/v1/users/${bob.id}`, { disabled: false }), 200);
  });

  it('works with the keyboard alone, with a visible focus', async () => {
    const k = await people.stranger();
    await k.page.goto(server.url);
    type Focus = { label: string; id: string; tag: string };
    const focused = () => k.page.evaluate<Focus>(`(() => { const e = document.activeElement; return { label: e?.getAttribute('aria-label') ?? e?.innerText ?? '', id: e?.id ?? '', tag: e?.tagName ?? '' }; })()`);
    const tabTo = async (what: string, matches: (f: Focus) => boolean) => {
      for (let i = 0; i < 60; i++) {
        if (matches(await focused())) return;
        await k.page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${what}`);
    };
    await tabTo('the login field', (f) => f.tag === 'INPUT' && /login/i.test(f.id));
    await k.page.keyboard.type('alice@example.com');
    await k.page.keyboard.press('Tab');
    await k.page.keyboard.type('user-password-123');
    await k.page.keyboard.press('Enter');
    await k.page.locator('.topbar').waitFor();
    await k.page.locator('.banner.connecting').waitFor({ state: 'detached' });

    await tabTo('the link to the lunch room', (f) => f.tag === 'A' && f.label.trim() === 'lunch');
    const outline = await k.page.evaluate<{ style: string; width: number }>(
      '(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()',
    );
    assert.notEqual(outline.style, 'none', 'the focused element shows an outline');
    assert.ok(outline.width >= 2, `the outline is visible (${outline.width}px)`);
    await k.screenshot('19-keyboard-focus');
    await k.page.keyboard.press('Enter');
    await k.page.locator('.room-main .messages[aria-busy="false"]').waitFor();
    await tabTo('the composer', (f) => f.tag === 'TEXTAREA');
    await k.page.keyboard.type('typed without a mouse');
    await k.page.keyboard.press('Enter');
    await k.page.locator('.msg-list li.msg:not(.pending) .text', { hasText: 'typed without a mouse' }).waitFor();
    k.assertClean();
  });

  it('fits a phone screen: directory, room and administration without sideways scrolling', async () => {
    const b = await person('bob@example.com', { width: 360, height: 740 });
    await b.page.locator('.room-card').first().waitFor();
    assert.ok(await noHorizontalScroll(b), 'the directory fits');
    await b.openRoom(lunch);
    assert.ok(await noHorizontalScroll(b), 'the room fits');
    // The sidebar is a menu on a phone: closed until asked for.
    assert.equal(await b.page.locator('#sidebar').isVisible(), false);
    await b.page.getByRole('button', { name: 'Rooms menu' }).click();
    await b.page.locator('#sidebar').waitFor();
    await b.screenshot('20-phone-menu');
    const root = await people.signedIn('admin', { width: 360, height: 740 }, ADMIN_PASSWORD);
    await root.goto('#/admin/users');
    await root.page.locator('table').getByText('bob@example.com', { exact: false }).waitFor();
    assert.ok(await noHorizontalScroll(root), `the administration fits: ${await overflowing(root)}`);
    b.assertClean();
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
