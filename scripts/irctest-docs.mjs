// Rewrites the list of deselected irctest tests in docs/irc.md from test/irctest/deselected.txt
// (the one list; test/irctest/deselected.test.ts checks the two agree). Usage: node scripts/irctest-docs.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { readDeselected } from './irctest-list.mjs';

const START = '<!-- deselected:start -->';
const END = '<!-- deselected:end -->';
const { rows, notes } = readDeselected('test/irctest/deselected.txt');
const table =
  rows.length === 0
    ? 'None.'
    : [...notes.map((note) => `- ${note}`), '', '| test | why pchat does not pass it |', '|---|---|', ...rows.map((r) => `| \`${r.id}\` | ${r.reason.replace(/\|/g, '\\|')} |`)].join('\n');
const docs = readFileSync('docs/irc.md', 'utf8');
const from = docs.indexOf(START);
const to = docs.indexOf(END);
if (from < 0 || to < from) throw new Error(`docs/irc.md has no ${START} … ${END} block`);
writeFileSync('docs/irc.md', `${docs.slice(0, from + START.length)}\n${table}\n${docs.slice(to)}`);
console.log(`docs/irc.md: ${rows.length} deselected tests listed`);
