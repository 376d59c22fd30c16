import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/wsClient.js';

/** Polls until `check` returns a value (not undefined), or fails with `describe()` after `ms`. */
async function eventually<T>(check: () => T | undefined, describe: () => string, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/**
 * ii (suckless "irc it"), a real terminal IRC client from Debian's packages, installed by
 * .ci/run. It is driven through its files: `<dir>/<server>/in` (a FIFO) takes commands,
 * `out` collects what the server says; each joined channel gets its own in/out.
 */
describe('IRC endpoint with the ii terminal client', () => {
  let server: TestServer;
  let port: number;
  let dir: string;
  let ii: ChildProcess;
  let bob: { id: number; api: Api };
  let ws: WsClient;
  let serverDir: string;
  let iiLog = '';
  let ops: number;

  before(async () => {
    // Not a skip: CI installs ii (.ci/run); without it this test must fail.
    const found = spawnSync('sh', ['-c', 'command -v ii'], { encoding: 'utf8' });
    assert.equal(found.status, 0, 'the ii IRC client is not installed (apt-get install ii; .ci/run does it)');
    server = await startTestServer();
    port = server.irc[0]?.port ?? 0;
    const admin = await adminApi(server.url);
    const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice A' });
    bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob B' });
    const cat = await createCategory(admin, 'Terminal', { allowed: [user(alice.id), user(bob.id)] });
    ops = await createRoom(admin, 'ops', cat, { members: [user(alice.id), user(bob.id)] });
    await createRoom(admin, 'vault', cat, { privacy: 'secret', members: [user(bob.id)] });
    ws = await WsClient.connect(server.url, bob.api.token);
    await ws.next((f) => f.type === 'ready');
    await ws.call({ type: 'join', roomId: ops });

    dir = mkdtempSync(join(tmpdir(), 'pchat-ii-'));
    serverDir = join(dir, '127.0.0.1');
    // ii sends `PASS $IIPASS` before NICK and USER; pchat takes PASS login:password.
    ii = spawn('ii', ['-s', '127.0.0.1', '-p', String(port), '-i', dir, '-n', 'alice', '-f', 'Alice A', '-k', 'IIPASS'], {
      env: { ...process.env, IIPASS: `alice@example.com:${PASSWORD}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ii.stdout?.on('data', (d: Buffer) => (iiLog += d.toString()));
    ii.stderr?.on('data', (d: Buffer) => (iiLog += d.toString()));
    // The welcome burst ends with the MOTD (after LUSERS, which reads the directory): wait for all of it.
    await eventually(
      () => (/End of \/MOTD command|Welcome to pchat/.test(read(join(serverDir, 'out'))) ? true : undefined),
      () => `ii did not register, or its welcome burst did not end:\n${read(join(serverDir, 'out'))}\n${iiLog}`,
    );
  });
  after(async () => {
    ii?.kill('SIGTERM');
    ws?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers with PASS login:password and gets the welcome burst', () => {
    const out = read(join(serverDir, 'out'));
    assert.match(out, /Welcome to the pchat IRC Network alice!u\d+@pchat\.local/);
    assert.match(out, /End of \/MOTD command|Welcome to pchat/);
  });

  it('carries a message ii → WebSocket and WebSocket → ii', async () => {
    await appendFile(join(serverDir, 'in'), '/j #ops\n');
    const channelDir = join(serverDir, '#ops');
    await eventually(
      () => (existsSync(join(channelDir, 'in')) && / has joined #ops|JOIN/i.test(read(join(channelDir, 'out'))) ? true : undefined),
      () => `ii did not join #ops:\n${read(join(channelDir, 'out'))}\n${read(join(serverDir, 'out'))}`,
    );
    await appendFile(join(channelDir, 'in'), 'hello from a terminal\n');
    const live = await ws.next((f) => f.type === 'message' && f.message.text === 'hello from a terminal', 10_000);
    assert.equal(live.message.roomId, ops);
    const stored = expectStatus(await bob.api.get(`/api/v1/rooms/${ops}/messages`), 200);
    assert.ok(stored.messages.some((m: { text: string }) => m.text === 'hello from a terminal'), 'persisted');
    const ack = await ws.call({ type: 'post', roomId: ops, text: 'hello back from the web' });
    assert.equal(ack.type, 'ack');
    await eventually(
      () => (/<bob> hello back from the web/.test(read(join(channelDir, 'out'))) ? true : undefined),
      () => `ii did not show the web message:\n${read(join(channelDir, 'out'))}`,
    );
  });

  it("answers ii's JOIN of a secret room it is not a member of with 403, as for no such channel", async () => {
    const before = read(join(serverDir, 'out')).length;
    await appendFile(join(serverDir, 'in'), '/j #vault\n');
    await appendFile(join(serverDir, 'in'), '/j #no_such_room\n');
    const lines = await eventually(
      () => {
        const fresh = read(join(serverDir, 'out')).slice(before);
        return /no_such_room/i.test(fresh) ? fresh : undefined;
      },
      () => `no answer in ii's server output:\n${read(join(serverDir, 'out')).slice(before)}`,
    );
    // ii writes a numeric to the server's out file as "<unix time> <params after the nick>":
    // "1714557600 #vault No such channel" is 403 ERR_NOSUCHCHANNEL (473 would read "Cannot join channel").
    const vault = lines.split('\n').find((l) => /#vault/i.test(l)) ?? '';
    const missing = lines.split('\n').find((l) => /#no_such_room/i.test(l)) ?? '';
    assert.match(vault, /^\d+ #vault No such channel$/, lines);
    assert.equal(vault.replace(/^\S+\s*/, '').replace(/#vault/i, '<chan>'), missing.replace(/^\S+\s*/, '').replace(/#no_such_room/i, '<chan>'), 'a secret room looks exactly like a missing one');
    assert.ok(!/<[^>]+> /.test(read(join(serverDir, '#vault', 'out'))), 'and nothing of its history is shown');
  });
});
