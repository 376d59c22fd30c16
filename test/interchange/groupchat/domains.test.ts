import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PchatError } from '../../../src/core/errors.js';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { pchat } from '../../helpers/interchange.js';
import { all, baseTables, chat, type Tables, tempDir, user, writeDump } from './helpers.js';

/** The chat service's own principal (SystemUser): the deployment's server identity. */
const service = (domain: string) => user(90, `ocschat@${domain}`, { adPath: null, type: 4 });

/** alice and bob (AD, example.com), pat (federated, no AD path) and the service identity in example.com. */
function consistent(): Tables {
  const t = baseTables();
  t.tblPrincipal.rows.push(user(102, 'pat@fabrikam.com', { adPath: null }), service('example.com'));
  t.tblChat.rows.push(chat(10, 3, 102, 'from a partner'));
  return t;
}

/** The service identity says example.com, but most users with an AD path sit in corp.example.net. */
function conflicting(): Tables {
  const t = baseTables();
  t.tblPrincipal.rows.push(
    service('example.com'),
    user(103, 'carol@corp.example.net'),
    user(104, 'dave@corp.example.net'),
    user(105, 'erin@corp.example.net'),
    user(106, 'pat@fabrikam.com', { adPath: null }),
  );
  return t;
}

async function rejection(dir: string): Promise<PchatError> {
  try {
    await groupChatSource(dir);
  } catch (error) {
    assert.ok(error instanceof PchatError, String(error));
    return error;
  }
  assert.fail('the dump was read without a decision on its SIP domains');
}

describe('groupchat dump: which users are federated comes from the deployment\'s facts', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  it('classifies a consistent dump from its service identity, without domains.txt, and says where the domains came from and whom they affect', async () => {
    const source = await groupChatSource(await writeDump(dir, consistent()));
    assert.deepEqual(source.sipDomains, ['example.com']);
    const users = new Map((await all(source, 'users')).map((u) => [u.login, u.disabled]));
    assert.deepEqual(Object.fromEntries(users), { 'alice@example.com': false, 'bob@example.com': false, 'pat@fabrikam.com': true, 'ocschat@example.com': true });
    const notes = await all(source, 'notes');
    const domains = notes.find((n) => n.code === 'sip_domains')!;
    assert.match(domains.message, /^Organisation SIP domains: example\.com, the service identity \(sip:ocschat@example\.com\);/);
    assert.match(domains.message, /\n {2}example\.com: service identity sip:ocschat@example\.com; 2 users \(2 with an AD path\); 1 group ma-grp:\/\/example\.com\/…\n {2}fabrikam\.com: 1 user \(0 with an AD path\)$/);
    assert.equal(
      notes.find((n) => n.code === 'user_classification')!.message,
      'Users: 2 internal (of the organisation\'s SIP domains example.com; 0 of them disabled in the legacy system and imported disabled), 1 federated (fabrikam.com 1; imported disabled, keeping their messages), 1 system (imported disabled).',
    );
    assert.equal(notes.filter((n) => n.code === 'federated_user_disabled').length, 1);
    await source.close();
  });

  it('without a service identity, takes the users\' one domain, and stops when they name several', async () => {
    const single = await groupChatSource(await writeDump(dir, baseTables()));
    assert.deepEqual(single.sipDomains, ['example.com']);
    assert.match((await all(single, 'notes')).find((n) => n.code === 'sip_domains')!.message, /the only domain of the users' SIP URIs \(no service identity in the dump\)/);
    await single.close();

    const t = baseTables();
    t.tblPrincipal.rows.push(user(102, 'pat@fabrikam.com', { adPath: null }));
    const error = await rejection(await writeDump(dir, t));
    assert.equal(error.code, 'invalid_dump');
    assert.match(error.message, /^No fact in the dump decides the organisation's SIP domains: tblPrincipal has no service identity .*the users' SIP URIs name 2 domains:\n/);
    assert.match(error.message, /\n {2}example\.com: 2 users \(2 with an AD path\); 1 group ma-grp:\/\/example\.com\/…\n {2}fabrikam\.com: 1 user \(0 with an AD path\)\n/);
    assert.match(error.message, /domains\.txt in the dump directory/);
  });

  it('stops on conflicting evidence, naming which facts point where with their counts; domains.txt then decides, and a domain it leaves out is a warning', async () => {
    const path = await writeDump(dir, conflicting());
    const error = await rejection(path);
    assert.match(error.message, /^The dump's facts disagree on the organisation's SIP domains: the service identity names example\.com, but 3 users with an AD path sit in corp\.example\.net\. Every fact:\n/);
    assert.match(error.message, /\n {2}corp\.example\.net: 3 users \(3 with an AD path\)\n {2}example\.com: service identity sip:ocschat@example\.com; 2 users \(2 with an AD path\); 1 group ma-grp:\/\/example\.com\/…\n {2}fabrikam\.com: 1 user \(0 with an AD path\)\n/);
    assert.match(error.message, /List the organisation's SIP domains in domains\.txt in the dump directory, one per line/);

    writeFileSync(join(path, 'domains.txt'), '# decided by the administrator\nexample.com\ncorp.example.net\n');
    const given = await groupChatSource(path);
    const disabled = (await all(given, 'users')).filter((u) => u.disabled).map((u) => u.login);
    assert.deepEqual(disabled, ['ocschat@example.com', 'pat@fabrikam.com']);
    const notes = await all(given, 'notes');
    assert.match(notes.find((n) => n.code === 'sip_domains')!.message, /^Organisation SIP domains: example\.com, corp\.example\.net, given in domains\.txt;/);
    assert.match(notes.find((n) => n.code === 'user_classification')!.message, /^Users: 5 internal .* 1 federated \(fabrikam\.com 1;/);
    assert.ok(!notes.some((n) => n.code === 'sip_domain_not_given'));
    await given.close();

    writeFileSync(join(path, 'domains.txt'), 'example.com\n');
    const narrow = await groupChatSource(path);
    assert.equal((await all(narrow, 'users')).filter((u) => u.login.endsWith('@corp.example.net') && u.disabled).length, 3, 'used as given');
    const warning = (await all(narrow, 'notes')).find((n) => n.code === 'sip_domain_not_given')!;
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /^domains\.txt leaves out corp\.example\.net, which 3 user\(s\) with an AD path sit in: its 3 user\(s\) are imported as federated/);
    await narrow.close();
  });

  it('refuses a domains.txt line that is not a domain, an address, a repeated domain and a file without any, by line number', async () => {
    const path = await writeDump(dir, conflicting());
    const cases: [string, RegExp][] = [
      ['example.com\n\nnot a domain!\n', /^domains\.txt line 3: "not a domain!" is not a SIP domain \(a DNS name such as example\.com; one domain per line\)$/],
      ['# ours\nsip:alice@example.com\n', /^domains\.txt line 2: "sip:alice@example\.com" is an address; write only the domain/],
      ['example.com\r\nEXAMPLE.com  # again\n', /^domains\.txt line 2: "EXAMPLE\.com {2}# again" repeats the domain of line 1$/],
      ['# nothing yet\n\n', /^domains\.txt lists no domain/],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(join(path, 'domains.txt'), text);
      const error = await rejection(path);
      assert.equal(error.code, 'invalid_dump');
      assert.match(error.message, expected);
    }
  });

  it('pchat export and pchat migrate plan stop on the conflict, write nothing, and proceed with domains.txt or --domains, showing the domains and the classification', async () => {
    const path = await writeDump(dir, conflicting());
    const archive = join(dir, 'conflict.zip');
    const stopped = await pchat(['export', '--from', `groupchat-db:${path}`, '--out', archive]);
    assert.equal(stopped.code, 1, stopped.stdout);
    assert.match(stopped.stderr, /the service identity names example\.com, but 3 users with an AD path sit in corp\.example\.net/);
    assert.match(stopped.stderr, /domains\.txt in the dump directory/);
    assert.equal(existsSync(archive), false, 'nothing written');

    const given = await pchat(['export', '--from', `groupchat-db:${path}`, '--out', archive, '--domains', 'example.com, corp.example.net']);
    assert.equal(given.code, 0, given.stderr);
    assert.match(given.stdout, /^Organisation SIP domains: example\.com, corp\.example\.net, given in the domains option;/m);
    assert.match(given.stdout, /^Users: 5 internal /m);
    const bad = await pchat(['export', '--from', `groupchat-db:${path}`, '--out', archive, '--domains', 'example.com,bad domain']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /entry 2 "bad domain" is not a SIP domain/);

    const target = join(dir, 'target.db');
    assert.equal((await pchat(['pool', 'status', '--database', target])).code, 0, 'the target database exists');
    const planFile = join(dir, 'plan.json');
    const plan = ['migrate', 'plan', '--from', `groupchat-db:${path}`, '--to', target, '--to-config', join(dir, 'pchat.config.json'), '--out', planFile, '--calibrate', '2'];
    const refused = await pchat(plan);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /the service identity names example\.com, but 3 users with an AD path sit in corp\.example\.net/);
    assert.equal(existsSync(planFile), false);
    writeFileSync(join(path, 'domains.txt'), 'example.com\ncorp.example.net\n');
    const planned = await pchat(plan);
    assert.match(planned.stdout, /^Organisation SIP domains: example\.com, corp\.example\.net, given in domains\.txt; users of other domains are federated\. The dump's facts:\n {2}corp\.example\.net: 3 users \(3 with an AD path\)\n/m);
    assert.match(planned.stdout, /^Users: 5 internal \(of the organisation's SIP domains example\.com, corp\.example\.net; 0 of them disabled in the legacy system and imported disabled\), 1 federated \(fabrikam\.com 1; imported disabled, keeping their messages\), 1 system \(imported disabled\)\.$/m);
    assert.ok(existsSync(planFile), planned.stderr);
  });
});
