import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PchatError } from '../../src/core/errors.js';
import { GroupGraph } from '../../src/core/groupGraph.js';
import { matchesKeywords } from '../../src/core/moderation.js';
import { chatEnabledFor } from '../../src/core/policy.js';
import { validateHttpUrl, validateDescription, validateMessageText, validateName } from '../../src/core/validation.js';

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
    assert.equal(chatEnabledFor(3, [], graph), true);
  });
  it('takes the most specific scope: user, then site, then global', () => {
    const rules = [
      { scope: 'global' as const, targetId: null, enabled: false },
      { scope: 'site' as const, targetId: 10, enabled: true },
      { scope: 'user' as const, targetId: 1, enabled: false },
    ];
    assert.equal(chatEnabledFor(1, rules, graph), false, 'user rule wins');
    assert.equal(chatEnabledFor(2, rules, graph), true, 'site rule wins over global');
    assert.equal(chatEnabledFor(3, rules, graph), false, 'global applies');
  });
  it('disables when sites disagree', () => {
    const rules = [
      { scope: 'site' as const, targetId: 10, enabled: true },
      { scope: 'site' as const, targetId: 11, enabled: false },
    ];
    assert.equal(chatEnabledFor(2, rules, graph), false);
    assert.equal(chatEnabledFor(1, rules, graph), true);
  });
});
