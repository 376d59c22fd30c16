import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort } from '../helpers/childServer.js';
import { Api, expectStatus } from '../helpers/http.js';
import { FrameworkClient } from '../irc/clients.js';
import { deployment, ok, serve, type Served, stateOf } from '../e2e/migrateFlow.js';
import { launchBrowser, Person } from './browser.js';
import { richSegments } from '../../src/core/richText.js';

const PASSWORD = 'migrated-password-1';

// After `pchat migrate run` of the sample Group Chat dump: the web client and a legacy IRC
// client at the legacy address see the same migrated rooms and chat live with each other.
describe('after pchat migrate: the web client and a legacy IRC client in the same migrated room', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-migrate-browser-'));
  const target = deployment(work);
  let server: Served;
  let browser: Browser;
  let ircPort: number;

  before(async () => {
    browser = await launchBrowser();
    server = await serve(target);
    ircPort = await freePort();
    const plan = join(work, 'migration.json');
    await ok(['migrate', 'plan', '--from', `groupchat-db:${resolve('examples/groupchat-dump')}`, '--to', target.database, '--to-config', target.config, '--irc-listen', `127.0.0.1:${ircPort}`, '--web-url', server.url, '--out', plan, '--calibrate', '200']);
    await ok(['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes']);
    assert.equal(stateOf(plan).verify?.ok, true);
    await server.stop();
    server = await serve(target);
    for (const login of ['alice@example.com', 'bob@example.com']) await ok(['user', 'set', login, '--password', PASSWORD, '--database', target.database]);
  });
  after(async () => {
    await browser.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the migrated room with its history, and chats live with IRC both ways', async () => {
    const api = await Api.login(server.url, 'alice@example.com', PASSWORD);
    const rooms = expectStatus(await api.get('/api/v1/rooms'), 200);
    const general = (rooms.rooms ?? rooms).find((r: any) => r.name === 'eng-general');
    const history = expectStatus(await api.get(`/api/v1/rooms/${general.id}/messages`), 200);
    const lastMigrated = history.messages.at(-1).text as string;

    const web = await Person.open(browser, server.url);
    await web.signIn('alice@example.com', PASSWORD);
    await web.page.getByText('eng-general').first().waitFor();
    await web.openRoom(general.id);
    // A migrated <a href> link is carried as `[label](url)` and shown as its label, a link (core/richText.ts).
    const segments = richSegments(lastMigrated);
    const shown = segments.map((x) => (typeof x === 'string' ? x : x.label)).join('');
    assert.ok((await web.texts()).some((t) => t.includes(shown.split('\n')[0]!)), 'the migrated history is shown');
    for (const link of segments.filter((x) => typeof x !== 'string')) {
      assert.equal(await web.page.locator('.msg a', { hasText: link.label }).last().getAttribute('href'), link.href, 'a migrated link is a link');
    }

    const irc = await FrameworkClient.connect(ircPort, 'bob', { password: `bob@example.com:${PASSWORD}` });
    try {
      irc.raw('JOIN #eng-general');
      await irc.next(/ 366 /, 10_000);
      await web.post('hello from the web after the migration');
      await irc.next((l) => l.includes('PRIVMSG #eng-general :hello from the web after the migration'), 10_000);
      irc.client.say('#eng-general', 'hello from a legacy IRC client');
      await web.page.getByText('hello from a legacy IRC client').waitFor();
      await web.screenshot('migrate-web-and-irc');
      web.assertClean();
    } finally {
      irc.close();
      await web.close();
    }
  });
});
