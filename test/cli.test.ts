import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_ACTOR } from '../src/app/context.js';
import { loadConfig } from '../src/config/load.js';
import { openApplication } from '../src/main.js';

const BIN = fileURLToPath(new URL('../../bin/pchat.js', import.meta.url));
/** The caller's PCHAT_* settings must not leak into the CLI under test. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PCHAT_')));

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `pchat` executable; never rejects, so tests can check failures. */
function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: ENV, cwd: options.cwd ?? tmpdir(), timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

describe('pchat admin CLI', () => {
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir]);
  const ok = async (...args: string[]): Promise<string> => {
    const run = await cli(...args);
    assert.equal(run.code, 0, `pchat ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  };
  const json = async (...args: string[]): Promise<any> => JSON.parse(await ok(...args, '--json'));
  const fails = async (expectedCode: number, pattern: RegExp, ...args: string[]): Promise<void> => {
    const run = await cli(...args);
    assert.equal(run.code, expectedCode, `expected exit ${expectedCode} from pchat ${args.join(' ')}; stderr: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  };
  const names = (list: { kind: string; name: string }[]) => list.map((p) => `${p.kind}:${p.name}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pchat-cli-'));
    // Users and groups that the other sections refer to.
    await ok('user', 'create', 'alice@example.com', '--display-name', 'Alice', '--password', 'alice-password-1');
    await ok('user', 'create', 'bob@example.com', '--display-name', 'Bob');
    await ok('user', 'create', 'mallory@example.com');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists, shows and changes users (never removes them)', async () => {
    const carol = await runCli(['user', 'create', 'carol@example.com', '--email', 'carol@example.com', '--password-stdin', '--json', '--data-dir', dir], {
      input: 'carol-secret-pw\nignored second line\n',
    });
    assert.equal(carol.code, 0, carol.stderr);
    const created = JSON.parse(carol.stdout);
    assert.equal(created.login, 'carol@example.com');
    assert.equal(created.displayName, 'carol@example.com');
    assert.equal(created.email, 'carol@example.com');

    // The password came from stdin: it signs in through the real application.
    const local = await openApplication(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'test');
    try {
      const session = await local.app.sessions.login({ login: 'carol@example.com', password: 'carol-secret-pw' });
      assert.equal(session.user.id, created.id);
    } finally {
      await local.close();
    }

    const byId = await json('user', 'get', String(created.id));
    assert.equal(byId.login, 'carol@example.com');
    const changed = await json('user', 'set', 'carol@example.com', '--display-name', 'Carol', '--email', 'none', '--disable', '--admin');
    assert.deepEqual([changed.displayName, changed.email, changed.disabled, changed.isAdmin], ['Carol', null, true, true]);
    const enabled = await json('user', 'set', 'Carol@Example.com', '--enable', '--no-admin');
    assert.deepEqual([enabled.disabled, enabled.isAdmin], [false, false]);

    const list = await json('user', 'list');
    assert.deepEqual(list.map((u: any) => u.login).sort(), ['alice@example.com', 'bob@example.com', 'carol@example.com', 'mallory@example.com']);
    const table = await ok('user', 'list');
    assert.match(table, /alice@example\.com/);
    assert.match(table, /Carol/);
    await fails(2, /unknown command 'remove'/, 'user', 'remove', 'carol@example.com');
    await fails(1, /--password-stdin: standard input held no password/, 'user', 'set', 'carol@example.com', '--password-stdin');
  });

  it('manages groups, nested, with member lists replaced on set', async () => {
    const desk = await json('group', 'create', 'desk-a', '--members', 'user:alice@example.com');
    const traders = await json('group', 'create', 'traders', '--description', 'Trading', '--members', `group:${desk.id},user:bob@example.com`);
    assert.deepEqual(names(traders.members), ['group:desk-a', 'user:bob@example.com']);
    assert.equal((await json('group', 'get', 'traders')).description, 'Trading');
    const replaced = await json('group', 'set', 'traders', '--members', 'group:desk-a');
    assert.deepEqual(names(replaced.members), ['group:desk-a']);
    await json('group', 'create', 'interns', '--members', 'user:mallory@example.com');
    assert.deepEqual((await json('group', 'list')).map((g: any) => g.name), ['desk-a', 'traders', 'interns']);
    const table = await ok('group', 'get', 'traders');
    assert.match(table, /group:desk-a/);
    const temp = await json('group', 'create', 'temp');
    assert.deepEqual((await json('group', 'remove', 'temp')).removed, { id: temp.id, name: 'temp' });
    await fails(1, /No group has the name or id "temp"/, 'group', 'get', 'temp');
  });

  it('manages categories and refuses to remove a non-empty one', async () => {
    const created = await json(
      'category', 'create', 'Trading',
      '--allowed', 'group:traders,group:interns,user:alice@example.com,user:bob@example.com',
      '--denied', 'group:interns', '--creators', 'user:alice@example.com', '--no-chat-history',
    );
    assert.deepEqual(names(created.allowed), ['group:traders', 'group:interns', 'user:alice@example.com', 'user:bob@example.com']);
    assert.deepEqual(names(created.denied), ['group:interns']);
    assert.deepEqual([created.invitations, created.fileUpload, created.chatHistory], [true, true, false]);

    const changed = await json('category', 'set', String(created.id), '--description', 'The desk', '--no-invitations', '--chat-history', '--creators', '');
    assert.deepEqual([changed.description, changed.invitations, changed.chatHistory, changed.creators], ['The desk', false, true, []]);
    assert.equal((await json('category', 'get', 'trading')).id, created.id);

    await json('category', 'create', 'Scratch');
    const table = await ok('category', 'list');
    assert.match(table, /Trading/);
    assert.match(table, /Scratch/);
    assert.equal((await json('category', 'remove', 'Scratch')).removed.name, 'Scratch');

    await ok('room', 'create', 'desk chat', '--category', 'Trading');
    await fails(1, /still holds 1 room.*\[category_not_empty\]/, 'category', 'remove', 'Trading');
  });

  it('manages add-ins', async () => {
    const wiki = await json('addin', 'create', 'wiki', '--url', 'https://wiki.example.com/panel');
    assert.equal(wiki.url, 'https://wiki.example.com/panel');
    assert.equal((await json('addin', 'set', 'wiki', '--url', 'http://wiki.example.com/v2')).url, 'http://wiki.example.com/v2');
    assert.deepEqual((await json('addin', 'list')).map((a: any) => a.name), ['wiki']);
    assert.match(await ok('addin', 'list'), /wiki\.example\.com\/v2/);
    await json('addin', 'create', 'old', '--url', 'https://old.example.com');
    await ok('addin', 'remove', 'old');
    await fails(1, /The add-in URL must use http or https/, 'addin', 'create', 'ftp', '--url', 'ftp://files.example.com');
  });

  it('manages rooms by name or id, with principal lists as names', async () => {
    const room = await json(
      'room', 'create', 'release planning', '--category', 'Trading', '--description', 'Ship it',
      '--members', 'group:traders,user:bob@example.com', '--managers', 'user:alice@example.com', '--addin', 'wiki',
    );
    assert.deepEqual([room.category.name, room.privacy, room.type, room.addin.name], ['Trading', 'closed', 'normal', 'wiki']);
    assert.deepEqual(names(room.members), ['group:traders', 'user:bob@example.com']);

    const byName = await json('room', 'get', 'Release Planning');
    assert.equal(byName.id, room.id);
    const secret = await json('room', 'set', String(room.id), '--privacy', 'secret', '--members', 'user:alice@example.com', '--addin', 'none', '--invitations', 'false');
    assert.deepEqual([secret.privacy, secret.addin, secret.invitations], ['secret', null, 'false']);
    assert.deepEqual(names(secret.members), ['user:alice@example.com']);
    const auditorium = await json('room', 'set', 'release planning', '--type', 'auditorium', '--presenters', 'user:alice@example.com', '--disable');
    assert.deepEqual([auditorium.type, auditorium.disabled, names(auditorium.presenters)], ['auditorium', true, ['user:alice@example.com']]);
    assert.equal((await json('room', 'set', 'release planning', '--enable', '--name', 'launch planning')).name, 'launch planning');

    const listed = await json('room', 'list', '--category', 'Trading');
    assert.deepEqual(listed.map((r: any) => r.name).sort(), ['desk chat', 'launch planning']);
    const table = await ok('room', 'list');
    assert.match(table, /launch planning/);
    assert.match(table, /desk chat/);
    const shown = await ok('room', 'get', 'launch planning');
    assert.match(shown, /user:alice@example\.com/);
    assert.match(shown, /auditorium/);

    const doomed = await json('room', 'create', 'doomed', '--category', 'Trading');
    assert.deepEqual((await json('room', 'remove', 'doomed')).removed, { id: doomed.id, name: 'doomed' });
    await fails(1, /No room has the name or id "doomed".*\[room_not_found\]/, 'room', 'get', 'doomed');
  });

  it('sets and removes policy rules and the chat configuration', async () => {
    const rule = await json('policy', 'set', '--scope', 'site', '--target', 'interns', '--disabled');
    assert.deepEqual(rule, { kind: 'chat', scope: 'site', target: { kind: 'group', id: rule.target.id, name: 'interns' }, enabled: false });
    await ok('policy', 'set', '--scope', 'user', '--target', 'bob@example.com', '--enabled');
    const rules = await json('policy', 'list');
    assert.deepEqual(rules.map((r: any) => `${r.scope}:${r.target?.name ?? '-'}:${r.enabled}`), ['global:-:true', 'site:interns:false', 'user:bob@example.com:true']);
    await ok('policy', 'remove', '--scope', 'site', '--target', 'interns');
    assert.equal((await json('policy', 'list')).length, 2);
    await fails(2, /give --enabled or --disabled/, 'policy', 'set', '--scope', 'global');
    await fails(1, /Unknown group "nobody" in --target/, 'policy', 'set', '--scope', 'site', '--target', 'nobody', '--enabled');
    // The direct-message policy: its own rules, same scopes, listed with the chat policy's.
    const direct = await json('policy', 'set', '--kind', 'direct', '--scope', 'user', '--target', 'bob@example.com', '--disabled');
    assert.deepEqual([direct.kind, direct.scope, direct.target.name, direct.enabled], ['direct', 'user', 'bob@example.com', false]);
    const both = await json('policy', 'list');
    assert.deepEqual(both.map((r: any) => `${r.kind}:${r.scope}:${r.target?.name ?? '-'}:${r.enabled}`), ['chat:global:-:true', 'chat:user:bob@example.com:true', 'direct:user:bob@example.com:false']);
    await fails(1, /kind: Invalid option/, 'policy', 'set', '--kind', 'dm', '--scope', 'global', '--enabled');
    await ok('policy', 'remove', '--kind', 'direct', '--scope', 'user', '--target', 'bob@example.com');
    await fails(1, /No such policy/, 'policy', 'remove', '--kind', 'direct', '--scope', 'user', '--target', 'bob@example.com');

    const config = await json('config', 'set', '--default-chat-history', '50', '--max-file-size-kb', '1000', '--room-management-url', 'https://intranet.example.com/rooms');
    assert.deepEqual([config.defaultChatHistory, config.maxFileSizeKB, config.roomManagementUrl], [50, 1000, 'https://intranet.example.com/rooms']);
    const again = await json('config', 'set', '--room-management-url', 'none');
    assert.deepEqual([again.defaultChatHistory, again.roomManagementUrl], [50, null]);
    assert.equal((await json('config', 'get')).participantUpdateLimit, 75);
    await fails(1, /defaultChatHistory: .*>=1.*\(field: --default-chat-history\)/, 'config', 'set', '--default-chat-history', '0');
    await fails(2, /option '--default-chat-history <n>' argument 'lots' is invalid/, 'config', 'set', '--default-chat-history', 'lots');
    assert.equal((await json('config', 'get')).editOwnMessages, 15, 'authors may edit for 15 minutes by default');
    assert.equal((await json('config', 'set', '--edit-own-messages', '60')).editOwnMessages, 60);
    assert.equal((await json('config', 'set', '--edit-own-messages', 'Off')).editOwnMessages, 'off');
    await fails(1, /editOwnMessages: Give "off", "always", or a number of minutes.*\(field: --edit-own-messages\)/, 'config', 'set', '--edit-own-messages', 'sometimes');
  });

  it('moderates messages: dry run, replace, remove and clear', async () => {
    const local = await openApplication(loadConfig({ env: {}, overrides: { dataDir: dir } }), 'test');
    let roomId: number;
    try {
      const { app } = local;
      roomId = (await app.rooms.getByName(SYSTEM_ACTOR, 'launch planning')).room.id;
      const aliceId = (await app.users.list(SYSTEM_ACTOR)).find((u) => u.login === 'alice@example.com')?.id;
      const alice = await app.sessions.actorFor(aliceId as number);
      for (const text of ['the secret code is 42', 'lunch at noon', 'Secret plans', 'ship friday']) await app.messages.post(alice, roomId, { text });
      await app.flush();
    } finally {
      await local.close();
    }
    const dry = await json('message', 'remove', '--room', 'launch planning', '--keywords', 'secret', '--dry-run');
    assert.deepEqual(dry, { matched: 2, rooms: [{ id: roomId, name: 'launch planning' }], action: 'remove', dryRun: true });
    const exact = await json('message', 'remove', '--keywords', 'Secret plans', '--match', 'exact', '--case-sensitive', '--replace', '[redacted]');
    assert.equal(exact.matched, 1);
    assert.match(await ok('message', 'remove', '--author', 'alice@example.com', '--keywords', 'code lunch', '--match', 'any'), /Removed 2 message\(s\) in "launch planning"/);
    const cleared = await json('room', 'clear', 'launch planning', '--up-to', new Date(Date.now() + 60_000).toISOString());
    assert.deepEqual([cleared.roomId, cleared.removed], [roomId, 2]);
    await fails(1, /Select messages by at least one of/, 'message', 'remove', '--dry-run');
    await fails(1, /Unknown user "nobody@example.com" in --author/, 'message', 'remove', '--author', 'nobody@example.com');
  });

  it('reports bad input with a non-zero exit code and a specific message', async () => {
    await fails(1, /Unknown principal "user:zed@example\.com" in --members: no user has that login or id\. \(field: --members\) \[invalid_input\]/,
      'room', 'set', 'desk chat', '--members', 'user:alice@example.com,user:zed@example.com');
    await fails(1, /Unknown principal "group:ghosts" in --allowed/, 'category', 'create', 'Ghosts', '--allowed', 'group:ghosts');
    await fails(2, /argument 'alice' is invalid\. "alice" is not a principal/, 'room', 'set', 'desk chat', '--members', 'alice');
    await fails(1, /privacy: Invalid option: expected one of "open"\|"closed"\|"secret" \(field: --privacy\)/, 'room', 'set', 'desk chat', '--privacy', 'hidden');
    await fails(2, /option '--up-to <ISO date>' argument 'yesterday' is invalid\. Not an ISO 8601 date/, 'room', 'clear', 'desk chat', '--up-to', 'yesterday');
    await fails(2, /argument '2024-02-30' is invalid\. Not a valid calendar date/, 'room', 'clear', 'desk chat', '--up-to', '2024-02-30');
    await fails(2, /required option '--category <name\|id>' not specified/, 'room', 'create', 'lost');
    await fails(1, /No category has the name or id "Nope".*\(field: --category\)/, 'room', 'create', 'lost', '--category', 'Nope');
    await fails(1, /mallory@example\.com is not allowed in category "Trading"/, 'room', 'set', 'desk chat', '--managers', 'user:mallory@example.com');
    await fails(2, /nothing to change/, 'room', 'set', 'desk chat');
    await fails(2, /'--disable' cannot be used with option '--enable'/, 'room', 'set', 'desk chat', '--disable', '--enable');
  });

  it('teaches every command and group with --help, including examples', async () => {
    const groups = ['category', 'room', 'addin', 'user', 'group', 'policy', 'config', 'message'];
    const commands = [...groups.map((g) => [g]), ['room', 'set'], ['room', 'clear'], ['user', 'create'], ['message', 'remove'], ['policy', 'set'], ['config', 'set'], ['category', 'create'], [], ['group', 'get'], ['addin', 'remove']];
    for (const command of commands) {
      const run = await runCli([...command, '--help']);
      assert.equal(run.code, 0, `pchat ${command.join(' ')} --help: ${run.stderr}`);
      assert.match(run.stdout, /Examples:\n {2}\$ pchat /, `pchat ${command.join(' ')} --help has no examples`);
    }
    const room = await runCli(['room', 'set', '--help']);
    assert.match(room.stdout, /--privacy <privacy> +open\|closed\|secret/);
    assert.match(room.stdout, /--json +print machine-readable JSON/);
    assert.match((await runCli(['user', 'create', '--help'])).stdout, /visible to other users/);
  });
  it('shows the audit trail and the compliance record, read-only', async () => {
    await ok('category', 'create', 'Audited');
    const entries = await json('audit', 'list', '--actor', '0');
    const created = entries.find((e: any) => e.action === 'categories.create' && e.input?.name === 'Audited');
    assert.equal(created?.outcome, 'ok');
    assert.match(await ok('audit', 'list'), /categories\.create/);
    assert.ok(Array.isArray(await json('compliance', 'list', '--type', 'CHAT')));
    await fails(1, /expected one of "JOIN"/, 'compliance', 'list', '--type', 'BOGUS');
    await fails(2, /Not a whole number/, 'audit', 'list', '--after', 'ten');
  });
});
