import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdHashes } from '../../src/interchange/import/idHashes.js';

describe('IdHashes (the check pass’s repeated-id detector)', () => {
  it('answers false for every new id and true for every repeated one, across growth', () => {
    const hashes = new IdHashes();
    const ids = Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? `m${i}` : i % 3 === 1 ? String(i) : `{${i}}-ünï-${i * 7}`));
    assert.equal(ids.filter((id) => hashes.add(id)).length, 0, 'no false repeat among 200,000 distinct ids');
    assert.equal(ids.filter((id) => hashes.add(id)).length, ids.length, 'every repeat is seen');
    assert.equal(hashes.add(''), false);
    assert.equal(hashes.add(''), true);
  });
});
