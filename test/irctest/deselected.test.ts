import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** From dist/test/irctest/ back to the package root. */
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** The deselection list: `<test id>  # <reason>` per line, blank lines and comments aside. */
function deselections(): { id: string; reason: string; line: number }[] {
  return readFileSync(root('test/irctest/deselected.txt'), 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'))
    .map(({ text, line }) => {
      const hash = text.indexOf('#', text.indexOf('::'));
      return { id: (hash < 0 ? text : text.slice(0, hash)).trim(), reason: hash < 0 ? '' : text.slice(hash + 1).trim(), line };
    });
}

describe('the irctest deselection list', () => {
  it('names each test once, by a full test id, with a reason', () => {
    const seen = new Set<string>();
    for (const { id, reason, line } of deselections()) {
      assert.match(id, /^irctest\/server_tests\/\S+\.py::\w+::\w+(\[[^\]]*\])?$/, `line ${line}: a pytest test id`);
      assert.ok(reason.length >= 10, `line ${line}: ${id} needs a reason`);
      assert.ok(!seen.has(id), `line ${line}: ${id} is listed twice`);
      seen.add(id);
    }
  });

  it('is repeated in docs/irc.md, reason and all', () => {
    const docs = readFileSync(root('docs/irc.md'), 'utf8');
    const block = docs.slice(docs.indexOf('<!-- deselected:start -->'), docs.indexOf('<!-- deselected:end -->'));
    assert.ok(block.length > 0, 'docs/irc.md has the deselected block');
    for (const { id, reason } of deselections()) {
      assert.ok(block.includes(`\`${id}\``), `docs/irc.md lists ${id}`);
      assert.ok(block.includes(reason), `docs/irc.md gives the reason for ${id}`);
    }
  });
});
