import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pchat } from './helpers/interchange.js';

/** The real `pchat` in `cwd` (no ./pchat.config.json but the test's), without the caller's PCHAT_* settings; never rejects. */
const runCli = (args: readonly string[], cwd: string) => pchat(args, { cwd, timeout: 30_000 });

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

describe('pchat endpoint --protocol sip and endpoint domains', () => {
  let dir: string;
  let file: string;
  const cli = (...args: string[]) => runCli([...args, '--config', file], dir);
  const ok = async (...args: string[]): Promise<string> => {
    const run = await cli(...args);
    assert.equal(run.code, 0, `pchat ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
    return run.stdout;
  };
  const onDisk = () => JSON.parse(readFileSync(file, 'utf8'));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-endpoint-sip-'));
    file = join(dir, 'pchat.config.json');
    writeFileSync(join(dir, 'pool.pem'), 'not checked here: the server reads it at start\n');
    writeFileSync(join(dir, 'pool.key'), 'key\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('teaches SIP in --help, with examples', async () => {
    assert.match(await ok('endpoint', '--help'), /--protocol sip[\s\S]*\$ pchat endpoint add --protocol sip .*--domain example\.com/);
    assert.match(await ok('endpoint', 'add', '--help'), /--protocol <protocol>[\s\S]*--domain <domain>[\s\S]*\$ pchat endpoint add --protocol sip/);
    assert.match(await ok('endpoint', 'remove', '--help'), /\$ pchat endpoint remove sip:0\.0\.0\.0:5061/);
    for (const sub of [['domains'], ['domains', 'set']]) assert.match(await ok('endpoint', ...sub, '--help'), /Examples:\n {2}\$ pchat endpoint domains set example\.com/);
  });

  it('refuses a SIP address while no SIP domain is set, with the schema\'s error and how to give one', async () => {
    const run = await cli('endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '5061');
    assert.equal(run.code, 78, run.stderr);
    assert.match(run.stderr, /sip\.domains .*needs the SIP domain\(s\) it serves[\s\S]*--domain <domain>/);
    assert.ok(!existsSync(file), 'nothing written');
    assert.match(await ok('endpoint', 'list'), /SIP endpoint: off \(no address\)/);
  });

  it('adds TLS and TCP SIP addresses with domains and the pool name; lists both protocols, as a table and as JSON', async () => {
    const out = await ok('endpoint', 'add', '--protocol', 'sip', '--host', '0.0.0.0', '--port', '5061', '--tls-cert', 'pool.pem', '--tls-key', 'pool.key', '--server-name', 'pool.example.com', '--domain', 'Example.com');
    assert.match(out, /Added TLS SIP endpoint 0\.0\.0\.0:5061 .*server name pool\.example\.com; SIP domains example\.com.*restarts/);
    const added = JSON.parse(await ok('endpoint', 'add', '--protocol', 'sip', '--host', '::1', '--port', '5060', '--domain', 'retail.example.com,example.com', '--domain', 'example.org', '--json'));
    assert.deepEqual(added.added, { address: '[::1]:5060', host: '::1', port: 5060, tls: false, certFile: null, keyFile: null });
    assert.deepEqual(added.domains, ['example.com', 'retail.example.com', 'example.org'], '--domain adds to the domains, once each');
    assert.deepEqual(onDisk(), {
      sip: {
        listen: [
          { host: '0.0.0.0', port: 5061, tls: { certFile: join(dir, 'pool.pem'), keyFile: join(dir, 'pool.key') } },
          { host: '::1', port: 5060 },
        ],
        domains: ['example.com', 'retail.example.com', 'example.org'],
        serverName: 'pool.example.com',
      },
    });
    const table = await ok('endpoint', 'list');
    assert.match(table, /protocol .*address/);
    assert.match(table, /irc .*0\.0\.0\.0:6667 .*false/);
    assert.match(table, /sip .*0\.0\.0\.0:5061 .*true/);
    assert.match(table, /sip .*\[::1\]:5060 .*false/);
    assert.match(table, /SIP server name: pool\.example\.com; SIP domains: example\.com, retail\.example\.com, example\.org/);
    const listed = JSON.parse(await ok('endpoint', 'list', '--json'));
    assert.equal(listed.serverName, 'pchat.local', 'the IRC endpoint stays at the top level');
    assert.deepEqual(listed.listen.map((r: { address: string }) => r.address), ['0.0.0.0:6667']);
    const sipOnly = JSON.parse(await ok('endpoint', 'list', '--json', '--protocol', 'sip'));
    assert.deepEqual(listed.sip, sipOnly);
    assert.deepEqual(sipOnly, {
      serverName: 'pool.example.com',
      domains: ['example.com', 'retail.example.com', 'example.org'],
      auth: 'ntlm',
      listen: [{ address: '0.0.0.0:5061', host: '0.0.0.0', port: 5061, tls: true, certFile: join(dir, 'pool.pem'), keyFile: join(dir, 'pool.key') }, added.added],
    });
    assert.doesNotMatch(await ok('endpoint', 'list', '--protocol', 'irc'), /sip|SIP/);
  });

  it('sets the SIP domains, and refuses to leave a listening endpoint without one', async () => {
    const set = JSON.parse(await ok('endpoint', 'domains', 'set', 'example.com, Example.NET', '--json'));
    assert.deepEqual(set.domains, ['example.com', 'example.net']);
    assert.deepEqual(onDisk().sip.domains, ['example.com', 'example.net']);
    const before = readFileSync(file, 'utf8');
    for (const value of ['none', '']) {
      const run = await cli('endpoint', 'domains', 'set', value);
      assert.equal(run.code, 78, run.stderr);
      assert.match(run.stderr, /sip\.domains .*needs the SIP domain/);
    }
    const bad = await cli('endpoint', 'domains', 'set', 'example.com,not a domain');
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /sip\.domains\.1 .*A SIP domain is a DNS name/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('refuses bad SIP input without touching the file', async () => {
    const before = readFileSync(file, 'utf8');
    const refusals: [string[], number, RegExp][] = [
      [['endpoint', 'add', '--protocol', 'sip', '--host', '0.0.0.0', '--port', '5061'], 1, /SIP endpoint already listens on 0\.0\.0\.0:5061\..*\[conflict\]/],
      [['endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '6667'], 1, /127\.0\.0\.1:6667 would compete with the IRC endpoint on 0\.0\.0\.0:6667.*\[conflict\]/],
      [['endpoint', 'add', '--host', '10.1.1.1', '--port', '5061'], 1, /would compete with the SIP endpoint on 0\.0\.0\.0:5061/],
      [['endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '8080'], 1, /would compete with the HTTP server/],
      [['endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '5062', '--server-name', 'bad name!'], 78, /sip\.serverName/],
      [['endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '5062', '--domain', 'bad_domain'], 78, /sip\.domains\.\d .*DNS name/],
      [['endpoint', 'add', '--protocol', 'sip', '--host', '127.0.0.1', '--port', '5062', '--tls-key', 'pool.key'], 2, /both --tls-cert and --tls-key/],
      [['endpoint', 'add', '--protocol', 'xmpp', '--host', '127.0.0.1', '--port', '5062'], 2, /Allowed choices are irc, sip/],
      [['endpoint', 'add', '--host', '127.0.0.1', '--port', '7000', '--domain', 'example.com'], 2, /--domain is for the SIP endpoint/],
      [['endpoint', 'remove', 'sip:127.0.0.1:1'], 1, /SIP endpoint does not listen on 127\.0\.0\.1:1/],
      [['endpoint', 'remove', '--protocol', 'irc', 'sip:0.0.0.0:5061'], 2, /the address says sip: but --protocol says irc/],
      [['endpoint', 'remove', '0.0.0.0:5061'], 1, /IRC endpoint does not listen on 0\.0\.0\.0:5061/],
    ];
    for (const [args, code, message] of refusals) {
      const run = await cli(...args);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(readFileSync(file, 'utf8'), before, `${args.join(' ')} left the file alone`);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('removes SIP addresses by sip:host:port or --protocol sip; without any the endpoint is off and the domains stay', async () => {
    const removed = JSON.parse(await ok('endpoint', 'remove', 'sip:[::1]:5060', '--json'));
    assert.equal(removed.removed, 'sip:[::1]:5060');
    assert.deepEqual(removed.remaining.map((r: { address: string }) => r.address), ['0.0.0.0:5061']);
    assert.match(await ok('endpoint', 'remove', '--protocol', 'sip', '0.0.0.0:5061'), /Removed SIP endpoint 0\.0\.0\.0:5061 .*the SIP endpoint is off/);
    assert.deepEqual(onDisk().sip, { listen: [], domains: ['example.com', 'example.net'], serverName: 'pool.example.com' });
    assert.match(await ok('endpoint', 'list'), /SIP endpoint: off \(no address\); SIP domains: example\.com, example\.net/);
    assert.match(await ok('endpoint', 'domains', 'set', 'none'), /SIP domains in .*: \(none\)/);
    assert.deepEqual(JSON.parse(await ok('endpoint', 'list', '--json')), {
      serverName: 'pchat.local',
      listen: [{ address: '0.0.0.0:6667', host: '0.0.0.0', port: 6667, tls: false, certFile: null, keyFile: null }],
    }, 'an unconfigured SIP endpoint leaves the JSON as it was before SIP');
  });
});
