import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '../../src/core/model.js';
import { CHANNELLEN, channelToRoom, isValidNick, NickTable, nickBase, roomToChannel } from '../../src/protocols/irc/channels.js';

const WEIRD = [
  'release planning',
  'snake_case_room',
  '100% done',
  'a,b,c',
  'Team: Alpha',
  'tilde~room',
  'Ünïcödé Straße',
  '日本語のチャンネル',
  'emoji 🎉 party',
  'tab\tand nbsp\u00a0here',
  'zero\u200bwidth',
  '#already hashed',
  '%41 is not A',
  '_',
  ' ',
  'bell\u0007',
];

describe('room ↔ channel mapping', () => {
  it('round-trips weird names and yields valid channel names', () => {
    for (const name of WEIRD) {
      const channel = roomToChannel(name);
      assert.ok(channel.startsWith('#'), channel);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(channel.slice(1), /[\s,\x07\0:]/u, `${JSON.stringify(name)} → ${channel}`);
      assert.deepEqual(channelToRoom(channel), { kind: 'name', name }, `${JSON.stringify(name)} → ${channel}`);
    }
  });

  it('is readable for ordinary names', () => {
    assert.equal(roomToChannel('release planning'), '#release_planning');
    assert.equal(roomToChannel('snake_case'), '#snake%5Fcase');
    assert.equal(roomToChannel('Ünïcödé'), '#Ünïcödé');
  });

  it('is injective over distinct names', () => {
    const channels = new Set(WEIRD.map(roomToChannel));
    assert.equal(channels.size, WEIRD.length);
  });

  it('shortens very long names with a hash and stays within CHANNELLEN', () => {
    const long = 'ä'.repeat(256);
    const channel = roomToChannel(long);
    assert.ok(Buffer.byteLength(channel) <= CHANNELLEN);
    assert.match(channel, /~[0-9a-f]{8}$/);
    assert.deepEqual(channelToRoom(channel), { kind: 'hashed' });
    assert.notEqual(roomToChannel('ä'.repeat(255) + 'b'), channel);
    const escaped = roomToChannel(' _'.repeat(128));
    assert.ok(Buffer.byteLength(escaped) <= CHANNELLEN);
    assert.doesNotMatch(escaped, /%[0-9A-F]?~/, 'never cuts inside an escape');
  });

  it('rejects names no room can have', () => {
    for (const c of ['nohash', '#', '#a b', '#a,b', '#bad%zz', '#bad%c3', '#x~nothex']) assert.equal(channelToRoom(c).kind, 'invalid', c);
  });
});

describe('login → nick mapping', () => {
  const u = (id: number, login: string): User => ({ id, login, displayName: login, email: null, disabled: false, isAdmin: false, createdAt: 0, origin: null });

  it('derives readable, valid nicks', () => {
    assert.equal(nickBase('alice@example.com'), 'alice');
    assert.equal(nickBase('sip:bob.smith@example.com'), 'bob_smith');
    assert.equal(nickBase('42user@x'), '_42user');
    assert.equal(nickBase('@odd'), 'user');
    assert.equal(nickBase('x'.repeat(100) + '@y').length, 30);
    for (const login of ['alice@example.com', 'sip:bob.smith@example.com', '42user@x', '-dash', 'ünï@x', 'a`b@c']) assert.ok(isValidNick(nickBase(login)), login);
  });

  it('keeps nicks unique and stable: the oldest account keeps the plain nick', () => {
    const table = new NickTable([u(5, 'Alice@other.org'), u(2, 'alice@example.com'), u(9, 'bob@example.com')]);
    assert.equal(table.nick(2), 'alice');
    assert.equal(table.nick(5), 'Alice`5');
    assert.equal(table.userId('ALICE'), 2);
    assert.equal(table.userId('alice`5'), 5);
    const grown = new NickTable([u(5, 'Alice@other.org'), u(2, 'alice@example.com'), u(9, 'bob@example.com'), u(12, 'alice@third.net')]);
    assert.equal(grown.nick(2), 'alice');
    assert.equal(grown.nick(5), 'Alice`5');
    assert.equal(grown.nick(12), 'alice`12');
  });
});
