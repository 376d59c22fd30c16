import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentionCandidates, mentionsLogin, shouldNotify, splitMentions, MAX_MENTIONS } from '../../src/core/mentions.js';

describe('@mentions', () => {
  it('finds @login where the @ starts a word, lower-cased, with and without trailing punctuation', () => {
    assert.deepEqual(mentionCandidates('no mention here'), []);
    assert.deepEqual(mentionCandidates('@Alice hello'), ['alice']);
    assert.deepEqual(mentionCandidates('hi @alice, and (@bob) and "@carol".'), ['alice,', 'alice', 'bob)', 'bob', 'carol".', 'carol']);
    assert.deepEqual(mentionCandidates('mail bob@example.com or a@b'), [], 'an @ inside a word mentions nobody');
    assert.deepEqual(mentionCandidates('ask @sip:dave@contoso.com.'), ['sip:dave@contoso.com.', 'sip:dave@contoso.com'], 'logins may hold punctuation and one @');
    assert.deepEqual(mentionCandidates('@alice @ALICE @alice'), ['alice'], 'no repeats');
    assert.deepEqual(mentionCandidates('line one\n@erin: see this'), ['erin:', 'erin']);
    assert.deepEqual(mentionCandidates('@ alone and @@x'), [], 'a bare @ or @@ is no mention');
  });

  it('looks at a bounded number of words', () => {
    const many = Array.from({ length: MAX_MENTIONS + 20 }, (_, i) => `@user${i}`).join(' ');
    assert.equal(mentionCandidates(many).length, MAX_MENTIONS);
  });

  it('answers whether a text mentions one login, case-insensitively', () => {
    assert.equal(mentionsLogin('thanks @Bob!', 'bob'), true);
    assert.equal(mentionsLogin('thanks @bobby', 'bob'), false);
    assert.equal(mentionsLogin('thanks bob', 'bob'), false);
  });

  it('splits a text into plain runs and chips for known logins only, losing no character', () => {
    const known = new Set(['alice', 'sip:dave@contoso.com']);
    const text = 'hi @alice, meet @nobody and @sip:dave@contoso.com.';
    const pieces = splitMentions(text, (l) => known.has(l));
    assert.equal(pieces.map((p) => p.text).join(''), text);
    assert.deepEqual(
      pieces.filter((p) => 'login' in p).map((p) => p.text),
      ['@alice', '@sip:dave@contoso.com'],
    );
    assert.deepEqual(splitMentions('plain', () => true), [{ text: 'plain' }]);
  });

  it('decides browser notifications by the room setting, only while hidden and never for one\'s own messages', () => {
    const hidden = { hidden: true, own: false };
    assert.equal(shouldNotify('mentions', { ...hidden, mentionsMe: true }), true);
    assert.equal(shouldNotify('mentions', { ...hidden, mentionsMe: false }), false);
    assert.equal(shouldNotify('all', { ...hidden, mentionsMe: false }), true);
    assert.equal(shouldNotify('none', { ...hidden, mentionsMe: true }), false);
    assert.equal(shouldNotify('all', { hidden: false, own: false, mentionsMe: true }), false, 'visible: the page shows it');
    assert.equal(shouldNotify('all', { hidden: true, own: true, mentionsMe: true }), false);
  });
});
