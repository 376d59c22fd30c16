import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsInWords, exportOptionsInWords, inWords, plural, typeName } from '../../src/interchange/reportWords.js';

describe('report values in words', () => {
  it('says counts with the right noun and number, never JSON', () => {
    assert.equal(countsInWords({ room: 12, category: 3, addin: 1 }), '12 rooms, 3 categories, 1 add-in');
    assert.equal(countsInWords({ rooms: 1, categories: 1, addins: 2, policies: 0 }), '1 room, 1 category, 2 add-ins, 0 policies');
    assert.equal(countsInWords({ created: 1, messagesAdded: 2626, filesNotCarried: 1 }), '1 item created, 2,626 messages added, 1 file not carried');
    assert.equal(countsInWords({ somethingNew: 4 }), 'something new: 4', 'an unknown key is never given a guessed plural');
    assert.equal(countsInWords({}), 'none');
  });

  it('names record types as people say them', () => {
    assert.deepEqual(['addin', 'addins', 'category', 'categories', 'room', 'membership'].map(typeName), ['add-in', 'add-ins', 'category', 'categories', 'room', 'group membership']);
  });

  it('shows any cell value without braces', () => {
    assert.equal(inWords({ room: 1, message: 5 }), '1 room, 5 messages');
    assert.equal(inWords({ level: 'all', scope: [] }), 'level: all; scope: -');
    assert.equal(inWords(['a', 'b']), 'a, b');
    assert.equal(inWords(true), 'yes');
    assert.equal(inWords(null), '');
    assert.equal(plural(1, 'category', 'categories'), '1 category');
    assert.equal(exportOptionsInWords({ level: 'all', scope: ['Sales'], startDate: null, disableExported: false }), 'level all; 1 category: Sales; every message; exported rooms stay enabled in the source');
  });
});
