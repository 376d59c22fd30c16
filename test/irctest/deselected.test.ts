import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** From dist/test/irctest/ back to the package root. */
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface Deselected {
  rows: { id: string; reason: string; line: number }[];
  notes: string[];
}
/** The one parser of the list (scripts/irctest-list.mjs), which also writes the docs' table. */
const read = async (): Promise<Deselected> => {
  const list = (await import(root('scripts/irctest-list.mjs'))) as { readDeselected(path: string): Deselected };
  return list.readDeselected(root('test/irctest/deselected.txt'));
};

describe('the irctest deselection list', () => {
  it('names each test once, by a full test id, with a reason', async () => {
    const seen = new Set<string>();
    for (const { id, reason, line } of (await read()).rows) {
      assert.match(id, /^irctest\/server_tests\/\S+\.py::\w+::\w+(\[[^\]]*\])?$/, `line ${line}: a pytest test id`);
      assert.ok(reason.length >= 10, `line ${line}: ${id} needs a reason`);
      assert.ok(!seen.has(id), `line ${line}: ${id} is listed twice`);
      seen.add(id);
    }
  });

  it('is repeated in docs/irc.md, exactly: the same tests, with their reasons', async () => {
    const docs = readFileSync(root('docs/irc.md'), 'utf8');
    const block = docs.slice(docs.indexOf('<!-- deselected:start -->'), docs.indexOf('<!-- deselected:end -->'));
    assert.ok(block.length > 0, 'docs/irc.md has the deselected block');
    const { rows } = await read();
    const documented = [...block.matchAll(/^\| `([^`]+)` \| (.*) \|$/gm)].map((m) => ({ id: m[1] ?? '', reason: m[2] ?? '' }));
    assert.deepEqual(
      documented.map((d) => d.id),
      rows.map((r) => r.id),
      'the docs list exactly the deselected tests (run node scripts/irctest-docs.mjs)',
    );
    for (const [i, { reason }] of rows.entries()) assert.equal(documented[i]?.reason.replace(/\\\|/g, '|'), reason);
  });
});
