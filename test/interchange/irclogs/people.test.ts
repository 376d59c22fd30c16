import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserRecord } from '../../../src/interchange/archive/records.js';
import { type Account, decidePeople } from '../../../src/interchange/people/mapping.js';
import { isAliasOf, parseUsersFile } from '../../../src/interchange/people/usersFile.js';

// Issue 18, point 2: people mapped, not invented: the mapping file and the order of the matches.

const user = (id: string, email: string | null = null): UserRecord => ({ id, login: id, displayName: id, email, disabled: false, isAdmin: false, origin: null });
const account = (id: number, login: string, email: string | null = null, origin: Account['origin'] = null): Account => ({ id, login, email, origin });
const identity = (u: UserRecord) => ({ system: 'irc-logs', id: u.id });

describe('people mapping', () => {
  it('reads users.csv strictly, naming the line of every mistake', () => {
    const file = parseUsersFile('source,pchat\nbob,robert\n"alice*",alice\ncarol,NEW\n\n', 'users.csv');
    assert.deepEqual(file.list.map((m) => [m.source, m.login, m.aliases, m.line]), [['bob', 'robert', false, 2], ['alice', 'alice', true, 3], ['carol', null, false, 4]]);
    assert.throws(() => parseUsersFile('nick,login\n', 'users.csv'), /users\.csv line 1: the first line must be the header "source,pchat"/);
    assert.throws(() => parseUsersFile('source,pchat\nbob\n', 'users.csv'), /users\.csv line 2: 1 fields/);
    assert.throws(() => parseUsersFile('source,pchat\nbob,robert\nBOB,bobby\n', 'users.csv'), /users\.csv line 3: "BOB" is mapped on line 2 already/);
    assert.throws(() => parseUsersFile('source,pchat\nbob,two words\n', 'users.csv'), /line 2: "two words" is not a pchat login/);
    assert.throws(() => parseUsersFile('source,pchat\na*b,x\n', 'users.csv'), /line 2: "a\*b": a \* may only end the source column/);
    assert.throws(() => parseUsersFile('source,pchat\n"bob,robert\n', 'users.csv'), /users\.csv line 2: a quoted field is not closed/);
    assert.throws(() => parseUsersFile('', 'users.csv'), /the file is empty/);
  });

  it('folds a nick\'s aliases where the file says so', () => {
    for (const alias of ['alice', 'alice_', 'alice__', 'alice|away', 'alice-work', 'alice^', 'alice`', 'alice[m]', 'alice2']) assert.ok(isAliasOf(alias, 'alice'), alias);
    for (const other of ['alicia', 'malice', 'alice2b', 'bob']) assert.ok(!isAliasOf(other, 'alice'), other);
    const file = parseUsersFile('source,pchat\nalice*,alice.smith\nalice_bot,new\n', 'users.csv');
    assert.equal(file.find('alice|away', 'alice|away')?.login, 'alice.smith');
    assert.equal(file.find('alice_bot', 'alice_bot')?.login, null, 'an exact line before a pattern');
    assert.equal(file.find('alicia', 'alicia'), undefined);
  });

  it('maps by the earlier import, the file, the e-mail, the login; creates only when asked', () => {
    const users = [user('bob'), user('dan', 'DAN@example.com'), user('alice'), user('alice_'), user('erin'), user('erin2'), user('zed'), user('ghost'), user('old')];
    const accounts = [account(1, 'robert'), account(2, 'daniel', 'dan@example.com'), account(3, 'Alice'), account(4, 'erin'), account(9, 'old-nick', null, { system: 'irc-logs', id: 'old' })];
    const file = parseUsersFile('source,pchat\nbob,robert\nalice*,alice\nerin,new\nerin2,erin\nghost,nobody\n', 'users.csv');
    const decided = decidePeople(users, identity, accounts, { file, createUsers: false });
    const summary = Object.fromEntries([...decided].map(([id, d]) => [id, d.kind === 'account' ? `${d.account.login} by ${d.by}` : d.kind === 'same' ? `same as ${d.as}` : d.kind === 'invalid' ? `invalid: ${d.message}` : d.kind]));
    assert.deepEqual(summary, {
      bob: 'robert by file',
      dan: 'daniel by email',
      alice: 'Alice by file',
      alice_: 'Alice by file',
      erin: 'invalid: users.csv line 4 says "new" for "erin", but pchat has an account with the login "erin" already: map it to that account, or give the new one another login (--renames, kind login)',
      erin2: 'erin by file',
      zed: 'unmapped',
      ghost: 'invalid: users.csv line 6 maps "ghost" to "nobody", which is no pchat account (nor one this import creates): write an existing login, or new',
      old: 'old-nick by origin',
    });
    const created = decidePeople([user('carol'), user('carol_'), user('zed')], identity, [], { file: parseUsersFile('source,pchat\ncarol,new\ncarol_,carol\n', 'u.csv'), createUsers: true });
    assert.deepEqual(Object.fromEntries([...created].map(([id, d]) => [id, d.kind])), { carol: 'new', carol_: 'same', zed: 'new' });
  });
});
