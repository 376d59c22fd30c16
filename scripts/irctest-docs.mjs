// Rewrites the list of deselected irctest tests in docs/irc.md from test/irctest/deselected.txt
// (the one list; test/irctest/deselected.test.ts checks the two agree). Usage: node scripts/irctest-docs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- deselected:start -->';
const END = '<!-- deselected:end -->';
const lines = readFileSync('test/irctest/deselected.txt', 'utf8')
  .split('\n')
  .map((line) => line.trim());
// The file's comments after its two header lines explain the reasons the rows refer to ("see above").
const notes = lines.filter((line) => line.startsWith('#')).slice(2).map((line) => `- ${line.replace(/^#\s*/, '')}`);
const rows = lines
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const hash = line.indexOf('#', line.indexOf('::'));
    return { id: line.slice(0, hash).trim(), reason: line.slice(hash + 1).trim() };
  });
const table = rows.length === 0 ? 'None.' : [...notes, '', '| test | why pchat does not pass it |', '|---|---|', ...rows.map((r) => `| \`${r.id}\` | ${r.reason.replace(/\|/g, '\\|')} |`)].join('\n');
const docs = readFileSync('docs/irc.md', 'utf8');
const from = docs.indexOf(START);
const to = docs.indexOf(END);
if (from < 0 || to < from) throw new Error(`docs/irc.md has no ${START} … ${END} block`);
writeFileSync('docs/irc.md', `${docs.slice(0, from + START.length)}\n${table}\n${docs.slice(to)}`);
console.log(`docs/irc.md: ${rows.length} deselected tests listed`);
