// A legacy source into pchat, measured as a user runs it: `pchat import <kind>:<dir> --yes
// --create-users` into a new SQLite database, one command, the real CLI in its own child process
// under /usr/bin/time (throughput: messages over its wall time; peak RSS its /usr/bin/time %M).
// Beside it, informative, the audited path the migration guide recommends: `pchat export --from
// <kind>:<dir>` then `pchat import` of its archive into another new database, over the two
// commands' wall time together. Shared by the benches of the sources that read a directory
// (irc-logs-import, slack-import).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { measureInTurn, NODE_ARGS, sizeLabel, timedPchat } from './cliRun.js';
import { tempDir } from './fixture.js';
import { nowMs, progress, report, round, type Target } from './report.js';

const TARGETS = { msgsPerS: 100_000, rssMiB: 256 };

export interface SourceImportBench {
  /** The benchmark's name (bench/<name>.ts). */
  readonly name: string;
  /** The source kind, as in `<kind>:<location>`. */
  readonly kind: string;
  /** What a size counts (`lines`, `messages`), and the environment variable that sets the sizes. */
  readonly unit: string;
  readonly env: string;
  /** A second column of the table: its heading and its value per size (e.g. events, messages). */
  readonly column: string;
  /** Writes the source's data for one size into `dir`: how many messages it holds, and the second column's value. */
  generate(dir: string, size: number): Promise<{ messages: number; column: number; said: string }>;
  /** What the data is like, for the report. */
  readonly data: string;
}

interface SizeResult {
  size: number;
  messages: number;
  column: number;
  generateS: number;
  /** `pchat import <kind>:<dir>`: the figure measured against the targets. */
  directS: number;
  msgsPerS: number;
  directRssMiB: number;
  /** Export, then import of the archive: informative. */
  exportS: number;
  importS: number;
  viaArchiveMsgsPerS: number;
  exportRssMiB: number;
  importRssMiB: number;
  archiveMiB: number;
}

/** Checks an import's --json answer: no error, and every message added. */
function checkImported(stdout: string, messages: number, what: string): void {
  const outcome = JSON.parse(stdout) as { errors: number; result: { messagesAdded: number } | null };
  if (outcome.errors !== 0 || outcome.result?.messagesAdded !== messages) throw new Error(`${what} did not add ${messages} messages: ${stdout.slice(0, 2000)}`);
}

function sizes(b: SourceImportBench): number[] {
  const arg = process.argv.slice(2).join(',') || process.env[b.env] || '1000000';
  const list = arg.split(/[,\s]+/).filter(Boolean).map(Number);
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bad ${b.unit} counts "${arg}": e.g. ${b.env}=1000000`);
  return list;
}

async function measure(b: SourceImportBench, size: number): Promise<SizeResult> {
  const log = progress(b.name);
  const data = tempDir(`${b.name}-${size}`);
  try {
    const dir = join(data.dir, 'source');
    const archive = join(data.dir, 'source.zip');
    log(`generating ${size.toLocaleString('en')} ${b.unit}`);
    const g0 = nowMs();
    const made = await b.generate(dir, size);
    const generateS = (nowMs() - g0) / 1000;
    log(`generated ${made.said} in ${generateS.toFixed(1)} s`);

    const direct = await timedPchat(['--data-dir', join(data.dir, 'target-direct'), 'import', `${b.kind}:${dir}`, '--yes', '--create-users'], join(data.dir, 'rss-direct'));
    checkImported(direct.stdout, made.messages, `import ${b.kind}:<dir>`);
    log(`  import ${b.kind}:<dir>: ${direct.seconds.toFixed(1)} s, peak RSS ${direct.maxRssMiB.toFixed(0)} MiB`);

    const exp = await timedPchat(['export', '--from', `${b.kind}:${dir}`, '--out', archive], join(data.dir, 'rss-export'));
    const out = JSON.parse(exp.stdout) as { manifest: { files: Record<string, { records: number }> }; errors: number };
    const written = out.manifest.files['messages.ndjson']?.records;
    if (written !== made.messages) throw new Error(`export wrote ${written} messages, not ${made.messages}`);
    log(`  export: ${exp.seconds.toFixed(1)} s, peak RSS ${exp.maxRssMiB.toFixed(0)} MiB`);
    const imp = await timedPchat(['--data-dir', join(data.dir, 'target-archive'), 'import', archive, '--yes', '--create-users'], join(data.dir, 'rss-import'));
    checkImported(imp.stdout, made.messages, 'import of the archive');
    log(`  import of the archive: ${imp.seconds.toFixed(1)} s, peak RSS ${imp.maxRssMiB.toFixed(0)} MiB`);
    return {
      size,
      messages: made.messages,
      column: made.column,
      generateS,
      directS: direct.seconds,
      msgsPerS: made.messages / direct.seconds,
      directRssMiB: direct.maxRssMiB,
      exportS: exp.seconds,
      importS: imp.seconds,
      viaArchiveMsgsPerS: made.messages / (exp.seconds + imp.seconds),
      exportRssMiB: exp.maxRssMiB,
      importRssMiB: imp.maxRssMiB,
      archiveMiB: statSync(archive).size / 2 ** 20,
    };
  } finally {
    data.remove();
  }
}

/** Measures each size in turn, prints the table and writes the report. */
export async function runSourceImportBench(b: SourceImportBench): Promise<void> {
  const results = await measureInTurn(sizes(b), (size) => measure(b, size));
  const table = new Table({
    head: [b.unit, b.column, 'import s', 'msgs/s', 'target', 'peak RSS MiB', 'target', 'export + import s', 'via archive msgs/s', 'peak RSS MiB'],
    style: { head: [], border: [] },
  });
  const figures: Record<string, string | number> = {};
  const targets: Target[] = [];
  for (const r of results) {
    const size = `${sizeLabel(r.size)} ${b.unit}`;
    const archiveRss = Math.max(r.exportRssMiB, r.importRssMiB);
    table.push([
      sizeLabel(r.size),
      r.column.toLocaleString('en'),
      r.directS.toFixed(1),
      Math.round(r.msgsPerS).toLocaleString('en'),
      `≥ ${TARGETS.msgsPerS.toLocaleString('en')}`,
      r.directRssMiB.toFixed(0),
      `≤ ${TARGETS.rssMiB}`,
      `${r.exportS.toFixed(1)} + ${r.importS.toFixed(1)}`,
      Math.round(r.viaArchiveMsgsPerS).toLocaleString('en'),
      archiveRss.toFixed(0),
    ]);
    targets.push({ metric: `${size}: msgs/s`, value: r.msgsPerS, op: '>=', target: TARGETS.msgsPerS, unit: 'msgs/s' });
    targets.push({ metric: `${size}: peak RSS`, value: r.directRssMiB, op: '<=', target: TARGETS.rssMiB, unit: 'MiB' });
    figures[`${size}: direct import msgs/s / s / peak RSS MiB`] = `${Math.round(r.msgsPerS)} / ${round(r.directS, 1)} / ${round(r.directRssMiB, 0)}`;
    figures[`${size}: via archive msgs/s / export s / import s`] = `${Math.round(r.viaArchiveMsgsPerS)} / ${round(r.exportS, 1)} / ${round(r.importS, 1)}`;
    figures[`${size}: via archive peak RSS export / import (MiB)`] = `${round(r.exportRssMiB, 0)} / ${round(r.importRssMiB, 0)}`;
  }
  console.log(table.toString());
  report({
    name: b.name,
    figures,
    targets,
    notes: [
      `msgs/s = messages / wall time of \`pchat import ${b.kind}:<dir> --yes --create-users\` into a new SQLite database; peak RSS = its /usr/bin/time %M. Both against the targets.`,
      `via archive (informative, the audited path): messages / (wall time of \`pchat export --from ${b.kind}:<dir>\` + wall time of \`pchat import --yes --create-users\` of its archive into another new database); peak RSS the larger of the two.`,
      b.data,
    ],
    details: { results, nodeArgs: NODE_ARGS },
  });
}
