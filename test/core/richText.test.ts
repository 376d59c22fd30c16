import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkText, plainText, richSegments } from '../../src/core/richText.js';

describe('rich content in message text: the inline link [label](url)', () => {
  it('writes a link so that it reads back as the same label and target, whatever the label holds', () => {
    const labels = ['docs', 'a [bracketed] label', 'back\\slash', 'ends with \\', '](', 'two\nlines', 'ü ✓ 𝄞', ')(', '[', ']'];
    const urls = ['https://example.com/a?b=1&c=2#x', 'http://h/p', 'mailto:ops@example.com', 'https://en.example/wiki/A_(b)', 'https://example.com/a b'];
    for (const label of labels) {
      for (const url of urls) {
        const text = `before ${linkText(label, url)} after`;
        const segments = richSegments(text);
        assert.equal(segments.length, 3, text);
        const link = segments[1] as { label: string; href: string };
        assert.equal(link.label, label.replace(/\s*\n\s*/g, ' '), text);
        assert.equal(decodeURI(link.href), url, text);
        assert.deepEqual([segments[0], segments[2]], ['before ', ' after']);
      }
    }
  });

  it('writes the URL alone when the label is empty or the URL, and plain text for a target that is not http, https or mailto', () => {
    assert.equal(linkText('', 'https://x.example/'), 'https://x.example/');
    assert.equal(linkText(' https://x.example/ ', 'https://x.example/'), 'https://x.example/');
    assert.equal(linkText('click', 'javascript:alert(1)'), 'click (javascript:alert(1))');
    assert.equal(linkText('file', 'ma-filelink://d/1/a.doc'), 'file (ma-filelink://d/1/a.doc)');
    assert.deepEqual(richSegments('[click](javascript:alert(1))'), ['[click](javascript:alert(1))'], 'never a link to an unsafe target');
    assert.deepEqual(richSegments('[x](data:text/html,hi) [](https://e.x) [a](https://e.x y)'), ['[x](data:text/html,hi) [](https://e.x) [a](https://e.x y)']);
  });

  it('leaves text without the form exactly as it was (every message written before it)', () => {
    for (const text of ['', 'plain', 'label (https://x.example)', 'a [b] c (d)', 'arr[i](j)', '[STORY] x']) {
      assert.deepEqual(richSegments(text), text === '' ? [''] : [text]);
      assert.equal(plainText(text), text);
    }
  });

  it('reads as label (url) for clients without links, or the URL when the label is the URL', () => {
    assert.equal(plainText('See [the plan](https://example.com/plan), and [https://e.x/](https://e.x/).'), 'See the plan (https://example.com/plan), and https://e.x/.');
    assert.equal(plainText('[a \\[b\\]](mailto:o@e.x)'), 'a [b] (mailto:o@e.x)');
  });
});
