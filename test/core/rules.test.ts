import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PchatError } from '../../src/core/errors.js';
import { GroupGraph } from '../../src/core/groupGraph.js';
import { matchesKeywords } from '../../src/core/moderation.js';
import { policyEnabledFor } from '../../src/core/policy.js';
import { codePoints, isWellFormedText, validateHttpUrl, validateDescription, validateMessageText, validateName } from '../../src/core/validation.js';
import { decodeUtf8Marked } from '../../src/protocols/text.js';

const fails = (code: string, field?: string) => (error: unknown) =>
  error instanceof PchatError && error.code === code && (field === undefined || error.field === field);

describe('validation', () => {
  it('trims and normalises names and counts characters, not bytes', () => {
    assert.equal(validateName('  Trading Desk  '), 'Trading Desk');
    assert.equal(validateName('e\u0301'), 'é', 'NFC');
    assert.equal(validateName('日'.repeat(256)).length, 256);
    assert.throws(() => validateName('日'.repeat(257)), fails('invalid_name', 'name'));
    assert.throws(() => validateName(''), fails('invalid_name'));
    assert.throws(() => validateName('tab\there', 'roomName'), fails('invalid_name', 'roomName'));
  });

  it('limits descriptions to 256 characters', () => {
    assert.equal(validateDescription('x'.repeat(256)).length, 256);
    assert.throws(() => validateDescription('x'.repeat(257)), fails('invalid_input', 'description'));
  });

  it('accepts only http and https add-in URLs', () => {
    assert.equal(validateHttpUrl('https://example.com/addin'), 'https://example.com/addin');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://x', 'not a url', '//example.com']) {
      assert.throws(() => validateHttpUrl(bad), fails('invalid_input', 'url'), bad);
    }
  });

  it('normalises line endings in messages and rejects empty, oversized and control characters', () => {
    const limits = { maxMessageChars: 10 };
    assert.equal(validateMessageText('a\r\nb\rc', limits), 'a\nb\nc');
    assert.equal(validateMessageText('tab\tok', limits), 'tab\tok');
    assert.throws(() => validateMessageText(' \n ', limits), fails('invalid_input', 'text'));
    assert.throws(() => validateMessageText('x'.repeat(11), limits), fails('too_large', 'text'));
    assert.throws(() => validateMessageText('nul\u0000', limits), fails('invalid_input'));
  });

  it('refuses lone surrogates, texts with nothing visible, and bidirectional controls; keeps the rest as sent', () => {
    const limits = { maxMessageChars: 100 };
    const refused = (text: string, words: RegExp) => assert.throws(() => validateMessageText(text, limits), (e: unknown) => fails('invalid_input', 'text')(e) && words.test((e as Error).message), JSON.stringify(text));
    refused('hi \ud800', /not valid UTF-8/);
    refused('\udcff', /not valid UTF-8/);
    for (const blank of ['\u200b', '\u200b\u200c\u200d\u2060', '\u3164', '\u00a0\u2800', '\ufe0f', '\u00ad', '\u0007']) refused(blank, /visible character|empty/);
    for (const bidi of ['abc\u202edcba', '\u2066x\u2069', 'a\u202ab']) refused(bidi, /bidirectional/);
    for (const fine of ['🙂', 'é', 'e\u0301', 'שלום world', '\u200bx', 'a\u200db']) assert.equal(validateMessageText(fine, limits), fine);
  });
});

describe('bytes that are not UTF-8 reach the application marked, never replaced', () => {
  const marked = (bytes: number[]) => decodeUtf8Marked(Uint8Array.from(bytes));
  it('decodes valid UTF-8 as is and marks each stray byte as its own lone surrogate', () => {
    assert.equal(marked([0x68, 0xc3, 0xa9, 0xf0, 0x9f, 0x99, 0x82]), 'hé🙂');
    assert.equal(marked([0x68, 0xff, 0x69]), 'h\udcffi');
    assert.equal(marked([0xc0, 0x80]), '\udcc0\udc80', 'an overlong NUL');
    assert.equal(marked([0xed, 0xa0, 0x80]), '\udced\udca0\udc80', 'an encoded surrogate (CESU-8)');
    assert.equal(marked([0xf4, 0x90, 0x80, 0x80]), '\udcf4\udc90\udc80\udc80', 'past U+10FFFF');
    assert.equal(marked([0xe2, 0x82]), '\udce2\udc82', 'a truncated sequence');
    for (const bytes of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      assert.equal(isWellFormedText(marked(bytes)), false, 'so the text rule refuses it');
    }
  });
});

describe('keyword matching for moderation', () => {
  const f = (keywords: string, match: 'all' | 'any' | 'exact', caseSensitive = false) => ({ keywords, match, caseSensitive });
  it('matches all, any and exact phrases', () => {
    assert.equal(matchesKeywords('Buy ACME now', f('acme buy', 'all')), true);
    assert.equal(matchesKeywords('Buy ACME now', f('acme sell', 'all')), false);
    assert.equal(matchesKeywords('Buy ACME now', f('acme sell', 'any')), true);
    assert.equal(matchesKeywords('Buy   ACME now', f('buy acme', 'exact')), true, 'white space runs compare equal');
    assert.equal(matchesKeywords('ACME buy', f('buy acme', 'exact')), false);
  });
  it('honours case sensitivity', () => {
    assert.equal(matchesKeywords('Buy ACME', f('acme', 'any', true)), false);
    assert.equal(matchesKeywords('Buy ACME', f('ACME', 'any', true)), true);
  });
});

describe('persistent chat policy', () => {
  // user 1 is in site group 10; user 2 in sites 10 and 11; user 3 in none.
  const graph = new GroupGraph([
    { id: 10, members: [{ kind: 'user', id: 1 }, { kind: 'user', id: 2 }] },
    { id: 11, members: [{ kind: 'user', id: 2 }] },
  ]);
  it('is enabled when no rule exists (a fresh install)', () => {
    assert.equal(policyEnabledFor(3, [], graph), true);
  });
  it('takes the most specific scope: user, then site, then global', () => {
    const rules = [
      { scope: 'global' as const, targetId: null, enabled: false },
      { scope: 'site' as const, targetId: 10, enabled: true },
      { scope: 'user' as const, targetId: 1, enabled: false },
    ];
    assert.equal(policyEnabledFor(1, rules, graph), false, 'user rule wins');
    assert.equal(policyEnabledFor(2, rules, graph), true, 'site rule wins over global');
    assert.equal(policyEnabledFor(3, rules, graph), false, 'global applies');
  });
  it('disables when sites disagree', () => {
    const rules = [
      { scope: 'site' as const, targetId: 10, enabled: true },
      { scope: 'site' as const, targetId: 11, enabled: false },
    ];
    assert.equal(policyEnabledFor(2, rules, graph), false);
    assert.equal(policyEnabledFor(1, rules, graph), true);
  });
});

describe('codePoints', () => {
  it('counts code points as spreading the string does: a pair is one, a lone surrogate one', () => {
    for (const text of ['', 'plain', 'é', '😀', 'a😀b😀', '\ud800', '\udc00\ud800', '\ud800\udc00x\ud83d', '👩‍👩‍👧']) assert.equal(codePoints(text), [...text].length, JSON.stringify(text));
  });
});
