// Runs every compiled test file with node's test runner (Node 20 has no --test globs).
// Usage: node scripts/run-tests.mjs [filter]   e.g. `npm test -- websocket` runs files whose path contains it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dist/test';
const filter = process.argv[2];
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js') && (!filter || f.includes(filter)))
  .map((f) => join(root, f))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under ${root}${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
// The spec reporter ends with the failing tests and their errors, so the tail of a long log
// (all a CI page may keep) says what failed.
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
