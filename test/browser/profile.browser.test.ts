import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { RawClient } from '../irc/clients.js';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, People, type Person } from './browser.js';

/** The profile page (display name, password, sessions) and the first administrator's forced password change. */
describe('web client: profile, password and sessions', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let alice: { id: number; api: Api };
  const people = new People(() => ({ browser, url: server.url }));
  const noHorizontalScroll = (p: Person) => p.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  const sessionRows = (p: Person) => p.page.locator('.session-list li');

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('lists where one is signed in, renames, ends a session, and changes the password (signing out the other browser)', async () => {
    const laptop = await people.signedIn('alice@example.com');
    const phone = await people.signedIn('alice@example.com', { width: 390, height: 780 });
    const irc = await RawClient.register(server.irc[0]?.port ?? 0, 'alice@example.com', PASSWORD);
    try {
      await laptop.page.locator('a.me-link').click();
      await laptop.page.getByRole('heading', { name: 'Your profile' }).waitFor();
      // The API sign-in of createUser, two browsers and the IRC connection.
      await sessionRows(laptop).nth(3).waitFor();
      assert.equal(await sessionRows(laptop).count(), 4);
      const current = laptop.page.locator('.session-list li.current');
      assert.equal(await current.count(), 1, 'exactly one row is this browser');
      assert.match(await current.innerText(), /Chrom(e|ium) on Linux[\s\S]*This browser[\s\S]*127\.0\.0\.1/i);
      assert.match(await laptop.page.locator('.session-list li', { hasText: 'IRC client' }).innerText(), /IRC client \(Guest\)/);
      await laptop.screenshot('profile-1280');
      await laptop.page.locator('.sessions').screenshot({ path: join('test-artifacts', 'screenshots', 'profile-sessions-1280.png') });

      // Display name.
      await laptop.page.getByLabel('The name others see').fill('Alice Liddell');
      await laptop.page.getByRole('button', { name: 'Save name' }).click();
      await laptop.page.getByText('Saved.').waitFor();
      await laptop.page.locator('.topbar .me-name', { hasText: 'Alice Liddell' }).waitFor();
      assert.equal(expectStatus(await alice.api.get('/api/v1/me'), 200).displayName, 'Alice Liddell');

      // Ending the IRC session closes the connection with ERROR.
      await laptop.page.locator('.session-list li', { hasText: 'IRC client' }).getByRole('button', { name: /End session/ }).click();
      assert.match(await irc.next(/^ERROR /), /You ended this session/);
      await irc.waitClose();
      await laptop.page.locator('.session-list li', { hasText: 'IRC client' }).waitFor({ state: 'detached' });

      // A wrong current password is refused, naming the field.
      await laptop.page.getByLabel('Current password').fill('not my password');
      await laptop.page.getByLabel('New password', { exact: true }).fill('alice-new-password');
      await laptop.page.getByLabel('New password again').fill('alice-new-password');
      await laptop.page.getByRole('button', { name: 'Change password' }).click();
      await laptop.page.locator('.field.invalid', { hasText: 'The current password is incorrect.' }).waitFor();
      await laptop.page.getByRole('alert').filter({ hasText: 'wrong_password' }).waitFor();
      await laptop.screenshot('profile-wrong-password-1280');

      await laptop.page.getByLabel('Current password').fill(PASSWORD);
      await laptop.page.getByRole('button', { name: 'Change password' }).click();
      await laptop.page.getByText('Password changed. Your other sessions were signed out.').waitFor();
      // The phone's session ended: its WebSocket was closed and it shows the sign-in form with why.
      await phone.page.getByRole('heading', { name: 'Sign in to pchat' }).waitFor();
      await phone.page.getByText('Your password was changed; sign in again with the new one.').waitFor();
      await laptop.page.locator('.session-list li').nth(1).waitFor({ state: 'detached' });
      assert.equal(await sessionRows(laptop).count(), 1, 'only this browser is left');
      assert.equal((await alice.api.get('/api/v1/me')).status, 401, 'the API token of before is gone too');

      // The phone signs in with the new password and reaches the profile from the top bar.
      await phone.signIn('alice@example.com', 'alice-new-password');
      await phone.page.locator('a.me-link').click();
      await phone.page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
      await sessionRows(phone).nth(1).waitFor();
      assert.equal(await noHorizontalScroll(phone), true, 'no sideways scrolling on a phone');
      await phone.screenshot('profile-390');
      await phone.page.locator('.sessions').screenshot({ path: join('test-artifacts', 'screenshots', 'profile-sessions-390.png') });

      // "Sign out everywhere else" from the phone ends the laptop's session.
      await phone.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await laptop.page.getByRole('heading', { name: 'Sign in to pchat' }).waitFor();
      await laptop.page.getByText('You ended this session.').waitFor();
      await phone.page.locator('.session-list li').nth(1).waitFor({ state: 'detached' });
      laptop.assertClean();
      phone.assertClean();
    } finally {
      irc.close();
    }
  });
});

describe('web client: the first administrator chooses a password at the first sign-in', () => {
  let server: RunningServer;
  let browser: Browser;
  let dir: string;
  const announced: string[] = [];
  const people = new People(() => ({ browser, url: server.url }));

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'pchat-first-admin-'));
    // No admin.password: the server makes one up and shows it once.
    const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'http.host': '127.0.0.1', 'http.port': 0, 'irc.listen': [{ host: '127.0.0.1', port: 0 }], 'log.level': 'silent' } });
    server = await startServer(config, { logger: createLogger('silent'), announce: (line) => announced.push(line) });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows only the password form until the one-time password is replaced; the API and IRC refuse it meanwhile', async () => {
    const oneTime = /one-time password: (\S+)/.exec(announced.join('\n'))?.[1];
    assert.ok(oneTime, `the one-time password was announced: ${announced.join(' | ')}`);

    // The API: signed in, but everything else answers password_change_required.
    const api = new Api(server.url);
    const login = expectStatus(await api.post('/api/v1/sessions', { login: 'admin', password: oneTime }), 201);
    assert.equal(login.mustChangePassword, true);
    api.token = login.token;
    const refused = await api.get('/api/v1/rooms');
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'password_change_required']);
    assert.equal(expectStatus(await api.get('/api/v1/me'), 200).mustChangePassword, true);
    const irc = await RawClient.connect(server.irc[0]?.port ?? 0);
    irc.send(`PASS admin:${oneTime}`, 'NICK admin', 'USER admin 0 * :admin');
    await irc.next(/ 464 /);
    irc.close();

    const p = await people.stranger({ width: 1280, height: 800 });
    await p.page.goto(server.url);
    await p.page.getByLabel('Login').fill('admin');
    await p.page.getByLabel('Password').fill(oneTime);
    await p.page.getByRole('button', { name: 'Sign in' }).click();
    await p.page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    assert.equal(await p.page.locator('.topbar').count(), 0, 'nothing of the chat until then');
    await p.page.getByLabel('One-time password').fill(oneTime);
    await p.page.getByLabel('New password', { exact: true }).fill(oneTime);
    await p.page.getByLabel('New password again').fill(oneTime);
    await p.page.getByRole('button', { name: 'Set password and continue' }).click();
    await p.page.locator('.field.invalid', { hasText: 'Choose a password different from the current one.' }).waitFor();
    await p.screenshot('first-admin-password-1280');

    await p.page.getByLabel('New password', { exact: true }).fill('my-own-admin-password');
    await p.page.getByLabel('New password again').fill('my-own-admin-password');
    await p.page.getByRole('button', { name: 'Set password and continue' }).click();
    await p.page.locator('.topbar').waitFor();
    await p.page.locator('.banner.connecting').waitFor({ state: 'detached' });
    assert.equal((await api.get('/api/v1/rooms')).status, 401, 'the API session of the one-time password ended with the change');
    expectStatus(await (await Api.login(server.url, 'admin', 'my-own-admin-password')).get('/api/v1/rooms'), 200);

    const phone = await people.stranger({ width: 390, height: 780 });
    await phone.page.goto(server.url);
    await phone.page.getByLabel('Login').fill('admin');
    await phone.page.getByLabel('Password').fill('my-own-admin-password');
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.locator('.topbar').waitFor();
    p.assertClean();
    phone.assertClean();
  });
});
