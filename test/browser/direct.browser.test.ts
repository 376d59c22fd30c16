import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createUser, PASSWORD } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';
import { launchBrowser, People } from './browser.js';

describe('web client: direct messages in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Api;
  let bob: { id: number; api: Api };
  const people = new People(() => ({ browser, url: server.url }));
  /** Signed in, with patience for a machine shared with other work: waits, never asserts, on time. */
  const signedIn = async (login: string) => {
    const p = await people.stranger();
    p.page.setDefaultTimeout(60_000);
    await p.signIn(login);
    return p;
  };

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ 'sqlite.synchronous': 'normal' });
    admin = await adminApi(server.url);
    await createUser(admin, 'alice@example.com', { displayName: 'Alice Liddell' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob Builder' });
    await createUser(admin, 'carol@example.com', { displayName: 'Carol Danvers' });
  });
  after(async () => {
    await people.closeAll();
    await browser?.close();
    await server?.stop();
  });

  it('starts a conversation by picking a person; the first message reaches the open client of the other, with an unread count', async () => {
    const a = await signedIn('alice@example.com');
    const b = await signedIn('bob@example.com');
    await b.page.getByRole('heading', { name: 'Direct messages' }).waitFor();
    assert.equal(await b.page.locator('.direct-list li').count(), 0);

    await a.page.getByRole('link', { name: 'New direct message' }).click();
    await a.page.getByLabel('Choose whom to add to People').selectOption({ label: 'Bob Builder (bob@example.com)' });
    await a.page.getByRole('button', { name: 'Add', exact: true }).click();
    await a.page.getByRole('button', { name: 'Start conversation' }).click();
    await a.page.locator('.room-main .messages[aria-busy="false"]').waitFor();
    assert.equal(await a.page.locator('#room-title').innerText(), 'Bob Builder', 'a conversation goes by the other person\u2019s name');
    await a.post('Psst, Bob: lunch at noon?');
    await a.page.locator('.msg-list li.msg:not(.pending) .text', { hasText: 'lunch at noon' }).waitFor();
    await a.screenshot('direct-01-sent');

    // Bob never opened anything: the conversation appears in his sidebar with one unread message.
    const entry = b.page.locator('.direct-list li[data-conversation="Alice Liddell"]');
    await entry.locator('.badge', { hasText: '1' }).waitFor();
    await b.screenshot('direct-02-unread');
    await entry.getByRole('link').click();
    await b.page.locator('.room-main .messages[aria-busy="false"]').waitFor();
    assert.deepEqual(await b.texts(), ['Psst, Bob: lunch at noon?']);
    await entry.locator('.badge').waitFor({ state: 'detached' });
    await b.post('Yes! See you there.');
    await a.page.locator('.msg-list li.msg:not(.pending) .text', { hasText: 'See you there' }).waitFor();
    // The server lists Bob's one conversation; after a reload, which keeps nothing of the page, no
    // badge shows: the read position came from the server.
    const stored = expectStatus(await bob.api.get('/api/v1/direct'), 200).conversations;
    assert.equal(stored.length, 1);
    await b.page.reload();
    await b.page.locator('.topbar').waitFor();
    await b.page.locator('.banner.connecting').waitFor({ state: 'detached' });
    await b.page.locator('.direct-list li[data-conversation="Alice Liddell"]').waitFor();
    assert.equal(await b.page.locator('.direct-list li[data-conversation="Alice Liddell"] .badge').count(), 0);
    a.assertClean();
    b.assertClean();
  });

  it('opening the same person again returns the same conversation; IRC private messages land in it', async () => {
    const a = await signedIn('alice@example.com');
    await a.page.locator('.direct-list li[data-conversation="Bob Builder"]').waitFor();
    await a.page.getByRole('link', { name: 'New direct message' }).click();
    await a.page.getByLabel('Choose whom to add to People').selectOption({ label: 'Bob Builder (bob@example.com)' });
    await a.page.getByRole('button', { name: 'Add', exact: true }).click();
    await a.page.getByRole('button', { name: 'Start conversation' }).click();
    await a.page.locator('.msg-list li.msg:not(.pending) .text', { hasText: 'See you there' }).waitFor();
    assert.equal(await a.page.locator('.direct-list li').count(), 1, 'still one conversation with Bob');

    const irc = await RawClient.register(server.irc[0]!.port, 'bob@example.com', PASSWORD);
    try {
      irc.send('PRIVMSG alice :sent from my IRC client');
      await a.page.locator('.msg-list li.msg:not(.pending) .text', { hasText: 'sent from my IRC client' }).waitFor();
      await a.post('and back to IRC');
      assert.match(await irc.next((l) => l.includes('and back to IRC')), /:alice!u\d+@\S+ PRIVMSG bob :and back to IRC$/);
    } finally {
      irc.close();
    }
    // Carol sees nothing of it.
    const c = await signedIn('carol@example.com');
    await c.page.getByText('No conversations yet.').waitFor();
    await c.goto(`#/room/${new URL(a.page.url()).hash.split('/')[2]}`);
    await c.page.getByRole('heading', { name: 'Room unavailable' }).waitFor();
    await c.screenshot('direct-03-outsider');
    a.assertClean();
  });
});
