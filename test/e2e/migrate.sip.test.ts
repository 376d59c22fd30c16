import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { seedDatabase } from '../helpers/interchange.js';
import { cli, deployment, ok, stateOf } from './migrateFlow.js';

const DUMP = resolve('examples/groupchat-dump');

/** A real listener on a free loopback port, standing in for the legacy pool still on its address. */
async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as { port: number }).port };
}

describe('pchat migrate and the SIP endpoint for Lync/OCS clients, through the real CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-migrate-sip-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  /** A target deployment whose database exists (the plan requires it). */
  async function target(name: string, config?: unknown) {
    const d = deployment(mkdtempSync(join(work, `${name}-`)));
    if (config !== undefined) writeFileSync(d.config, `${JSON.stringify(config, null, 2)}\n`);
    await ok(['pool', 'status', '--database', d.database]);
    return d;
  }

  it('plans a Group Chat source with its SIP domains and, without --sip-listen, proposes the flag on 5061 (TLS) or 5060 (TCP)', async () => {
    const t = await target('propose');
    const plan = join(t.dir, 'migration.json');
    const text = await ok(['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', t.database, '--to-config', t.config, '--out', plan, '--calibrate', '50']);
    assert.match(text, /SIP domains of the source \(Lync\/OCS clients sign in with them\): example\.com\n/, 'the sample dump\'s organisation domain (fabrikam.com users are federated)');
    assert.match(text, /No legacy Lync\/OCS pool address given \(--sip-listen\)/);
    assert.match(text, /--sip-listen <legacy pool IP>:5061 --sip-tls-cert <certificate\.pem> --sip-tls-key <key\.pem> --sip-server-name <pool FQDN>/);
    assert.match(text, /--sip-listen <legacy pool IP>:5060 /);
    assert.deepEqual(JSON.parse(readFileSync(plan, 'utf8')).sip, { domains: ['example.com'], listen: null, serverName: null });

    // The run's cut-over then says Lync/OCS clients were left where they are.
    await ok(['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes', '--stop-before', 'enable-client']);
    const cutOver = JSON.parse(readFileSync(plan.replace(/\.json$/, '.state.json'), 'utf8')).steps.find((s: any) => s.name === 'cut-over');
    assert.equal(cutOver.status, 'done');
    assert.ok(cutOver.warnings.some((w: string) => /plan with --sip-listen/.test(w)), cutOver.warnings.join('; '));
    assert.equal(JSON.parse(readFileSync(t.config, 'utf8')).sip, undefined, 'no SIP address planned: the config has no SIP endpoint');
  });

  it('says nothing about SIP for a pchat source, and refuses --sip-listen there', async () => {
    const source = deployment(mkdtempSync(join(work, 'pchat-source-')));
    await seedDatabase(source.dir, 20);
    const t = await target('pchat');
    const plan = join(t.dir, 'migration.json');
    const base = ['migrate', 'plan', '--from', source.database, '--to', t.database, '--to-config', t.config, '--out', plan, '--calibrate', '10'];
    assert.doesNotMatch(await ok(base), /SIP/);
    assert.equal('sip' in JSON.parse(readFileSync(plan, 'utf8')), false);
    const refused = await cli([...base, '--sip-listen', '127.0.0.1:5061']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /--sip-listen is for a Lync\/OCS Group Chat source \(groupchat-db:<dir>\).*\(field: --sip-listen\)/);
  });

  it('refuses SIP options that cannot work before reading the source', async () => {
    const t = await target('bad');
    writeFileSync(join(t.dir, 'pool.pem'), 'cert\n');
    const base = ['migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', t.database, '--to-config', t.config, '--out', join(t.dir, 'm.json')];
    const refusals: [string[], number, RegExp][] = [
      [['--sip-server-name', 'pool.example.com'], 1, /--sip-server-name needs --sip-listen/],
      [['--sip-listen', 'pool.example.com'], 2, /legacy pool's host:port, e\.g\. 192\.0\.2\.20:5061/],
      [['--sip-listen', '127.0.0.1:5061', '--sip-server-name', 'bad name!'], 1, /would be refused by the configuration: sip\.serverName/],
      [['--sip-listen', '127.0.0.1:5061', '--sip-tls-cert', join(t.dir, 'pool.pem')], 1, /both --sip-tls-cert and --sip-tls-key/],
      [['--sip-listen', '127.0.0.1:5061', '--sip-tls-cert', join(t.dir, 'pool.pem'), '--sip-tls-key', join(t.dir, 'nope.key')], 1, /nope\.key does not exist/],
    ];
    for (const [extra, code, message] of refusals) {
      const run = await cli([...base, ...extra]);
      assert.equal(run.code, code, `${extra.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, extra.join(' '));
    }
  });

  it('cut-over refuses an address in use, naming what holds it; once free it writes sip.* (surviving a kill), and rollback puts the config back', async () => {
    // The target already has SIP settings of its own: the cut-over adds to them, rollback restores them.
    const original = { irc: { listen: [], floodControl: false }, sip: { domains: ['example.org'], serverName: 'before.example.org' } };
    const t = await target('cutover', original);
    const originalText = readFileSync(t.config, 'utf8');
    for (const f of ['pool.pem', 'pool.key']) writeFileSync(join(t.dir, f), 'not read by the migration\n');
    const legacy = await occupy();
    const plan = join(t.dir, 'migration.json');
    const planned = JSON.parse(
      await ok([
        'migrate', 'plan', '--from', `groupchat-db:${DUMP}`, '--to', t.database, '--to-config', t.config, '--out', plan, '--calibrate', '50', '--json',
        '--sip-listen', `127.0.0.1:${legacy.port}`, '--sip-server-name', 'pool.example.com', '--sip-tls-cert', join(t.dir, 'pool.pem'), '--sip-tls-key', join(t.dir, 'pool.key'),
      ]),
    );
    const tls = { certFile: join(t.dir, 'pool.pem'), keyFile: join(t.dir, 'pool.key') };
    assert.deepEqual(planned.sip, { domains: ['example.com'], listen: { host: '127.0.0.1', port: legacy.port, tls }, serverName: 'pool.example.com' });
    const text = await ok(['migrate', 'status', '--plan', plan]);
    assert.match(text, /cut-over .*pending/);

    // The legacy pool still holds the address: the cut-over stops before writing anything.
    const args = ['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes', '--stop-before', 'decommission'];
    const stopped = await cli(args);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`Stopped at cut-over: cannot give the SIP endpoint 127\\.0\\.0\\.1:${legacy.port}: 127\\.0\\.0\\.1:${legacy.port} is in use by pid ${process.pid} \\(`));
    assert.equal(readFileSync(t.config, 'utf8'), originalText, 'the config is untouched');
    const before = { removeAddress: true, domains: ['example.org'], serverName: 'before.example.org' };
    assert.deepEqual((stateOf(plan) as any).sipBefore, before, 'what rollback restores is recorded before any change');
    assert.equal(stateOf(plan).steps.find((s) => s.name === 'cut-over')?.status, 'stopped');

    // The legacy pool leaves the address. A run killed inside the cut-over (after it wrote), then resumed.
    await new Promise((done) => legacy.server.close(done));
    const killed = await cli(args, { PCHAT_MIGRATE_TEST_KILL: 'cut-over' });
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    const resumed = await cli(args);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const state = stateOf(plan) as any;
    const cutOver = state.steps.find((s: any) => s.name === 'cut-over');
    assert.equal(cutOver.status, 'done');
    assert.equal(cutOver.attempts, 3);
    assert.match(cutOver.outcome, new RegExp(`SIP endpoint 127\\.0\\.0\\.1:${legacy.port} \\(TLS, pool\\.example\\.com; domains example\\.com\\) already in .*restart the target server`));
    assert.deepEqual(state.sipBefore, before, 'the resumed attempt keeps the settings from before the first one');
    assert.deepEqual(JSON.parse(readFileSync(t.config, 'utf8')), {
      irc: original.irc,
      sip: { listen: [{ host: '127.0.0.1', port: legacy.port, tls }], domains: ['example.org', 'example.com'], serverName: 'pool.example.com' },
    });
    assert.match(await ok(['endpoint', 'list', '--config', t.config]), new RegExp(`sip .*127\\.0\\.0\\.1:${legacy.port} .*true`));
    const report = readFileSync(plan.replace(/\.json$/, '.report.html'), 'utf8');
    assert.match(report, /SIP endpoint for Lync\/OCS clients \(cut-over\)/);
    assert.match(report, /legacy Lync\/OCS pool \(SIP\)/);

    const rolled = await ok(['migrate', 'rollback', '--plan', plan]);
    assert.match(rolled, /restored .*pchat\.config\.json byte for byte as it was before the cut-over .*\(restart the target server\)/);
    assert.equal(readFileSync(t.config, 'utf8'), originalText, 'the config is byte for byte as it was before the migration');
    assert.deepEqual(JSON.parse(readFileSync(t.config, 'utf8')), original);
    assert.equal(stateOf(plan).status, 'rolled-back');
    assert.doesNotMatch(await ok(['endpoint', 'list', '--config', t.config]), /sip .*127\.0\.0\.1/);
  });
});
