import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { FrameworkClient } from '../irc/clients.js';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import type { Api } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, People } from './browser.js';

const HISTORY = 1500;
const label = (i: number) => `history line ${String(i).padStart(4, '0')}`;

describe('web client: chatting in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let alice: { id: number; api: Api };
  let bob: { id: number; api: Api };
  let carol: { id: number; api: Api };
  let general: number;
  let history: number;
  let plans: number;
  let ops: number;
  const people = new People(() => ({ browser, url: server.url }));
  const person = (login: string) => people.signedIn(login);

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice Liddell' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob Builder' });
    carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol on IRC' });
    const everyone = [user(alice.id), user(bob.id), user(carol.id)];
    const team = await createCategory(admin, 'Engineering', { allowed: everyone });
    const ops_ = await createCategory(admin, 'Operations', { allowed: everyone });
    general = await createRoom(admin, 'general', team, { members: everyone, description: 'Everyday talk' });
    history = await createRoom(admin, 'archive', team, { members: [user(alice.id)], description: 'A long history' });
    plans = await createRoom(admin, 'plans', team, { members: [user(alice.id)], managers: [user(alice.id)] });
    ops = await createRoom(admin, 'on call', ops_, { members: [user(alice.id), user(bob.id)] });
    await createRoom(admin, 'town hall', ops_, { type: 'auditorium', presenters: [user(alice.id)], members: everyone });
    // A long history, posted concurrently so group commit batches it.
    const author = await server.app.sessions.actorFor(alice.id);
    for (let start = 1; start <= HISTORY; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, HISTORY - start + 1) }, (_, k) => start + k).map((i) =>
          server.app.messages.post(author, history, { text: i === 700 ? `${label(i)} the zeppelin lands` : label(i), clientId: `seed-${i}` }),
        ),
      );
    }
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('signs in, shows the directory grouped by category, and signs out', async () => {
    const p = await people.stranger();
    await p.page.goto(server.url);
    await p.screenshot('01-sign-in');
    await p.page.getByLabel('Login').fill('bob@example.com');
    await p.page.getByLabel('Password').fill('wrong password');
    await p.page.getByRole('button', { name: 'Sign in' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
    await p.signIn('bob@example.com');
    // The directory comes from one response, after the connection is up: wait for it to be drawn.
    await p.page.locator('section.category').first().waitFor();
    const categories = await p.page.locator('section.category h2').allInnerTexts();
    assert.deepEqual(categories, ['Engineering', 'Operations']);
    const rooms = await p.page.locator('.room-card h3').allInnerTexts();
    assert.ok(rooms.includes('plans'), 'a closed room is found by everyone the category allows');
    await p.screenshot('02-directory');
    await p.page.getByRole('button', { name: 'Sign out' }).click();
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    p.assertClean();
  });

  it('lets two users chat live in one room while a third is there over IRC', async () => {
    const a = await person('alice@example.com');
    const b = await person('bob@example.com');
    const irc = await FrameworkClient.connect(server.irc[0]!.port, 'carol', { account: { account: 'carol@example.com', password: PASSWORD } });
    try {
      irc.client.join('#general');
      await irc.next(/ 366 /);
      await a.openRoom(general);
      await b.openRoom(general);
      await a.post('Morning! Release notes are at https://example.com/notes.');
      await b.page.getByText('Morning! Release notes').waitFor();
      const link = b.page.locator('.msg a[href="https://example.com/notes"]');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await link.getAttribute('target'), '_blank');
      await irc.next((l) => l.includes('PRIVMSG #general :Morning! Release notes'));
      await b.post('Thanks.\nI will read them after lunch.');
      await a.page.getByText('I will read them after lunch.').waitFor();
      irc.client.say('#general', 'hello from irc');
      await a.page.getByText('hello from irc').waitFor();
      await b.page.getByText('hello from irc').waitFor();
      // A story: a long post with a title.
      await a.page.getByLabel('Story').check();
      await a.page.getByLabel('Story title').fill('Quarterly plan');
      await a.page.locator('.composer textarea').fill('First we ship.\nThen we rest.');
      await a.page.getByRole('button', { name: 'Send' }).click();
      await b.page.locator('.msg.story .story-title', { hasText: 'Quarterly plan' }).waitFor();
      // User text is text: markup arrives as characters, never as elements.
      await b.post('<img src=x onerror="window.pwned=1"> <b>bold?</b> javascript:alert(1)');
      await a.page.getByText('<img src=x onerror="window.pwned=1">', { exact: false }).waitFor();
      assert.equal(await a.page.locator('.msg-list img, .msg-list b').count(), 0);
      assert.equal(await a.page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
      const aTexts = await a.texts();
      const bTexts = await b.texts();
      assert.deepEqual(aTexts, bTexts, 'both see the same conversation in the same order');
      assert.equal(aTexts.filter((t) => t.includes('hello from irc')).length, 1);
      await a.screenshot('03-room-live');
      await b.page.setViewportSize({ width: 390, height: 780 });
      await b.screenshot('04-room-phone');
      a.assertClean();
      b.assertClean();
    } finally {
      irc.close();
    }
  });

  it('shows an inline link [label](url), as a migration carries <a href> links, as a link with its label; never an unsafe one', async () => {
    const author = await server.app.sessions.actorFor(alice.id);
    await server.app.messages.post(author, general, { text: 'Imported: [the plan](https://example.com/plan?a=1&b=2), not [this](javascript:alert(1)).', clientId: 'inline-link' });
    const b = await person('bob@example.com');
    await b.openRoom(general);
    const link = b.page.locator('.msg a', { hasText: 'the plan' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), 'https://example.com/plan?a=1&b=2');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    const message = b.page.locator('.msg', { hasText: 'Imported:' });
    assert.equal(await message.locator('a').count(), 1, 'the javascript: target stays text');
    assert.match(await message.innerText(), /Imported: the plan, not \[this\]\(javascript:alert\(1\)\)\./);
    b.assertClean();
  });

  it('scrolls back through the whole history, keeping the page small', async () => {
    const a = await person('alice@example.com');
    await a.openRoom(history);
    await a.page.getByText(label(HISTORY), { exact: true }).waitFor();
    const box = a.page.locator('.messages');
    let most = 0;
    for (let i = 0; i < 200; i++) {
      if (await a.page.getByText(`The beginning of archive`).isVisible()) break;
      await box.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      await a.page.waitForTimeout(50);
      most = Math.max(most, await a.page.locator('.msg-list li.msg').count());
    }
    await a.page.getByText('The beginning of archive').waitFor();
    await a.page.getByText(label(1), { exact: true }).waitFor();
    const seqs = (await a.page.locator('.msg-list li.msg').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { seq: string } }).dataset.seq)))) as number[];
    assert.equal(seqs[0], 1);
    assert.ok(seqs.every((s, i) => i === 0 || s === (seqs[i - 1] as number) + 1), 'the window is contiguous, without gaps or repeats');
    assert.ok(most <= 400, `the page holds a bounded window of messages (${most})`);
    await a.screenshot('05-scrollback-top');
    a.assertClean();
  });

  it('finds a message and opens it in context with the history around it', async () => {
    const a = await person('alice@example.com');
    await a.goto('#/search');
    await a.page.getByLabel('Words').fill('zeppelin');
    await a.page.getByLabel('Room', { exact: true }).selectOption({ label: 'archive' });
    await a.page.getByRole('button', { name: 'Search' }).click();
    const hit = a.page.locator('.hit').first();
    await hit.waitFor();
    assert.equal(await a.page.locator('.hit').count(), 1);
    await a.screenshot('06-search-results');
    await hit.getByRole('link').click();
    const focused = a.page.locator('#m-700.focused');
    await focused.waitFor();
    assert.ok(await focused.isVisible());
    await a.page.locator('#m-650').waitFor({ state: 'attached' });
    await a.page.locator('#m-740').waitFor({ state: 'attached' });
    assert.match(a.page.url(), /#\/room\/\d+\/m\/700\?hl=zeppelin$/);
    // The searched word stays marked in context, in that message only.
    assert.deepEqual(await focused.locator('mark').allTextContents(), ['zeppelin']);
    assert.equal(await a.page.locator('li.msg:not(.focused) mark').count(), 0);
    await a.screenshot('07-message-in-context');
    a.assertClean();
  });

  it('shows who may post in an auditorium and disables the composer for everyone else', async () => {
    const b = await person('bob@example.com');
    await b.page.locator('.room-card', { hasText: 'town hall' }).getByRole('button', { name: 'Join' }).click();
    await b.page.getByText('Auditorium: only presenters post — Alice Liddell').waitFor();
    assert.equal(await b.page.locator('.composer textarea').count(), 0, 'no box to type into');
    await b.page.getByText('Only presenters post in this auditorium (Alice Liddell)').waitFor();
    await b.screenshot('08-auditorium');
  });

  it('hides a room from another user once its manager makes it secret', async () => {
    const b = await person('bob@example.com');
    await b.page.locator('.room-card', { hasText: 'plans' }).waitFor();
    const a = await person('alice@example.com');
    await a.goto(`#/room/${plans}/settings`);
    await a.page.getByRole('group', { name: 'Managers' }).waitFor();
    // An invalid choice is explained: presenters need an auditorium, so the list is not offered.
    await a.page.getByText('Presenters exist only in auditorium rooms.').waitFor();
    await a.page.getByRole('radio', { name: /secret/ }).check();
    await a.screenshot('09-room-settings');
    await a.page.getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Saved.').waitFor();
    await b.page.reload();
    await b.page.locator('.room-card').first().waitFor();
    assert.equal(await b.page.locator('.room-card', { hasText: 'plans' }).count(), 0, 'the secret room is gone from bob’s directory');
    const still = await a.page.evaluate(() => fetch('/api/v1/rooms').then((r) => r.json()));
    assert.ok((still as { rooms: { name: string }[] }).rooms.some((r) => r.name === 'plans'), 'its member still finds it');
  });

  it('removes the members of a room an administrator disables', async () => {
    const b = await person('bob@example.com');
    await b.openRoom(ops);
    const root = await people.signedIn('admin', undefined, ADMIN_PASSWORD);
    await root.goto(`#/room/${ops}/settings`);
    await root.page.getByRole('checkbox', { name: /Disabled/ }).check();
    await root.page.getByRole('button', { name: 'Save' }).click();
    await b.page.getByText('An administrator disabled this room').waitFor();
    await b.screenshot('10-room-disabled');
    assert.equal(await b.page.locator('.composer').count(), 0);
    assert.ok([403, 404].includes((await bob.api.get(`/api/v1/rooms/${ops}/messages`)).status), 'the room is closed to its members');
  });
});
