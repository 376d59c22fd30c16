import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { adminApi, createCategory, createRoom, createUser, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { PASSWORD } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, Person } from './browser.js';

describe('web client: a server restart loses nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-reconnect-'));
  let server: TestServer;
  let browser: Browser;
  let room: number;
  const people: Person[] = [];

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({}, dir);
    const admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice' });
    const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob' });
    const category = await createCategory(admin, 'Team', { allowed: [user(alice.id), user(bob.id)] });
    room = await createRoom(admin, 'general', category, { members: [user(alice.id), user(bob.id)] });
  });
  after(async () => {
    for (const p of people) await p.close();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reconnects, re-joins from the last message seen, and sends what was written meanwhile, once', async () => {
    const a = await Person.open(browser, server.url);
    const b = await Person.open(browser, server.url);
    people.push(a, b);
    await a.signIn('alice@example.com');
    await b.signIn('bob@example.com');
    await a.openRoom(room);
    await b.openRoom(room);
    await a.post('before the restart');
    await b.page.getByText('before the restart').waitFor();

    const port = server.port;
    await server.close();
    await a.page.locator('.banner.reconnecting').waitFor();
    await a.screenshot('11-reconnecting');
    // Written while the server is down: held in the outbox, shown as waiting.
    await a.post('written while offline');
    await a.page.locator('.msg.pending', { hasText: 'written while offline' }).waitFor();

    server = await startTestServer({ 'http.port': port }, dir);
    // Posted by someone else after the restart, before the browsers are back.
    const api = await Api.login(server.url, 'bob@example.com', PASSWORD);
    expectStatus(await api.post(`/api/v1/rooms/${room}/messages`, { text: 'posted during the outage' }), 201);

    for (const p of [a, b]) {
      await p.page.locator('.banner').waitFor({ state: 'detached', timeout: 20_000 });
      await p.page.locator('.msg:not(.pending)', { hasText: 'written while offline' }).waitFor();
      await p.page.locator('.msg', { hasText: 'posted during the outage' }).waitFor();
    }
    await a.page.locator('.msg.pending').waitFor({ state: 'detached' });
    // The server's order is the truth: the offline message is stored when the browser is back,
    // which may be before or after bob's post. Each is stored once and shown once, in that order.
    const stored = expectStatus(await api.get(`/api/v1/rooms/${room}/messages`), 200).messages.map((m: any) => m.text);
    assert.deepEqual([...stored].sort(), ['before the restart', 'posted during the outage', 'written while offline']);
    assert.deepEqual(await a.texts(), stored);
    assert.deepEqual(await b.texts(), stored);
    await a.screenshot('12-reconnected');
    a.assertClean();
    b.assertClean();
  });
});
