import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, Person } from './browser.js';

describe('web client: administration, add-ins and the served page', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let alice: { id: number; api: Api };
  let room: number;
  let root: Person;

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer();
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    const category = await createCategory(admin, 'Research', { allowed: [user(alice.id)] });
    const addin = expectStatus(await admin.post('/api/v1/addins', { name: 'Status board', url: `${server.url}/healthz` }), 201);
    room = await createRoom(admin, 'lab', category, { members: [user(alice.id)], addinId: addin.id });
    for (const text of ['first result', 'second result', 'secret formula leaked']) expectStatus(await alice.api.post(`/api/v1/rooms/${room}/messages`, { text }), 201);
    root = await Person.open(browser, server.url);
    await root.signIn('admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await root?.close();
    await browser?.close();
    await server?.stop();
  });

  it('serves the client with a CSP that allows only pchat and the add-ins, and never shadows the API', async () => {
    const page = await fetch(`${server.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, new RegExp(`frame-src 'self' ${server.url.replace(/[.]/g, '\\.')}`));
    assert.match(await page.text(), /<div id="app">/);
    const deep = await fetch(`${server.url}/rooms/1`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200, 'a deep link gets the client');
    const api = await fetch(`${server.url}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('shows a room’s add-in in a sandboxed side panel', async () => {
    const a = await Person.open(browser, server.url);
    try {
      await a.signIn('alice@example.com');
      await a.openRoom(room);
      const frame = a.page.locator('iframe[title="Add-in Status board"]');
      await frame.waitFor();
      assert.equal(await frame.getAttribute('sandbox'), 'allow-scripts allow-forms allow-popups', 'a same-origin add-in gets no allow-same-origin');
      assert.equal(await frame.getAttribute('src'), `${server.url}/healthz`);
      await a.screenshot('13-addin-panel');
      a.assertClean();
    } finally {
      await a.close();
    }
  });

  it('manages categories, explaining invalid choices', async () => {
    await root.goto('#/admin/categories');
    await root.page.locator('table').getByText('Research').waitFor();
    await root.page.getByRole('button', { name: 'New category' }).click();
    await root.page.getByLabel('Name', { exact: true }).fill('Research');
    await root.page.getByRole('button', { name: 'Create' }).click();
    await root.page.locator('#categories-name-error', { hasText: 'already exists' }).waitFor();
    await root.page.getByLabel('Name', { exact: true }).fill('Trading');
    const creators = root.page.getByRole('group', { name: 'Creators' });
    await creators.getByLabel('Choose whom to add to Creators').selectOption({ label: 'Alice (alice@example.com)' });
    await creators.getByRole('button', { name: 'Add' }).click();
    await root.page.getByRole('button', { name: 'Create' }).click();
    await root.page.locator('#categories-creators-error', { hasText: 'is not allowed in category "Trading"' }).waitFor();
    await root.screenshot('14-admin-category-error');
    const allowed = root.page.getByRole('group', { name: 'Allowed' });
    await allowed.getByLabel('Choose whom to add to Allowed').selectOption({ label: 'Alice (alice@example.com)' });
    await allowed.getByRole('button', { name: 'Add' }).click();
    await root.page.getByRole('button', { name: 'Create' }).click();
    await root.page.locator('table').getByText('Trading').waitFor();
    await root.screenshot('15-admin-categories');
    const trading = expectStatus(await admin.get('/api/v1/categories'), 200).categories.find((c: any) => c.name === 'Trading');
    assert.deepEqual(trading.creators.map((p: any) => p.id), [alice.id]);
  });

  it('manages users and groups, explaining a short password and a group cycle', async () => {
    await root.goto('#/admin/users');
    await root.page.locator('table').getByText('alice@example.com', { exact: false }).waitFor();
    await root.page.getByRole('button', { name: 'New user' }).click();
    const form = root.page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Login').fill('dave@example.com');
    await form.getByLabel('Display name').fill('Dave');
    await form.getByLabel('Password (leave empty to keep)').fill('short');
    await form.getByRole('button', { name: 'Create' }).click();
    await root.page.locator('#users-password-error', { hasText: 'at least 8 characters' }).waitFor();
    await form.getByLabel('Password (leave empty to keep)').fill('a long enough password');
    await form.getByRole('button', { name: 'Create' }).click();
    await root.page.locator('table').getByText('Dave (dave@example.com)').waitFor();
    await root.screenshot('21-admin-users');
    const dave = expectStatus(await admin.get('/api/v1/users'), 200).users.find((u: any) => u.login === 'dave@example.com');
    assert.equal(dave.displayName, 'Dave');

    await root.goto('#/admin/groups');
    for (const name of ['Lab', 'Staff']) {
      await root.page.getByRole('button', { name: 'New group' }).click();
      await root.page.getByLabel('Name', { exact: true }).fill(name);
      if (name === 'Staff') {
        const members = root.page.getByRole('group', { name: 'Members' });
        await members.getByLabel('Choose whom to add to Members').selectOption({ label: 'Lab (group)' });
        await members.getByRole('button', { name: 'Add' }).click();
      }
      await root.page.getByRole('button', { name: 'Create' }).click();
      await root.page.locator('table').getByText(name, { exact: true }).waitFor();
    }
    // Lab inside Staff already: putting Staff inside Lab would close a loop, and the form says why.
    await root.page.getByRole('button', { name: 'Edit Lab' }).click();
    const members = root.page.getByRole('group', { name: 'Members' });
    await members.getByLabel('Choose whom to add to Members').selectOption({ label: 'Staff (group)' });
    await members.getByRole('button', { name: 'Add' }).click();
    await root.page.getByRole('button', { name: 'Save' }).click();
    await root.page.getByText('"Staff" already contains "Lab"').first().waitFor();
    await root.screenshot('22-admin-group-cycle');
    root.assertClean();
  });

  it('sets policy and configuration, and a disabled user sees why chat is off', async () => {
    await root.goto('#/admin/policy');
    await root.page.getByLabel('Scope').selectOption('user');
    await root.page.getByLabel('User', { exact: true }).selectOption({ label: 'Alice (alice@example.com)' });
    await root.page.getByLabel('Chat enabled').uncheck();
    await root.page.getByRole('button', { name: 'Set rule' }).click();
    await root.page.locator('table').getByText('Alice (alice@example.com)').waitFor();
    await root.screenshot('23-admin-policy');
    const a = await Person.open(browser, server.url);
    try {
      await a.signIn('alice@example.com');
      await a.page.getByText('The persistent chat policy does not enable chat for your account.').waitFor();
    } finally {
      await a.close();
    }
    await root.page.getByRole('button', { name: /Remove the user rule for Alice/ }).click();
    await root.page.locator('table').getByText('Alice (alice@example.com)').waitFor({ state: 'detached' });

    await root.goto('#/admin/config');
    const history = root.page.getByLabel('Messages sent when a room is opened (1–500)');
    await history.fill('600');
    await root.page.getByRole('button', { name: 'Save' }).click();
    await root.page.locator('#cfg-defaultChatHistory-error').waitFor();
    await history.fill('40');
    await root.page.getByRole('button', { name: 'Save' }).click();
    await root.page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await root.screenshot('24-admin-config');
    assert.equal(expectStatus(await admin.get('/api/v1/config'), 200).defaultChatHistory, 40);
    root.assertClean();
  });

  it('previews and replaces messages by keyword, and shows the compliance log read-only', async () => {
    await root.goto('#/admin/moderation');
    await root.page.getByLabel('Keywords').fill('secret formula');
    await root.page.getByLabel('Match').selectOption('exact');
    await root.page.getByRole('button', { name: 'Preview count' }).click();
    await root.page.getByText('1 messages match.').waitFor();
    await root.page.getByRole('radio', { name: 'Replace the text' }).check();
    root.page.once('dialog', (d) => void d.accept());
    await root.page.getByRole('button', { name: 'Replace', exact: true }).click();
    await root.page.getByText('1 messages replaced.').waitFor();
    await root.screenshot('16-admin-moderation');
    const texts = expectStatus(await alice.api.get(`/api/v1/rooms/${room}/messages`), 200).messages.map((m: any) => m.text);
    assert.equal(texts.filter((t: string) => t.includes('secret formula')).length, 0);

    await root.goto('#/admin/compliance');
    await root.page.locator('table').getByText('CHAT').first().waitFor();
    assert.ok((await root.page.locator('table').innerText()).includes('secret formula leaked'), 'compliance keeps the original');
    assert.equal(await root.page.locator('table button, table input').count(), 0, 'nothing to change there');
    await root.screenshot('17-admin-compliance');
    root.assertClean();
  });
});
