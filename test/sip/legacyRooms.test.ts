import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chanibXml, chanidXml, SipClient } from '../../bench/lib/sipClient.js';
import type { Room, User } from '../../src/core/model.js';
import { pchat } from '../helpers/interchange.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * After a migration from a Lync Group Chat database, a legacy client finds the very rooms it
 * remembers: the ma-chan:// URIs of the legacy tblNode, in search, join (and the bjoin a client
 * sends at sign-in) and history.
 */
describe('a migrated Group Chat deployment over SIP: rooms keep their legacy addresses', () => {
  let dir: string;
  let server: TestServer;
  let member: User;
  let room: Room;
  let client: SipClient | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-sip-legacy-'));
    const archive = join(dir, 'legacy.zip');
    const exported = await pchat(['export', '--from', 'groupchat-db:examples/groupchat-dump', '--out', archive]);
    assert.equal(exported.code, 0, exported.stderr);
    const data = join(dir, 'data');
    const imported = await pchat(['import', archive, '--yes', '--database', join(data, 'pchat.db')]);
    assert.equal(imported.code, 0, imported.stderr);
    server = await startTestServer({ 'sip.listen': [{ host: '127.0.0.1', port: 0 }], 'sip.domains': ['example.com'], 'sip.auth': 'none-loopback-test' }, data);
    // An enabled imported user who may enter an imported room that has history.
    const snapshot = await server.app.directory.snapshot();
    for (const candidate of snapshot.rooms.values()) {
      if (!candidate.legacyUri || candidate.disabled) continue;
      if ((await server.app.context.store.messages.count(candidate.id)) === 0) continue;
      for (const user of snapshot.users.values()) {
        const actor = snapshot.actor(user.id);
        if (!actor || user.disabled || !user.login.endsWith('@example.com')) continue;
        const view = await server.app.rooms.get(actor, candidate.id).catch(() => null);
        if (view?.can.enter && view.can.read) {
          member = user;
          room = candidate;
          break;
        }
      }
      if (room) break;
    }
    assert.ok(room && member, 'the sample dump has an imported room with history and a member who may enter it');
  });
  after(async () => {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds, joins and reads the room by the URI the legacy client remembers', async () => {
    assert.match(room.legacyUri ?? '', /^ma-chan:\/\/example\.com\/[0-9a-f-]{36}$/);
    client = await SipClient.signIn({ port: server.sip[0]?.port ?? 0, login: member.login });
    const search = await client.command('cmd:chansrch', `<qib qtype="BYNAME" criteria="${room.name.slice(0, 8)}" extended="false"/>`);
    assert.equal(search.code, 200, search.text);
    const listed = search.data.children.find((c) => c.attrs.name === room.name);
    assert.equal(listed?.attrs.uri, room.legacyUri, 'search shows the legacy URI');

    // The batch join a client sends at sign-in for the rooms it remembers, written the way sipe does.
    const joined = await client.command('cmd:bjoin', chanidXml(room.legacyUri as string));
    assert.equal(joined.code, 200, joined.text);
    assert.equal(joined.data.children.find((c) => c.name === 'chanib')?.attrs.uri, room.legacyUri);

    const history = await client.command('cmd:bccontext', `${chanibXml(room.legacyUri as string)}<bcq><last cnt="5"/></bcq>`);
    assert.equal(history.code, 200, history.text);
    const messages = history.data.children.find((c) => c.name === 'chanib')?.children.filter((c) => c.name === 'msg') ?? [];
    assert.ok(messages.length > 0 && messages.length <= 5, `history came back (${messages.length} messages)`);
    for (const m of messages) assert.equal(m.attrs.chanUri, room.legacyUri);

    // The same room under its legacy URI in another case is the same room; a made-up GUID is not found.
    const upper = await client.command('cmd:join', chanidXml((room.legacyUri as string).toUpperCase().replace('MA-CHAN://', 'ma-chan://')));
    assert.equal(upper.code, 200, upper.text);
    const unknown = await client.command('cmd:join', chanidXml('ma-chan://example.com/12345678-1234-1234-1234-123456789abc'));
    assert.equal(unknown.code, 404);
  });
});
