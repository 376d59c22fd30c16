import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load.js';

describe('configuration', () => {
  const file = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'pchat-config-')), 'pchat.config.json');
    writeFileSync(path, content);
    return path;
  };

  it('has sensible defaults: port 8080, ./data, SQLite file inside it, fsync on commit', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.http.port, 8080);
    assert.equal(config.dataDir, './data');
    assert.equal(config.database, join('./data', 'pchat.db'));
    assert.equal(config.sqlite.synchronous, 'full');
  });

  it('layers file, then environment, then overrides', () => {
    const path = file(JSON.stringify({ http: { port: 9000, host: '127.0.0.1' }, dataDir: '/srv/pchat' }));
    const config = loadConfig({ file: path, env: { PCHAT_PORT: '9100' }, overrides: { dataDir: '/tmp/x' } });
    assert.equal(config.http.port, 9100);
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.dataDir, '/tmp/x');
  });

  it('reports every problem at once, saying where each value came from', () => {
    const path = file(JSON.stringify({ http: { port: 70000 }, colour: 'blue', log: { level: 'chatty' } }));
    try {
      loadConfig({ file: path, env: { PCHAT_ADMIN_PASSWORD: 'short', PCHAT_SQLITE_SYNCHRONOUS: 'sometimes' } });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.equal(error.problems.length, 5, text);
      assert.match(text, /http\.port \(from .*pchat\.config\.json\)/);
      assert.match(text, /colour/);
      assert.match(text, /log\.level/);
      assert.match(text, /admin\.password \(from PCHAT_ADMIN_PASSWORD\): The administrator password needs at least 8 characters/);
      assert.match(text, /sqlite\.synchronous \(from PCHAT_SQLITE_SYNCHRONOUS\)/);
    }
  });

  it('listens for IRC on 6667 by default, takes a host:port list from the environment, and none to switch it off', () => {
    assert.deepEqual(loadConfig({ env: {} }).irc.listen, [{ host: '0.0.0.0', port: 6667 }]);
    assert.deepEqual(loadConfig({ env: { PCHAT_IRC_LISTEN: '10.0.0.5:6667,[::1]:7000' } }).irc.listen, [
      { host: '10.0.0.5', port: 6667 },
      { host: '::1', port: 7000 },
    ]);
    assert.deepEqual(loadConfig({ env: { PCHAT_IRC_LISTEN: 'none' } }).irc.listen, []);
    assert.throws(() => loadConfig({ env: { PCHAT_IRC_LISTEN: 'irc.example.com' } }), (e: unknown) => e instanceof ConfigError && /irc\.listen/.test(e.message));
    assert.throws(() => loadConfig({ env: { PCHAT_IRC_SERVER_NAME: 'bad name' } }), (e: unknown) => e instanceof ConfigError && /PCHAT_IRC_SERVER_NAME/.test(e.message));
  });

  it('reports a file that is not JSON', () => {
    assert.throws(() => loadConfig({ file: file('{ port: 1 '), env: {} }), (e: unknown) => e instanceof ConfigError && /pchat\.config\.json/.test(e.message));
  });
});
