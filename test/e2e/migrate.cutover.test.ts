import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { freePort } from '../helpers/childServer.js';
import { seedDatabase } from '../helpers/interchange.js';
import { cli, type Deployment, deployment, ok, serve, stateOf } from './migrateFlow.js';

/** The database's identity as the database itself holds it (read with SQLite, not through pchat). */
function databaseId(d: Deployment): string {
  const db = new Database(d.database, { readonly: true });
  try {
    return (db.prepare("SELECT value FROM settings WHERE key = 'instance'").pluck().get() as string | undefined) ?? '(none yet)';
  } finally {
    db.close();
  }
}

const cutOverOf = (plan: string) => (stateOf(plan).steps as unknown as { name: string; status: string; outcome: string; attempts: number }[]).find((s) => s.name === 'cut-over')!;

/** A real listener on a free loopback port: the legacy server still holding its address. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as { port: number }).port };
}

describe('pchat migrate: check-target and cut-over check what they claim; rollback restores the config byte for byte', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-migrate-cutover-'));
  const source = deployment(mkdtempSync(join(work, 'source-')));
  after(() => rmSync(work, { recursive: true, force: true }));
  before(async () => seedDatabase(source.dir, 20));

  async function target(name: string): Promise<Deployment> {
    const d = deployment(mkdtempSync(join(work, `${name}-`)));
    await ok(['pool', 'status', '--database', d.database]);
    return d;
  }
  const plan = async (t: Deployment, extra: string[]): Promise<string> => {
    const file = join(t.dir, 'migration.json');
    await ok(['migrate', 'plan', '--from', source.database, '--to', t.database, '--to-config', t.config, '--out', file, '--calibrate', '10', ...extra]);
    return file;
  };

  it('check-target fails when the server at --web-url serves another database, naming both ids, and when it serves a copy', async () => {
    const t = await target('t-other');
    const other = await target('other');
    const otherServer = await serve(other);
    try {
      const file = await plan(t, ['--web-url', otherServer.url]);
      const run = await cli(['migrate', 'run', '--plan', file, '--yes']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const [targetId, otherId] = [databaseId(t), databaseId(other)];
      assert.notEqual(targetId, otherId);
      const served = ((await (await fetch(`${otherServer.url}/healthz`)).json()) as { database: { id: string } }).database.id;
      assert.equal(served, otherId, '/healthz reports the id stored in the database it serves');
      assert.match(run.stdout, new RegExp(`Stopped at check-target: the server at ${otherServer.url.replace(/[.:/]/g, '\\$&')} serves another database: its /healthz reports database id ${otherId}, the target database .* has id ${targetId}\\. Users would reach a server that does not show what this migration imports`));
      assert.equal(cutOverOf(file).status, 'pending');
    } finally {
      await otherServer.stop();
    }

    // A copy of the target database has the target's id, but not the mark written into the target.
    const copy = deployment(mkdtempSync(join(work, 'copy-')));
    copyFileSync(t.database, copy.database);
    const copyServer = await serve(copy);
    try {
      assert.equal(databaseId(copy), databaseId(t));
      const file = await plan(t, ['--web-url', copyServer.url]);
      const run = await cli(['migrate', 'run', '--plan', file, '--yes']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`Stopped at check-target: the server at .* reports the target's database id ${databaseId(t)} but not the mark just written into .*: it serves a copy of the target database`));
    } finally {
      await copyServer.stop();
    }

    // The server on the target database itself passes, and the outcome says what was proved.
    const own = await serve(t);
    try {
      const file = await plan(t, ['--web-url', own.url]);
      await ok(['migrate', 'run', '--plan', file, '--yes', '--stop-before', 'bulk-export']);
      const check = (stateOf(file).steps as unknown as { name: string; outcome: string }[]).find((s) => s.name === 'check-target')!;
      assert.match(check.outcome, new RegExp(`serving the target database itself \\(database id ${databaseId(t)}, identity mark seen\\)`));
    } finally {
      await own.stop();
    }
  });

  it('cut-over refuses an IRC address held by another listener, naming the holder, and writes nothing', async () => {
    const t = await target('held');
    const originalBytes = readFileSync(t.config);
    const legacy = await occupy();
    try {
      const file = await plan(t, ['--irc-listen', `127.0.0.1:${legacy.port}`]);
      const run = await cli(['migrate', 'run', '--plan', file, '--yes', '--stop-before', 'enable-client']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        new RegExp(`Stopped at cut-over: cannot give the IRC endpoint 127\\.0\\.0\\.1:${legacy.port}: 127\\.0\\.0\\.1:${legacy.port} is in use by pid ${process.pid} \\([^)]*node[^)]*\\)\\. Take the legacy chat server off that address`),
      );
      assert.match(run.stdout, /nothing proves it \(the plan has no --web-url\)/);
      assert.deepEqual(readFileSync(t.config), originalBytes, 'the config is untouched');
      assert.equal(cutOverOf(file).status, 'stopped');
    } finally {
      await new Promise((done) => legacy.server.close(done));
    }
  });

  it('an address the target server itself holds (proved by its /healthz on the target database) is reported as already in place', async () => {
    const t = await target('own');
    const port = await freePort();
    writeFileSync(t.config, `${JSON.stringify({ irc: { listen: [{ host: '127.0.0.1', port }], floodControl: false } }, null, 2)}\n`);
    const server = await serve(t);
    try {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { listening: { irc: { host: string; port: number }[] } };
      assert.deepEqual(health.listening.irc.map((l) => [l.host, l.port]), [['127.0.0.1', port]]);
      const file = await plan(t, ['--irc-listen', `127.0.0.1:${port}`, '--web-url', server.url]);
      await ok(['migrate', 'run', '--plan', file, '--yes', '--stop-before', 'enable-client']);
      const outcome = cutOverOf(file).outcome;
      assert.match(outcome, new RegExp(`IRC endpoint 127\\.0\\.0\\.1:${port} already in .*pchat\\.config\\.json, and the target server already listens there \\(its /healthz says so\\)`));
      assert.doesNotMatch(outcome, /restart the target server/);
    } finally {
      await server.stop();
    }
  });

  it('a fresh cut-over says added, a resumed one says already in; rollback restores the config byte for byte (mode too)', async () => {
    const t = await target('bytes');
    // Spacing, key order and no final newline that no JSON writer would reproduce.
    const original = Buffer.from('{"irc":{"floodControl":false,   "listen":[]},\n\t"http": {"maxBodyBytes": 1048576}}');
    writeFileSync(t.config, original);
    chmodSync(t.config, 0o640);
    const port = await freePort();
    const file = await plan(t, ['--irc-listen', `127.0.0.1:${port}`]);
    const args = ['migrate', 'run', '--plan', file, '--yes', '--stop-before', 'enable-client'];

    // Fresh: killed inside the cut-over after it wrote; its own record says nothing yet.
    const killed = await cli(args, { PCHAT_MIGRATE_TEST_KILL: 'cut-over' });
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    assert.match(killed.stdout, /▶ cut-over/);
    assert.notDeepEqual(readFileSync(t.config), original, 'the cut-over wrote the address');
    // Resumed: the address is in the file from the first attempt, and it says so.
    await ok(args);
    assert.match(cutOverOf(file).outcome, new RegExp(`IRC endpoint 127\\.0\\.0\\.1:${port} already in `));
    assert.equal(cutOverOf(file).attempts, 2);

    const rolled = await ok(['migrate', 'rollback', '--plan', file]);
    assert.match(rolled, /restored .*pchat\.config\.json byte for byte as it was before the cut-over \(81 bytes, SHA-256 [0-9a-f]{64}\) \(restart the target server\)/);
    assert.deepEqual(readFileSync(t.config), original, 'byte for byte');
    assert.equal(statSync(t.config).mode & 0o777, 0o640, 'with its mode');

    // After the rollback the next run starts from the top: a fresh cut-over adds the address.
    await ok(args);
    const fresh = cutOverOf(file);
    assert.equal(fresh.attempts, 1);
    assert.match(fresh.outcome, new RegExp(`IRC endpoint 127\\.0\\.0\\.1:${port} added to .*: restart the target server to listen there`));
    assert.doesNotMatch(fresh.outcome, /already/);
    await ok(['migrate', 'rollback', '--plan', file]);
    assert.deepEqual(readFileSync(t.config), original);
  });

  it('rollback removes a config file that did not exist before the cut-over', async () => {
    const t = await target('absent');
    rmSync(t.config);
    const port = await freePort();
    const file = await plan(t, ['--irc-listen', `127.0.0.1:${port}`]);
    await ok(['migrate', 'run', '--plan', file, '--yes', '--stop-before', 'enable-client']);
    assert.equal(existsSync(t.config), true, 'the cut-over created it');
    assert.ok((JSON.parse(readFileSync(t.config, 'utf8')).irc.listen as { port: number }[]).some((l) => l.port === port), 'with the legacy address');
    const rolled = await ok(['migrate', 'rollback', '--plan', file]);
    assert.match(rolled, /removed .*pchat\.config\.json: it did not exist before the cut-over/);
    assert.equal(existsSync(t.config), false);
  });
});
