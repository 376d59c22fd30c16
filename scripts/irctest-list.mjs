// The irctest deselection list (test/irctest/deselected.txt), parsed once for everyone who reads it:
// scripts/irctest-docs.mjs (the table in docs/irc.md) and test/irctest/deselected.test.ts.
// A row is `<test id>  # <reason>`; comment lines after the file's two header lines are notes
// the reasons refer to ("see above"). scripts/irctest.sh reads only the ids, in bash.
import { readFileSync } from 'node:fs';

/** @returns {{ rows: { id: string, reason: string, line: number }[], notes: string[] }} */
export function readDeselected(path) {
  const lines = readFileSync(path, 'utf8').split('\n').map((line) => line.trim());
  const notes = lines.filter((line) => line.startsWith('#')).slice(2).map((line) => line.replace(/^#\s*/, ''));
  const rows = [];
  lines.forEach((text, i) => {
    if (text === '' || text.startsWith('#')) return;
    const hash = text.indexOf('#', text.indexOf('::'));
    rows.push({ id: (hash < 0 ? text : text.slice(0, hash)).trim(), reason: hash < 0 ? '' : text.slice(hash + 1).trim(), line: i + 1 });
  });
  return { rows, notes };
}
