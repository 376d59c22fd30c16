// Runs the compiled benchmarks (dist/bench/*.js), each in its own child process so that memory
// figures are clean, then prints a summary table from bench/results/<name>.json.
// Usage: node scripts/run-bench.mjs [name ...]   e.g. `npm run bench -- search` runs one.
// Benchmarks only measure and report PASS/MISS against their targets; a MISS does not fail
// this script, a crashed benchmark does.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';

const root = 'dist/bench';
const ORDER = ['post-throughput', 'delivery-latency', 'history-page', 'search', 'idle-connections'];

if (!existsSync(root)) {
  console.error(`no compiled benchmarks under ${root}: run \`npm run build\` first (npm run bench does).`);
  process.exit(1);
}
const available = readdirSync(root)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(1);
}
const names = wanted.length > 0 ? available.filter((n) => wanted.includes(n)) : available;

const started = Date.now();
const runs = [];
for (const name of names) {
  const resultFile = join('bench', 'results', `${name}.json`);
  rmSync(resultFile, { force: true });
  console.log(`\n>>> ${name}`);
  const t0 = Date.now();
  const child = spawnSync(process.execPath, [join(root, `${name}.js`)], { stdio: 'inherit' });
  const seconds = (Date.now() - t0) / 1000;
  const result = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : null;
  runs.push({ name, seconds, status: child.status, signal: child.signal, result });
}

const shown = (v) => (Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(2))));
const table = new Table({ head: ['benchmark', 'measure', 'measured', 'target', 'result', 'time', 'others'], style: { head: [], border: [] } });
let crashed = 0;
for (const run of runs) {
  const time = `${run.seconds.toFixed(0)} s`;
  if (run.status !== 0 || !run.result) {
    crashed++;
    table.push([run.name, '', '', '', `FAILED (${run.signal ?? `exit ${run.status}`})`, time, '']);
    continue;
  }
  for (const [i, t] of run.result.targets.entries()) {
    const others = run.result.machine?.otherProcessesCores;
    table.push([
      i === 0 ? run.name : '',
      t.metric,
      `${shown(t.value)} ${t.unit}`,
      `${t.op} ${t.target} ${t.unit}`,
      t.pass ? 'PASS' : 'MISS',
      i === 0 ? time : '',
      i === 0 && typeof others === 'number' ? `${others} cores` : '',
    ]);
  }
}
console.log(`\nSummary (${new Date().toISOString()}, ${runs[0]?.result?.machine?.cpus ?? '?'} cores, ${process.version}):`);
console.log(table.toString());
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s; results in bench/results/*.json`);
console.log('"others": average cores used by other processes during the benchmark; above ~0.15 the figures are disturbed (rerun on a quiet machine).');
process.exit(crashed > 0 ? 1 : 0);
