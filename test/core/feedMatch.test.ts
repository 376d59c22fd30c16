import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeedIndex, type FeedRule, postWords, wordsOf } from '../../src/core/feedMatch.js';

const rule = (id: number, words: string[], extra: Partial<FeedRule> = {}): FeedRule => ({ id, userId: 100 + id, words, authorId: null, roomIds: null, ...extra });
const ids = (rules: readonly FeedRule[]) => rules.map((r) => r.id).sort((a, b) => a - b);

describe('topic feed matching (core)', () => {
  it('splits and folds words as the search index does', () => {
    assert.deepEqual(wordsOf('Ünïcödé façade, NAÏVE-café/état_2 x@example.com 3.14'), ['unicode', 'facade', 'naive', 'cafe', 'etat', '2', 'x', 'example', 'com', '3', '14']);
    assert.deepEqual([...postWords('Deploy deploy', 'Release  notes')], ['deploy', 'release', 'notes']);
  });

  it('ANDs a filter\'s words, in any order, as whole words, title included', () => {
    const index = new FeedIndex();
    index.put(rule(1, ['release', 'notes']));
    index.put(rule(2, ['outage']));
    index.put(rule(3, ['notes']));
    assert.deepEqual(ids(index.match(postWords('the notes of the release'), 1, 9)), [1, 3]);
    assert.deepEqual(ids(index.match(postWords('release candidate'), 1, 9)), [], 'one word of two is no hit');
    assert.deepEqual(ids(index.match(postWords('releases and notebooks'), 1, 9)), [], 'no prefixes');
    assert.deepEqual(ids(index.match(postWords('see below', 'Outage report'), 1, 9)), [2]);
  });

  it('matches folded words against folded text', () => {
    const index = new FeedIndex();
    index.put(rule(1, wordsOf('Café Zürich')));
    assert.deepEqual(ids(index.match(postWords('meeting at the CAFE in zurich'), 1, 9)), [1]);
    assert.deepEqual(ids(index.match(postWords('café zürich'), 1, 9)), [1]);
  });

  it('holds the author and room constraints', () => {
    const index = new FeedIndex();
    index.put(rule(1, ['deploy'], { authorId: 7 }));
    index.put(rule(2, ['deploy'], { roomIds: new Set([3, 4]) }));
    index.put(rule(3, ['deploy']));
    assert.deepEqual(ids(index.match(postWords('deploy'), 3, 7)), [1, 2, 3]);
    assert.deepEqual(ids(index.match(postWords('deploy'), 5, 7)), [1, 3]);
    assert.deepEqual(ids(index.match(postWords('deploy'), 4, 8)), [2, 3]);
  });

  it('replaces and removes filters', () => {
    const index = new FeedIndex();
    index.put(rule(1, ['alpha', 'beta']));
    index.put(rule(1, ['gamma']));
    assert.equal(index.size, 1);
    assert.deepEqual(ids(index.match(postWords('alpha beta'), 1, 9)), [], 'the old words are gone');
    assert.deepEqual(ids(index.match(postWords('gamma'), 1, 9)), [1]);
    index.remove(1);
    index.remove(1);
    assert.equal(index.size, 0);
    assert.deepEqual(index.match(postWords('gamma'), 1, 9), []);
  });
});
