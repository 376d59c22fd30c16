import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { expectStatus } from '../helpers/http.js';
import { launchBrowser, Person } from './browser.js';
import { clippedElements, clippedPlaceholders, pageProblems, wrapped } from './layout.js';
import { lived, type Scenario } from './scenario.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** The broken screens of issue 20, each shown whole now (at both widths where the width mattered). */
describe('web client: the screens that were broken', () => {
  let server: TestServer;
  let browser: Browser;
  let s: Scenario;
  const open: Person[] = [];
  const person = async (login: string, viewport = DESKTOP, password?: string) => {
    const p = await Person.open(browser, server.url, viewport);
    open.push(p);
    await p.signIn(login, password);
    return p;
  };

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

  it('loads the page before and after sign-in without a failed request or a console error', async () => {
    const p = await Person.open(browser, server.url, DESKTOP);
    open.push(p);
    await p.page.goto(server.url);
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(p.failedResponses, [], 'no 401 while finding out that nobody is signed in');
    await p.signIn('bob@example.com');
    await p.page.reload();
    await p.page.locator('.topbar').waitFor();
    await p.page.locator('.banner.connecting').waitFor({ state: 'detached' });
    p.assertQuiet();
    // Signed out, the next load is quiet again, and the API still refuses what needs a session.
    await p.page.getByRole('button', { name: 'Sign out' }).click();
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await p.page.reload();
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    p.assertQuiet();
    assert.equal(await p.page.evaluate(() => fetch('/api/v1/me').then((r) => r.status)), 401);
  });

  for (const viewport of [DESKTOP, PHONE]) {
    it(`scrolls the room settings page once, without a blank band, at ${viewport.width} px`, async () => {
      const a = await person('alice@example.com', viewport);
      await a.goto(`#/room/${s.general}/settings`);
      await a.page.getByRole('group', { name: 'Managers' }).waitFor();
      assert.deepEqual(await pageProblems(a.page), []);
      const main = a.page.locator('#main');
      await main.evaluate((m) => m.scrollTo(0, m.scrollHeight));
      // Scrolled to its end, the page ends with its buttons: nothing but the page's padding below them.
      const gap = await a.page.evaluate<number>(
        "(() => { const main = document.querySelector('#main'); const last = main.querySelector('.settings .buttons'); return main.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom; })()",
      );
      assert.ok(gap >= 0 && gap <= 48, `below the Save button: ${gap} px`);
      assert.deepEqual(await clippedElements(a.page, '#main'), []);
    });

    it(`shows the whole search form with its labels in line at ${viewport.width} px`, async () => {
      const b = await person('bob@example.com', viewport);
      await b.goto('#/search');
      await b.page.getByLabel('Room', { exact: true }).locator('option', { hasText: 'general' }).waitFor({ state: 'attached' });
      assert.deepEqual(await clippedElements(b.page, '.search-form'), []);
      // Fields side by side start at one height, and so do their controls.
      const rows = await b.page.evaluate<{ label: string; labelTop: number; controlTop: number; controlHeight: number }[]>(
        "[...document.querySelectorAll('.search-form .field')].map((f) => ({ label: f.querySelector('label').textContent, labelTop: Math.round(f.querySelector('label').getBoundingClientRect().top), controlTop: Math.round(f.querySelector('input, select').getBoundingClientRect().top), controlHeight: Math.round(f.querySelector('input, select').getBoundingClientRect().height) }))",
      );
      const byRow = new Map<number, typeof rows>();
      for (const r of rows) {
        const row = [...byRow.keys()].find((top) => Math.abs(top - r.controlTop) < 24) ?? r.controlTop;
        byRow.set(row, [...(byRow.get(row) ?? []), r]);
      }
      for (const row of byRow.values()) {
        assert.equal(new Set(row.map((r) => r.labelTop)).size, 1, `labels in one row at one height: ${JSON.stringify(row)}`);
        assert.equal(new Set(row.map((r) => r.controlTop)).size, 1, `controls in one row at one height: ${JSON.stringify(row)}`);
        assert.equal(new Set(row.map((r) => r.controlHeight)).size, 1, `controls in one row of one height: ${JSON.stringify(row)}`);
      }
    });

    it(`says once, in full, who may post in an auditorium, by display name and without disabled accounts, at ${viewport.width} px`, async () => {
      const b = await person('bob@example.com', viewport);
      await b.openRoom(s.hall);
      const note = b.page.locator('.auditorium-note');
      assert.equal((await note.innerText()).trim(), 'Auditorium: only presenters post — Carol Presenter.');
      const composer = b.page.locator('.composer');
      const why = 'Only presenters post in this auditorium (Carol Presenter). You can read along.';
      const shown = await composer.evaluate((c) => c.innerText + [...c.querySelectorAll('[placeholder]')].map((e) => e.getAttribute('placeholder')).join(''));
      assert.equal(shown.split(why).length - 1, 1, `the reason once: ${shown}`);
      assert.doesNotMatch(await b.page.locator('.room-main').innerText(), /dave|Dave Departed|carol@example\.com/, 'no login, no disabled presenter');
      assert.deepEqual(await clippedPlaceholders(b.page), []);
      assert.deepEqual(await clippedElements(b.page, '.room-main'), []);
    });
  }

  it('shows the compliance log with times on one line and its data as readable fields', async () => {
    const root = await person('admin', DESKTOP, ADMIN_PASSWORD);
    await root.goto('#/admin/compliance');
    const table = root.page.locator('table.compliance, table').first();
    await table.getByText('FILEUPLOAD').first().waitFor();
    assert.deepEqual(await wrapped(root.page, 'table td time'), [], 'times that wrap');
    const data = await root.page.locator('td.data').allInnerTexts();
    assert.ok(data.length > 0);
    assert.deepEqual(
      data.filter((d) => /\{"|"[a-zA-Z]+":/.test(d)),
      [],
      'data shown as JSON',
    );
    const upload = await root.page.locator('tr', { hasText: 'FILEUPLOAD' }).locator('td.data').innerText();
    assert.match(upload, /release-notes\.txt/);
    assert.match(upload, /\d+ B/);
    assert.doesNotMatch(upload, /sha256|file id/i);
    await root.screen('compliance-readable');
    root.assertClean();
  });

  it('names add-ins as the tab does, with the right plural', async () => {
    const root = await person('admin', DESKTOP, ADMIN_PASSWORD);
    await root.goto('#/admin/addins');
    await root.page.getByText('No add-ins yet.').waitFor();
    assert.equal(await root.page.locator('#main h2').innerText(), 'Add-ins');
    assert.doesNotMatch(await root.page.locator('#main').innerText(), /\baddins?\b/i);
    expectStatus(await s.admin.post('/api/v1/addins', { name: 'Status board', url: `${server.url}/healthz` }), 201);
    await root.page.reload();
    await root.page.locator('table').getByText('Status board').waitFor();
    assert.doesNotMatch(await root.page.locator('#main').innerText(), /\baddins?\b|\b1 add-ins\b/i);
    assert.equal(await root.page.locator('table caption').innerText(), 'Add-ins');
  });

  it('highlights no message of a room unless it was asked for (a search result in context)', async () => {
    const b = await person('bob@example.com');
    await b.openRoom(s.general);
    await b.page.getByText('Thanks!', { exact: true }).waitFor();
    const highlighted = () =>
      // A story is a card on purpose (its own border and title); any other message has the list's background.
      b.page.evaluate<string[]>("[...document.querySelectorAll('.msg-list li.msg:not(.story)')].filter((e) => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)').map((e) => e.className + ': ' + e.textContent.slice(0, 40))");
    assert.deepEqual(await highlighted(), []);
    // The read position is a labelled line, not a shaded message.
    assert.equal(await b.page.locator('.divider.new').innerText(), 'New messages');
    const target = s.history.find((m) => m.text === 'I fixed the flaky upload test.')!;
    await b.goto(`#/room/${s.general}/m/${target.seq}`);
    await b.page.locator(`#m-${target.seq}.focused`).waitFor();
    assert.deepEqual((await highlighted()).length, 1, 'the message asked for, and only it');
  });
});
