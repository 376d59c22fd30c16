// An address pchat cannot listen on at start (in use, not on this machine) is one line on stderr
// naming the setting to change, and exit code 78 (EX_CONFIG, as for any configuration error),
// never a stack trace. The real `pchat serve` process, on ports this test holds itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, PCHAT_BIN } from '../helpers/childServer.js';
import { ADMIN_PASSWORD } from '../helpers/server.js';

/** Runs `pchat serve` to its end (it must not start) with only these PCHAT_ variables. */
function serve(dataDir: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PCHAT_') && v !== undefined) base[k] = v;
  const child = spawn(process.execPath, [PCHAT_BIN, 'serve', '--data-dir', dataDir], {
    cwd: dataDir,
    env: { ...base, PCHAT_ADMIN_PASSWORD: ADMIN_PASSWORD, PCHAT_LOG_LEVEL: 'silent', PCHAT_HOST: '127.0.0.1', PCHAT_IRC_LISTEN: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A server that started after all is stopped, so the test fails on the exit code rather than hanging.
  const guard = setTimeout(() => child.kill('SIGTERM'), 30_000);
  return new Promise((resolve) => child.once('close', (code) => (clearTimeout(guard), resolve({ code, stdout, stderr }))));
}

describe('listen errors at start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pchat-listen-'));
  let taken: Server;
  let takenPort: number;
  before(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const assertOneLine = (run: { code: number | null; stderr: string }, pattern: RegExp): void => {
    assert.equal(run.code, 78, `exit code 78 (EX_CONFIG); stderr:\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line:\n${run.stderr}`);
    assert.match(lines[0] as string, pattern);
  };

  it('names http.port and PCHAT_PORT when the HTTP port is in use', async () => {
    const run = await serve(dataDir, { PCHAT_PORT: String(takenPort) });
    assertOneLine(run, new RegExp(`^pchat cannot start: http 127\\.0\\.0\\.1:${takenPort} is already in use .*; change http\\.port / http\\.host in the config file, or PCHAT_PORT / PCHAT_HOST \\(--port / --host\\)\\.$`));
  });

  it('names irc.listen and PCHAT_IRC_LISTEN when the IRC port is in use', async () => {
    const run = await serve(dataDir, { PCHAT_PORT: String(await freePort()), PCHAT_IRC_LISTEN: `127.0.0.1:${takenPort}` });
    assertOneLine(run, new RegExp(`^pchat cannot start: irc\\.listen 127\\.0\\.0\\.1:${takenPort} is already in use .*; change irc\\.listen in the config file, or PCHAT_IRC_LISTEN \\(none switches IRC off\\)\\.$`));
  });

  it('names sip.listen and PCHAT_SIP_LISTEN when the SIP port is in use', async () => {
    const run = await serve(dataDir, { PCHAT_PORT: String(await freePort()), PCHAT_SIP_LISTEN: `127.0.0.1:${takenPort}`, PCHAT_SIP_DOMAINS: 'example.com', PCHAT_SIP_AUTH: 'none-loopback-test' });
    assertOneLine(run, new RegExp(`^pchat cannot start: sip\\.listen 127\\.0\\.0\\.1:${takenPort} is already in use .*; change sip\\.listen in the config file, or PCHAT_SIP_LISTEN\\.$`));
  });

  it('says when the address is not one of this machine', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a real interface.
    const run = await serve(dataDir, { PCHAT_HOST: '192.0.2.1', PCHAT_PORT: String(await freePort()) });
    assertOneLine(run, /^pchat cannot start: http 192\.0\.2\.1:\d+ is not an address of this machine; change http\.port/);
  });
});
