import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const BIN = fileURLToPath(new URL('../../bin/pchat.js', import.meta.url));
/** The caller's PCHAT_* settings must not leak into the CLI under test. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PCHAT_')));

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `pchat` executable in `cwd`; never rejects. */
function runCli(args: readonly string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: ENV, cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('pchat endpoint add|list|remove', () => {
  let dir: string;
  let file: string;
  const cli = (...args: string[]) => runCli(args, dir);
  const ok = async (...args: string[]): Promise<string> => {
    const run = await cli(...args);
    assert.equal(run.code, 0, `pchat ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
    return run.stdout;
  };
  const onDisk = () => JSON.parse(readFileSync(file, 'utf8'));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-endpoint-'));
    file = join(dir, 'custom.json');
    writeFileSync(join(dir, 'cert.pem'), 'not checked here: the server reads it at start\n');
    writeFileSync(join(dir, 'key.pem'), 'key\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('documents itself with examples and says changes apply at restart', async () => {
    for (const sub of [[], ['add'], ['list'], ['remove']]) {
      const help = await ok('endpoint', ...sub, '--help');
      assert.match(help, /Examples:\n {2}\$ pchat endpoint/);
    }
    assert.match(await ok('endpoint', '--help'), /picks endpoint changes up when it restarts/);
    assert.match(await ok('endpoint', 'add', '--help'), /--tls-cert <file>[\s\S]*--server-name <name>/);
  });

  it('lists the default endpoint when the file does not exist, and creates the file on add', async () => {
    const listed = JSON.parse(await ok('endpoint', 'list', '--json', '--config', file));
    assert.deepEqual(listed, { serverName: 'pchat.local', listen: [{ address: '0.0.0.0:6667', host: '0.0.0.0', port: 6667, tls: false, certFile: null, keyFile: null }] });
    assert.ok(!existsSync(file), 'list writes nothing');
    const out = await ok('endpoint', 'add', '--host', '127.0.0.1', '--port', '6697', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem', '--server-name', 'irc.legacy.example', '--config', file);
    assert.match(out, /Added TLS IRC endpoint 127\.0\.0\.1:6697 .*restarts/);
    assert.deepEqual(onDisk(), {
      irc: {
        listen: [
          { host: '0.0.0.0', port: 6667 },
          { host: '127.0.0.1', port: 6697, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } },
        ],
        serverName: 'irc.legacy.example',
      },
    });
    const table = await ok('endpoint', 'list', '--config', file);
    assert.match(table, /0\.0\.0\.0:6667/);
    assert.match(table, /127\.0\.0\.1:6697 .*true/);
    assert.match(table, /server name: irc\.legacy\.example/);
  });

  it('keeps the other settings of an existing file, and removes by host:port', async () => {
    const other = join(dir, 'pchat.config.json');
    writeFileSync(other, JSON.stringify({ http: { port: 9000 }, irc: { listen: '0.0.0.0:6667,[::1]:6668', motd: ['hi'] }, log: { level: 'warn' } }));
    // The default file is ./pchat.config.json.
    const added = JSON.parse(await ok('endpoint', 'add', '--host', '10.0.0.5', '--port', '7000', '--json'));
    assert.equal(added.added.address, '10.0.0.5:7000');
    const removed = JSON.parse(await ok('endpoint', 'remove', '[::1]:6668', '--json'));
    assert.deepEqual(
      removed.remaining.map((r: { address: string }) => r.address),
      ['0.0.0.0:6667', '10.0.0.5:7000'],
    );
    assert.deepEqual(JSON.parse(readFileSync(other, 'utf8')), {
      http: { port: 9000 },
      irc: { listen: [{ host: '0.0.0.0', port: 6667 }, { host: '10.0.0.5', port: 7000 }], motd: ['hi'] },
      log: { level: 'warn' },
    });
    await ok('endpoint', 'remove', '0.0.0.0:6667');
    await ok('endpoint', 'remove', '10.0.0.5:7000');
    assert.deepEqual(JSON.parse(readFileSync(other, 'utf8')).irc.listen, [], 'no addresses: IRC is off');
    assert.match(await ok('endpoint', 'list'), /\(none\)/);
  });

  it('refuses bad input without touching the file, and leaves no temporary files', async () => {
    const before = readFileSync(file, 'utf8');
    const refusals: [string[], number, RegExp][] = [
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '6697'], 1, /already listens on 127\.0\.0\.1:6697\..*\[conflict\]/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '70000'], 78, /irc\.listen\.2\.port/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', 'x'], 2, /Not a whole number/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '7001', '--tls-cert', 'cert.pem'], 2, /both --tls-cert and --tls-key/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '7001', '--tls-cert', 'nope.pem', '--tls-key', 'key.pem'], 1, /nope\.pem does not exist/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '7001', '--server-name', 'bad name!'], 78, /irc\.serverName/],
      [['endpoint', 'add', '--port', '7001'], 2, /--host/],
      [['endpoint', 'remove', '127.0.0.1:1'], 1, /does not listen on 127\.0\.0\.1:1/],
      [['endpoint', 'remove', 'nonsense'], 1, /not an address/],
    ];
    for (const [args, code, message] of refusals) {
      const run = await cli(...args, '--config', file);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(readFileSync(file, 'utf8'), before, `${args.join(' ')} left the file alone`);
    }
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    const broken = await cli('endpoint', 'add', '--host', '1.2.3.4', '--port', '1', '--config', join(dir, 'broken.json'));
    assert.equal(broken.code, 78, broken.stderr);
    assert.equal(readFileSync(join(dir, 'broken.json'), 'utf8'), '{ not json');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});
