import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RECORD_TYPES, RECORD_TYPE_NAMES } from '../../../src/interchange/archive/records.js';
import { distinguishingSuffix } from '../../../src/interchange/names.js';
import { convertContent } from '../../../src/interchange/sources/groupchat/content.js';
import { groupChatSource } from '../../../src/interchange/sources/groupchat/source.js';
import { ticksToIso } from '../../../src/interchange/sources/groupchat/values.js';
import { all, baseTables, chat, codes, group, node, T0, tempDir, user, writeDump } from './helpers.js';

describe('groupchat dump: conversions', () => {
  let dir: string;
  let done: () => Promise<void>;
  before(async () => ({ dir, done } = await tempDir()));
  after(() => done());

  it('turns .NET ticks into UTC with millisecond precision, truncating below', () => {
    assert.equal(ticksToIso('621355968000000000'), '1970-01-01T00:00:00.000Z');
    // 2010-01-05T01:00:00.001Z plus 0.9999 ms that milliseconds cannot hold.
    assert.equal(ticksToIso('633982500000019999'), '2010-01-05T01:00:00.001Z');
    assert.equal(ticksToIso('621355968000009999'), '1970-01-01T00:00:00.000Z');
    assert.equal(ticksToIso('0'), '0001-01-01T00:00:00.000Z');
    assert.equal(ticksToIso('-5'), null);
    assert.equal(ticksToIso('99999999999999999999'), null);
  });

  it('turns stories, HTML links and file links into kind, title, text with inline links, and file references', () => {
    assert.deepEqual(convertContent('[STORY]Release notes\r\nline one\nline two'), { kind: 'story', title: 'Release notes', text: 'line one\nline two', files: [] });
    assert.deepEqual(convertContent('[story]no title, one line'), { kind: 'story', title: null, text: 'no title, one line', files: [] });
    // A link keeps its label and its target, as pchat's inline link (docs/archive-format.md).
    assert.equal(convertContent('see <a href="https://x.example/a?b=1&amp;c=2">docs</a>!').text, 'see [docs](https://x.example/a?b=1&c=2)!');
    assert.equal(convertContent("<a href='http://h/p'>http://h/p</a>").text, 'http://h/p', 'the label is the URL: the URL alone');
    assert.equal(convertContent('<a target=_blank href=mailto:ops@example.com><b>mail</b> [ops]</a>').text, '[mail \\[ops\\]](mailto:ops@example.com)', 'tags in the label go, brackets are escaped');
    assert.equal(convertContent('<a href="https://en.example/wiki/A_(b) c">wiki</a>').text, '[wiki](https://en.example/wiki/A_%28b%29%20c)', 'parentheses and spaces in the URL are encoded');
    assert.equal(convertContent('<a href="javascript:alert(1)">click</a>').text, 'click (javascript:alert(1))', 'no link to an unsafe target: plain text');
    const fileLink = convertContent('<a href="ma-filelink://d/1/a.doc">a.doc</a>');
    assert.equal(fileLink.text, 'a.doc (ma-filelink://d/1/a.doc)', 'a file reference is no web link: it stays in the text, where the file store finds it');
    assert.equal(fileLink.files.length, 1);
    assert.equal(convertContent('a <b>literal</b> tag').text, 'a <b>literal</b> tag');
    assert.deepEqual(convertContent('two files ma-filelink://d/1/a.doc and ma-filelink://d/2/b.xls.').files, ['ma-filelink://d/1/a.doc', 'ma-filelink://d/2/b.xls.']);
  });

  it('flattens nested categories with the parents as prefix, renames their rooms, and shortens or tells apart names that become too long or collide, reporting each', async () => {
    const t = baseTables();
    const long = 'x'.repeat(130);
    t.tblNode.rows.push(
      node(3, 2, true, 'Sub'), node(4, 3, true, 'Leaf'), node(11, 4, false, 'deep'), node(12, 3, false, 'mid'),
      node(5, 2, true, long), node(6, 5, true, long), node(13, 6, false, 'r'),
      node(7, 1, true, 'Cat / Sub'), // collides with the flattened name of 3
    );
    const source = await groupChatSource(await writeDump(dir, t));
    const categories = await all(source, 'categories');
    const suffix = (kind: string, id: string) => ` ${distinguishingSuffix(kind, id)}`;
    assert.match(suffix('room', '13'), /^ ~[0-9a-f]{8}$/);
    // Category 6 (269 characters) is cut, with an ellipsis and the suffix of its node id; 7 keeps its name plus its suffix.
    const longCategory = `${`Cat / ${long} / ${long}`.slice(0, 245)}…${suffix('category', '6')}`;
    assert.deepEqual(categories.map((c) => c.name), ['Cat', 'Cat / Sub', 'Cat / Sub / Leaf', `Cat / ${long}`, longCategory, `Cat / Sub${suffix('category', '7')}`]);
    assert.equal([...longCategory].length, 256);
    const rooms = await all(source, 'rooms');
    // Room 13 keeps its own name at the end: the middle of the path gives way.
    const longRoom = rooms[3]!.name;
    assert.ok(longRoom.startsWith(`Cat / ${long} / x`) && longRoom.endsWith(`… / r${suffix('room', '13')}`), longRoom);
    assert.ok([...longRoom].length <= 256);
    assert.deepEqual(rooms.map((r) => [r.id, r.name, r.category]), [['10', 'room', '2'], ['11', 'Cat / Sub / Leaf / deep', '4'], ['12', 'Cat / Sub / mid', '3'], ['13', longRoom, '6']]);
    const notes = await all(source, 'notes');
    assert.equal(notes.filter((n) => n.severity === 'error').length, 0, 'no name stops the migration');
    const shortened = notes.filter((n) => n.code === 'name_shortened');
    assert.deepEqual(shortened.map((n) => [n.severity, n.item]), [['conversion', { type: 'category', id: '6', name: longCategory }], ['conversion', { type: 'room', id: '13', name: longRoom }]]);
    assert.ok(shortened[1]!.message.includes(`"Cat / ${long} / ${long} / r"`), 'the report keeps the original name');
    const told = notes.filter((n) => n.code === 'name_deduplicated');
    assert.deepEqual(told.map((n) => [n.severity, n.item?.id, n.item?.name]), [['conversion', '7', `Cat / Sub${suffix('category', '7')}`]]);
    assert.equal(notes.filter((n) => n.code === 'category_flattened').length, 4, 'Sub, Leaf and both long ones');
    // The same dump read again gives the same names (re-runs and verify agree).
    const again = await groupChatSource(await writeDump(dir, t));
    assert.deepEqual((await all(again, 'rooms')).map((r) => r.name), rooms.map((r) => r.name));
    await again.close();
    await source.close();
  });

  it('resolves scopes down the tree, accumulates denials and creators, and makes category managers manage every room below', async () => {
    const t = baseTables();
    t.tblPrincipal.rows.push(group(201, 'Walled'), user(102, 'carol@example.com'));
    t.tblNode.rows.push(node(3, 2, true, 'Sub'), node(11, 3, false, 'inner'), node(4, 1, true, 'Own'), node(12, 4, false, 'own-room'));
    t.tblScopePrincipal.rows.push([2, 201, true, 1], [4, 101, false, 1]);
    t.tblPrincipalRole.rows.push([1, 101, 2, 1], [2, 102, 1, 1], [3, 100, 2, 1]);
    const source = await groupChatSource(await writeDump(dir, t));
    const byId = new Map((await all(source, 'categories')).map((c) => [c.id, c]));
    // Inherited from the root; the root's manager (101), whom it leaves out, is added (the documented rule, below).
    assert.deepEqual(byId.get('3')!.allowed, [{ kind: 'user', id: '101' }, { kind: 'group', id: '200' }], 'inherited from the root, plus the root manager');
    assert.deepEqual(byId.get('3')!.denied, [{ kind: 'group', id: '201' }], 'denied on the parent still applies');
    assert.deepEqual(byId.get('3')!.creators, [{ kind: 'user', id: '102' }]);
    assert.deepEqual(byId.get('4')!.allowed, [{ kind: 'user', id: '101' }], 'overridden');
    assert.deepEqual(byId.get('4')!.denied, []);
    const rooms = new Map((await all(source, 'rooms')).map((r) => [r.id, r]));
    assert.deepEqual(rooms.get('11')!.managers, [{ kind: 'user', id: '100' }, { kind: 'user', id: '101' }], 'root manager and Sub manager');
    assert.deepEqual(rooms.get('12')!.managers, [{ kind: 'user', id: '101' }], 'root manager only');
    assert.deepEqual(rooms.get('10')!.members, [{ kind: 'group', id: '200' }]);
    const notes = codes(await all(source, 'notes'));
    assert.ok(notes.includes('root_managers_to_rooms') && notes.includes('category_managers_to_rooms') && notes.includes('scope_inherited'));
    assert.equal(notes.filter((c) => c === 'root_manager_added_to_scope').length, 2, 'Cat and Sub: Own allows 101 already');
    await source.close();
  });

  it('maps visibility and behavior through tblEnumValue, coerces invitations with a warning, drops presenters of normal rooms, skips disabled rooms and their messages', async () => {
    const t = baseTables();
    t.tblNode.rows[1] = node(2, 1, true, 'Cat', { invite: false });
    t.tblNode.rows.push(
      node(11, 2, false, 'secret', { visibility: 12 }), node(12, 2, false, 'open', { visibility: 16, behavior: 15, invite: true }),
      node(13, 2, false, 'gone', { disabled: true }), node(14, 2, false, 'voiced', { invite: false }),
    );
    t.tblEnumValue = { columns: ['valueID', 'attributeID', 'attributeValue'], rows: [[12, 1, 'private'], [3, 1, 'scope'], [16, 1, 'Open'], [4, 2, 'normal'], [15, 2, 'auditorium']] };
    t.tblPrincipalRole.rows.push([12, 100, 4, 1], [14, 101, 4, 1]);
    t.tblChat.rows.push(chat(13, 1, 100, 'lost'), chat(13, 2, 100, 'lost too'), chat(12, 1, 100, 'kept'));
    const source = await groupChatSource(await writeDump(dir, t));
    const rooms = new Map((await all(source, 'rooms')).map((r) => [r.id, r]));
    assert.equal(rooms.has('13'), false);
    assert.deepEqual([rooms.get('10')!.privacy, rooms.get('11')!.privacy, rooms.get('12')!.privacy], ['closed', 'secret', 'open']);
    assert.deepEqual([rooms.get('12')!.type, rooms.get('12')!.invitations, rooms.get('12')!.presenters], ['auditorium', 'false', [{ kind: 'user', id: '100' }]]);
    assert.deepEqual([rooms.get('14')!.presenters, rooms.get('14')!.invitations, rooms.get('10')!.invitations], [[], 'false', 'inherit']);
    const messages = await all(source, 'messages');
    assert.deepEqual(messages.map((m) => m.id), ['10:1', '10:2', '12:1']);
    const notes = await all(source, 'notes');
    const found = (code: string) => notes.filter((n) => n.code === code);
    assert.equal(found('invitations_coerced')[0]?.severity, 'warning');
    assert.equal(found('invitations_coerced')[0]?.item?.id, '12');
    assert.equal(found('presenters_dropped')[0]?.item?.id, '14');
    assert.equal(found('room_disabled_skipped')[0]?.item?.id, '13');
    assert.match(found('messages_of_disabled_rooms')[0]!.message, /^2 message/);
    await source.close();
  });

  it('disables federated, deleted and SIP-disabled users, keeps their messages, and derives direct memberships from the transitive affiliations', async () => {
    const t = baseTables();
    t.tblPrincipal.rows.push(user(102, 'pat@fabrikam.com', { adPath: null }), user(103, 'gone@example.com', { disabled: 2 }), user(104, 'off@example.com', { disabled: 1 }), group(201, 'Outer'), group(202, 'Outermost'));
    t.tblPrincipal.rows.push(user(90, 'ocschat@example.com', { adPath: null, type: 4 })); // the service identity decides the domains
    // 100 ∈ 200 ∈ 201 ∈ 202, listed transitively as AD sync does.
    t.tblPrincipalAffiliations.rows.push([100, 201, 1, 1], [100, 202, 2, 1], [200, 201, 0, 1], [200, 202, 1, 1], [201, 202, 0, 1], [103, 200, 0, 1]);
    t.tblChat.rows.push(chat(10, 3, 102, 'from outside'));
    const source = await groupChatSource(await writeDump(dir, t));
    assert.equal(source.description.instance, 'example.com');
    const users = new Map((await all(source, 'users')).map((u) => [u.id, u]));
    assert.deepEqual([...users.values()].filter((u) => u.disabled).map((u) => u.id), ['90', '102', '103', '104']);
    assert.equal(users.get('100')!.login, 'alice@example.com');
    const memberships = (await all(source, 'memberships')).map((m) => `${m.member.kind}:${m.member.id}∈${m.group}`);
    assert.deepEqual(memberships, ['user:100∈200', 'user:103∈200', 'group:200∈201', 'group:201∈202']);
    assert.equal((await all(source, 'messages')).length, 3);
    const notes = codes(await all(source, 'notes'));
    assert.ok(notes.includes('federated_user_disabled') && notes.filter((c) => c === 'principal_disabled').length === 2);
    await source.close();
    const explicit = await groupChatSource(await writeDump(dir, t), { domains: ['example.com', 'fabrikam.com'] });
    assert.equal((await all(explicit, 'users')).find((u) => u.id === '102')!.disabled, false, 'a domain given as the organisation’s is not federated');
    await explicit.close();
    // The same list in domains.txt, which travels with the dump (export, verify and migrate read it).
    const withFile = await writeDump(dir, t);
    writeFileSync(join(withFile, 'domains.txt'), '# our SIP domains\nexample.com\r\nFabrikam.com  # since the merger\n');
    const fromFile = await groupChatSource(withFile);
    assert.equal((await all(fromFile, 'users')).find((u) => u.id === '102')!.disabled, false, 'domains.txt counts as given');
    assert.match((await all(fromFile, 'notes')).find((n) => n.code === 'sip_domains')!.message, /^Organisation SIP domains: example\.com, fabrikam\.com, given in domains\.txt;/);
    await fromFile.close();
  });

  it('leaves out content older than the start date and reports the count; lists every file reference', async () => {
    const t = baseTables();
    t.tblChat.rows.splice(0, 2, chat(10, 1, 100, 'old ma-filelink://a/1.txt', T0 - 86_400_000), chat(10, 2, 100, 'new ma-filelink://a/2.txt ma-filelink://a/3.txt', T0 + 1));
    const source = await groupChatSource(await writeDump(dir, t), { startDate: new Date(T0) });
    assert.deepEqual((await all(source, 'messages')).map((m) => [m.id, m.at]), [['10:2', new Date(T0 + 1).toISOString()]]);
    const notes = await all(source, 'notes');
    assert.match(notes.find((n) => n.code === 'messages_before_start_date')!.message, /^1 message/);
    assert.deepEqual(notes.filter((n) => n.severity === 'file').map((n) => [n.item?.id, n.message]), [['10:2', 'ma-filelink://a/2.txt'], ['10:2', 'ma-filelink://a/3.txt']]);
    await source.close();
  });

  it('reads the sample dump end to end: every record valid, messages grouped by room in seq order, every conversion reported', async () => {
    const source = await groupChatSource('examples/groupchat-dump');
    const counts: Record<string, number> = {};
    for (const type of RECORD_TYPE_NAMES) {
      const records = await all(source, type);
      counts[type] = records.length;
      for (const r of records) RECORD_TYPES[type].parse(r);
    }
    // notes: 23 conversions and warnings, and the one referenced file the sample's filestore/ leaves out.
    assert.deepEqual(counts, { users: 22, groups: 6, memberships: 25, addins: 1, categories: 6, rooms: 7, policies: 0, messages: 2626, notes: 24 });
    const messages = await all(source, 'messages');
    for (let i = 1; i < messages.length; i++) {
      const [a, b] = [messages[i - 1]!, messages[i]!];
      assert.ok(Number(a.room) < Number(b.room) || (a.room === b.room && a.seq < b.seq), `${a.id} before ${b.id}`);
    }
    assert.ok(messages.some((m) => m.kind === 'story' && m.title !== null) && messages.some((m) => m.text.includes('\n')));
    assert.ok(messages.every((m) => !/<a\s/i.test(m.text)));
    assert.ok(messages.some((m) => /\[[^\]]+\]\(https?:\/\/[^)]+\)/.test(m.text)), 'links keep their labels as inline links');
    const notes = codes(await all(source, 'notes'));
    for (const code of ['sip_domains', 'user_classification', 'root_manager_added_to_scope', 'category_flattened', 'room_renamed', 'root_managers_to_rooms', 'invitations_coerced', 'federated_user_disabled', 'principal_disabled', 'room_disabled_skipped', 'file_missing', 'presenters_dropped']) {
      assert.ok(notes.includes(code), code);
    }
    await source.close();
  });
});
