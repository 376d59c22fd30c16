import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyBytes, escapeTagValue, LineSplitter, parseLine, serialize, unescapeTagValue } from '../../src/protocols/irc/parser.js';

const ok = (line: string) => {
  const r = parseLine(line);
  assert.ok(r.ok, `expected ${JSON.stringify(line)} to parse`);
  return r.message;
};

describe('IRC line parser', () => {
  it('parses source, command, middle and trailing parameters', () => {
    const m = ok(':nick!user@host PRIVMSG #chan :hello there :)');
    assert.equal(m.source, 'nick!user@host');
    assert.equal(m.command, 'PRIVMSG');
    assert.deepEqual(m.params, ['#chan', 'hello there :)']);
  });

  it('uppercases commands, collapses extra spaces, and keeps an empty trailing', () => {
    assert.deepEqual(ok('privmsg   #a    :').params, ['#a', '']);
    assert.equal(ok('privmsg #a b').command, 'PRIVMSG');
    assert.deepEqual(ok('USER a 0 * ::colon').params, ['a', '0', '*', ':colon']);
  });

  it('parses IRCv3 tags with escapes, valueless tags and client tags', () => {
    const m = ok('@time=2024-01-01T00:00:00.000Z;+example.com/x=a\\sb\\:c\\\\d\\r\\n;flag;dup=1;dup=2 :s CMD p');
    assert.equal(m.tags.time, '2024-01-01T00:00:00.000Z');
    assert.equal(m.tags['+example.com/x'], 'a b;c\\d\r\n');
    assert.equal(m.tags.flag, '');
    assert.equal(m.tags.dup, '2');
    assert.equal(unescapeTagValue('abc\\'), 'abc');
    assert.equal(unescapeTagValue('\\x'), 'x');
  });

  it('round-trips tag values through escaping', () => {
    for (const v of ['', 'plain', 'a b;c\\d\r\n', '\\\\;; ', 'ünï ☃']) assert.equal(unescapeTagValue(escapeTagValue(v)), v);
  });

  it('rejects malformed lines with a reason', () => {
    assert.deepEqual(parseLine(''), { ok: false, reason: 'empty' });
    assert.deepEqual(parseLine('   '), { ok: false, reason: 'empty' });
    assert.equal((parseLine(':onlysource') as any).reason, 'malformed');
    assert.equal((parseLine('@a=b') as any).reason, 'malformed');
    assert.equal((parseLine('@bad key!=1 PING x') as any).reason, 'malformed');
    assert.equal((parseLine('@bad!=1 PING x') as any).command, 'PING');
    assert.equal((parseLine('12345 x') as any).reason, 'malformed');
    assert.equal((parseLine('PRIV-MSG x') as any).reason, 'malformed');
  });

  it('enforces 510 bytes for the body and 8191 for the tag section', () => {
    assert.ok(parseLine('PRIVMSG #a :' + 'x'.repeat(510 - 12)).ok);
    assert.deepEqual(parseLine('PRIVMSG #a :' + 'x'.repeat(511 - 12)), { ok: false, reason: 'too_long' });
    // Bytes, not characters: 'é' is two bytes.
    assert.deepEqual(parseLine('PRIVMSG #a :' + 'é'.repeat(250)), { ok: false, reason: 'too_long' });
    const tags = '@a=' + 'v'.repeat(8191 - 4) + ' ';
    assert.equal(Buffer.byteLength(tags), 8191);
    assert.ok(parseLine(tags + 'PING x').ok);
    assert.deepEqual(parseLine('@a=' + 'v'.repeat(8191 - 3) + ' PING x'), { ok: false, reason: 'too_long' });
  });

  it('folds parameters beyond 15 into the last one', () => {
    const m = ok('CMD ' + Array.from({ length: 20 }, (_, i) => `p${i}`).join(' '));
    assert.equal(m.params.length, 15);
    assert.equal(m.params[14], 'p14 p15 p16 p17 p18 p19');
  });

  it('serialises with a trailing parameter only when needed and never lets CR/LF through', () => {
    assert.equal(serialize({ command: 'PING', params: ['x'] }), 'PING x');
    assert.equal(serialize({ source: 's', command: 'PRIVMSG', params: ['#a', 'hi there'] }), ':s PRIVMSG #a :hi there');
    assert.equal(serialize({ command: 'TOPIC', params: ['#a', ''] }), 'TOPIC #a :');
    assert.equal(serialize({ command: 'X', params: [':a'] }), 'X ::a');
    assert.equal(serialize({ command: 'X', params: ['a\r\nQUIT', 'b\nc'] }), 'X a__QUIT :b c');
    assert.equal(serialize({ tags: { label: 'a b', flag: '' }, command: 'ACK', params: [] }), '@label=a\\sb;flag ACK');
    const m = ok(serialize({ tags: { x: 'a;b c' }, source: 'n!u@h', command: 'PRIVMSG', params: ['#c', ':) hi'] }));
    assert.deepEqual([m.tags.x, m.source, m.params], ['a;b c', 'n!u@h', ['#c', ':) hi']]);
  });
});

describe('line framing', () => {
  const run = (chunks: (string | Buffer)[]) => {
    const s = new LineSplitter();
    const lines: string[] = [];
    let tooLong = 0;
    for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c), (b) => lines.push(b.toString()), () => tooLong++);
    return { lines, tooLong };
  };

  it('accepts CRLF, LF and CR across chunk boundaries and skips empty lines', () => {
    assert.deepEqual(run(['PING a\r', '\nPING b\nPI', 'NG c\r\r\n\nPING d\r']).lines, ['PING a', 'PING b', 'PING c', 'PING d']);
  });

  it('reports an endless line once and resumes at the next line', () => {
    const r = run(['x'.repeat(5000), 'y'.repeat(5000), 'z'.repeat(5000), '\r\nPING ok\r\n']);
    assert.equal(r.tooLong, 1);
    assert.deepEqual(r.lines, ['PING ok']);
  });

  it('does not split inside a multi-byte character', () => {
    const bytes = Buffer.from('PRIVMSG #a :é\r\n');
    assert.deepEqual(run([bytes.subarray(0, 13), bytes.subarray(13)]).lines, ['PRIVMSG #a :é']);
  });
});

describe('bodyBytes', () => {
  it('counts exactly the bytes serialize writes, without building the line', () => {
    const cases = [
      { source: 'alice!u1@irc.test', command: 'PRIVMSG', params: ['#general', 'hello world'] },
      { source: 'alice', command: 'PRIVMSG', params: ['#general', ''] }, // an empty last parameter takes ':'
      { source: 'alice', command: 'PRIVMSG', params: ['#general', 'word'] }, // one word does not
      { source: 'alice', command: 'PRIVMSG', params: ['#general', ':colon'] },
      { source: 'alice', command: 'PRIVMSG', params: ['#general', 'nul\0inside'] }, // made safe: a space, so ':'
      { source: null, command: 'NOTICE', params: ['', 'middle empty'] }, // an empty middle parameter is '*'
      { source: '', command: 'X', params: [':a b', 'ünïcödé 😀'] }, // a middle parameter made one word
      { source: 'lone\ud800', command: 'PING', params: [] },
    ];
    for (const message of cases) assert.equal(bodyBytes(message), Buffer.byteLength(serialize(message)), JSON.stringify(message));
  });
});
