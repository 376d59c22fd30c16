import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageLines, msgidOf, seqOfMsgid, splitLine, textBudget, textFromIrc, timePrefix } from '../../src/protocols/irc/present.js';

const joinPieces = (pieces: string[]) => pieces.join('');

describe('IRC presenters', () => {
  it('splits long lines within the byte budget without losing or breaking characters', () => {
    const line = 'Grüße aus Köln 🎉 '.repeat(60);
    const pieces = splitLine(line, 100);
    assert.ok(pieces.length > 1);
    for (const p of pieces) assert.ok(Buffer.byteLength(p) <= 100, `piece of ${Buffer.byteLength(p)} bytes`);
    assert.equal(joinPieces(pieces), line);
    assert.ok(pieces.slice(0, -1).every((p) => p.endsWith(' ')), 'breaks after spaces when it can');
    const dense = '€'.repeat(100); // 3 bytes each, no spaces
    const cut = splitLine(dense, 10);
    assert.ok(cut.every((p) => Buffer.byteLength(p) <= 10 && !p.includes('\uFFFD')));
    assert.equal(joinPieces(cut), dense);
  });

  it('lets one word be one byte longer than the budget (it goes on the wire without the colon), and no more', () => {
    const source = 'alice!u2@pchat.local';
    const budget = textBudget(source, 'PRIVMSG', '#lobby');
    const word = 'w'.repeat(budget + 1);
    assert.deepEqual(messageLines({ kind: 'text', title: null, text: word }, budget), [word], 'one word of budget + 1 bytes stays whole');
    assert.equal(Buffer.byteLength(`:${source} PRIVMSG #lobby ${word}`), 510, 'and fits the line without its colon');
    // Anything that would need the colon, or is longer still, is split within the budget.
    for (const text of [`${word}w`, `:${word.slice(1)}`, `${word.slice(2)} w`]) {
      const lines = messageLines({ kind: 'text', title: null, text }, budget);
      assert.ok(lines.length > 1, text.slice(0, 20));
      for (const l of lines) assert.ok(Buffer.byteLength(l) <= budget);
    }
    const prefixed = messageLines({ kind: 'text', title: null, text: word }, budget, '[12:00] ');
    assert.ok(prefixed.length > 1 && prefixed.every((l) => Buffer.byteLength(l) <= budget), 'a time prefix takes no extra byte');
  });

  it('renders a story title first, then every non-empty line, each within the limit', () => {
    const text = `${'long paragraph '.repeat(80)}\n\nsecond paragraph\nthird`;
    const source = 'alice!u2@pchat.local';
    const budget = textBudget(source, 'PRIVMSG', '#release_planning');
    const lines = messageLines({ kind: 'story', title: 'Quarterly plan', text }, budget);
    assert.equal(lines[0], '\x02Quarterly plan\x02');
    for (const l of lines) assert.ok(Buffer.byteLength(`:${source} PRIVMSG #release_planning :${l}`) <= 510);
    assert.equal(lines.slice(1).join(' ').replace(/\s+/g, ' '), text.replace(/\s+/g, ' ').trim());
    assert.deepEqual(lines.slice(-2), ['second paragraph', 'third']);
  });

  it('turns /me into CTCP ACTION and back, and strips mIRC formatting', () => {
    assert.equal(textFromIrc('\x01ACTION waves\x01'), '/me waves');
    assert.deepEqual(messageLines({ kind: 'text', title: null, text: '/me waves' }, 400), ['\x01ACTION waves\x01']);
    assert.equal(textFromIrc('\x02bold\x02 \x0304,12red\x03 plain\x0f'), 'bold red plain');
    assert.equal(textFromIrc('\x01VERSION\x01'), null);
  });

  it('prefixes replayed lines with a UTC time for clients without server-time', () => {
    const prefix = timePrefix(Date.UTC(2024, 4, 1, 9, 5));
    assert.equal(prefix, '[2024-05-01 09:05 UTC] ');
    const lines = messageLines({ kind: 'text', title: null, text: 'a\nb' }, 400, prefix);
    assert.deepEqual(lines, [`${prefix}a`, `${prefix}b`]);
  });

  it('maps msgids to seqs', () => {
    assert.equal(msgidOf({ id: 17, seq: 4 }), '17-4');
    assert.equal(msgidOf({ id: 17, seq: 4 }, 2), '17-4-2');
    assert.equal(seqOfMsgid('17-4-2'), 4);
    assert.equal(seqOfMsgid('nope'), null);
  });
});
