// interchange: `pchat import`, `pchat export` and `pchat verify` on generated archives of
// 1,000,000 and 10,000,000 messages (PCHAT_BENCH_SIZES=1000000 for a quick run, or sizes as
// arguments; PCHAT_BENCH_OPS=import for the import alone). Each command is the real CLI in its own
// child process, under /usr/bin/time for its peak RSS; throughput is messages over the command's
// wall time.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { writeArchive } from '../src/interchange/archive/writer.js';
import { generatedSource } from './lib/archiveGen.js';
import { benchSizes, measureInTurn, NODE_ARGS, sizeLabel, timedPchat } from './lib/cliRun.js';
import { tempDir } from './lib/fixture.js';
import { nowMs, progress, report, round, type Target } from './lib/report.js';

const NAME = 'interchange';
const SIZES = benchSizes();
const TARGETS = { import: 100_000, export: 200_000, verify: 200_000, rssMiB: 256 };
const OPERATIONS = ['import', 'export', 'verify'] as const;
type Operation = (typeof OPERATIONS)[number];
/** Which commands to measure (the import always runs: export and verify need its database). */
const OPS = new Set((process.env.PCHAT_BENCH_OPS ?? OPERATIONS.join(',')).split(/[,\s]+/).filter(Boolean));
for (const op of OPS) if (!OPERATIONS.includes(op as Operation)) throw new Error(`bad PCHAT_BENCH_OPS "${op}": give some of ${OPERATIONS.join(', ')}`);
/** How the import writes: `bulk` (the default with --yes: one transaction, checking and writing overlapped) or `batched` (--batched). */
const IMPORT_MODE = process.env.PCHAT_BENCH_IMPORT_MODE === 'batched' ? 'batched' : 'bulk';
const log = progress(NAME);

interface ProgressLine {
  readonly progress: string;
  readonly done: number;
  readonly perSecond: number;
  readonly finished?: boolean;
  /** ms since the command started, when the line arrived. */
  readonly atMs: number;
}

interface CliRun {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly progress: ProgressLine[];
  readonly stdout: string;
}

/** Runs the CLI (see timedPchat), collecting its JSON progress lines with their arrival times. */
async function pchat(args: string[], rssFile: string): Promise<CliRun> {
  const lines: ProgressLine[] = [];
  const run = await timedPchat(args, rssFile, (line, atMs) => {
    try {
      const parsed = JSON.parse(line) as Omit<ProgressLine, 'atMs'>;
      if (typeof parsed.progress !== 'string') return false;
      lines.push({ ...parsed, atMs });
      if (parsed.finished) log(`  ${parsed.progress}: ${parsed.done.toLocaleString('en')} done, ${parsed.perSecond.toLocaleString('en')}/s`);
      return true;
    } catch {
      return false; // not a progress line
    }
  });
  return { ...run, progress: lines };
}

const finishedLine = (run: CliRun, phase: string) => run.progress.find((l) => l.progress === phase && l.finished);

interface SizeResult {
  messages: number;
  archiveMiB: number;
  databaseMiB: number;
  generateS: number;
  import: { seconds: number; msgsPerS: number; checkS: number; writeS: number; writeMsgsPerS: number; maxRssMiB: number };
  export: { seconds: number; msgsPerS: number; maxRssMiB: number; archiveMiB: number } | null;
  verify: { seconds: number; msgsPerS: number; maxRssMiB: number; ok: boolean } | null;
  largestRoom: number;
}

async function measure(messages: number): Promise<SizeResult> {
  const data = tempDir(`${NAME}-${messages}`);
  try {
    const archive = join(data.dir, 'generated.zip');
    const dataDir = join(data.dir, 'data');
    const exported = join(data.dir, 'exported.zip');
    const rss = join(data.dir, 'rss');
    const { source, shape } = generatedSource(messages);
    log(`generating ${messages.toLocaleString('en')} messages (${shape.users} users, ${shape.rooms} rooms, largest ${shape.roomSizes[0]!.toLocaleString('en')})`);
    const g0 = nowMs();
    let written = 0;
    await writeArchive(archive, source, { level: 'all', scope: [], startDate: null, disableExported: false }, {
      onRecord: (type) => {
        if (type === 'messages' && ++written % 1_000_000 === 0) log(`  generated ${written.toLocaleString('en')}`);
      },
    });
    const generateS = (nowMs() - g0) / 1000;
    const archiveMiB = statSync(archive).size / 2 ** 20;
    log(`generated ${round(archiveMiB, 0)} MiB in ${generateS.toFixed(1)} s`);

    log(`import ${messages.toLocaleString('en')}`);
    const imp = await pchat(['--data-dir', dataDir, 'import', archive, '--yes', ...(IMPORT_MODE === 'batched' ? ['--batched'] : [])], rss);
    const outcome = JSON.parse(imp.stdout) as { errors: number; result: { messagesAdded: number } | null; written?: string };
    if (outcome.errors !== 0 || outcome.result?.messagesAdded !== messages) throw new Error(`import did not add ${messages} messages: ${imp.stdout.slice(0, 2000)}`);
    const expected = IMPORT_MODE === 'batched' ? 'batches' : 'bulk';
    if (outcome.written !== expected) throw new Error(`the import was written as "${outcome.written}", not "${expected}"`);
    const check = finishedLine(imp, 'check');
    const write = finishedLine(imp, 'import');
    if (!check || !write) throw new Error('import printed no finished check/import progress lines');
    // Batched: the check pass reads the whole archive, then the write pass runs to the end of the
    // import phase. Bulk: "check" is only the directory's; the import phase checks and writes the
    // messages at once.
    const writeS = (write.atMs - check.atMs) / 1000;
    const databaseMiB = ['pchat.db', 'pchat.db-wal'].map((f) => join(dataDir, f)).filter(existsSync).reduce((n, f) => n + statSync(f).size, 0) / 2 ** 20;
    log(`  import: ${imp.seconds.toFixed(1)} s (check ${(check.atMs / 1000).toFixed(1)} s, write ${writeS.toFixed(1)} s), peak RSS ${imp.maxRssMiB.toFixed(0)} MiB, database ${databaseMiB.toFixed(0)} MiB`);

    let exp: CliRun | null = null;
    if (OPS.has('export')) {
      log(`export ${messages.toLocaleString('en')}`);
      exp = await pchat(['--data-dir', dataDir, 'export', '--out', exported], rss);
      const manifest = (JSON.parse(exp.stdout) as { manifest: { files: Record<string, { records: number }> } }).manifest;
      if (manifest.files['messages.ndjson']?.records !== messages) throw new Error(`export wrote ${manifest.files['messages.ndjson']?.records} messages, not ${messages}`);
      log(`  export: ${exp.seconds.toFixed(1)} s, peak RSS ${exp.maxRssMiB.toFixed(0)} MiB`);
    }

    let ver: CliRun | null = null;
    let verified = { ok: false };
    if (OPS.has('verify')) {
      log(`verify ${messages.toLocaleString('en')}`);
      ver = await pchat(['verify', '--source', archive, '--target', join(dataDir, 'pchat.db')], rss);
      const result = JSON.parse(ver.stdout) as { ok: boolean; compared: Record<string, number> };
      if (!result.ok || result.compared.message !== messages) throw new Error(`verify found differences: ${ver.stdout.slice(0, 2000)}`);
      verified = result;
      log(`  verify: ${ver.seconds.toFixed(1)} s, peak RSS ${ver.maxRssMiB.toFixed(0)} MiB`);
    }

    return {
      messages,
      archiveMiB,
      databaseMiB,
      generateS,
      largestRoom: shape.roomSizes[0]!,
      import: { seconds: imp.seconds, msgsPerS: messages / imp.seconds, checkS: check.atMs / 1000, writeS, writeMsgsPerS: messages / writeS, maxRssMiB: imp.maxRssMiB },
      export: exp && { seconds: exp.seconds, msgsPerS: messages / exp.seconds, maxRssMiB: exp.maxRssMiB, archiveMiB: statSync(exported).size / 2 ** 20 },
      verify: ver && { seconds: ver.seconds, msgsPerS: messages / ver.seconds, maxRssMiB: ver.maxRssMiB, ok: verified.ok },
    };
  } finally {
    data.remove();
  }
}

async function main(): Promise<void> {
  const results = await measureInTurn(SIZES, measure);

  const table = new Table({ head: ['messages', 'operation', 'wall s', 'msgs/s', 'target', 'peak RSS MiB', 'target'], style: { head: [], border: [] } });
  const figures: Record<string, string | number> = {};
  const targets: Target[] = [];
  const size = sizeLabel;
  for (const r of results) {
    const ops = [
      ['import', r.import, TARGETS.import],
      ['export', r.export, TARGETS.export],
      ['verify', r.verify, TARGETS.verify],
    ] as const;
    for (const [op, m, target] of ops) {
      if (!m) continue;
      table.push([size(r.messages), op, m.seconds.toFixed(1), Math.round(m.msgsPerS).toLocaleString('en'), `≥ ${target.toLocaleString('en')}`, m.maxRssMiB.toFixed(0), `≤ ${TARGETS.rssMiB}`]);
      targets.push({ metric: `${op} ${size(r.messages)}: msgs/s`, value: m.msgsPerS, op: '>=', target, unit: 'msgs/s' });
      targets.push({ metric: `${op} ${size(r.messages)}: peak RSS`, value: m.maxRssMiB, op: '<=', target: TARGETS.rssMiB, unit: 'MiB' });
    }
    const phases = IMPORT_MODE === 'batched' ? ['check pass', 'write pass'] : ['directory check', 'messages checked + written'];
    table.push([size(r.messages), `  import: ${phases[0]}`, r.import.checkS.toFixed(1), IMPORT_MODE === 'batched' ? Math.round(r.messages / r.import.checkS).toLocaleString('en') : '', '', '', '']);
    table.push([size(r.messages), `  import: ${phases[1]}`, r.import.writeS.toFixed(1), Math.round(r.import.writeMsgsPerS).toLocaleString('en'), '', '', '']);
    const k = size(r.messages);
    const perS = (m: { msgsPerS: number } | null) => (m ? String(Math.round(m.msgsPerS)) : '-');
    const rssOf = (m: { maxRssMiB: number } | null) => (m ? String(round(m.maxRssMiB, 0)) : '-');
    figures[`${k}: import / export / verify (msgs/s)`] = `${perS(r.import)} / ${perS(r.export)} / ${perS(r.verify)}`;
    figures[`${k}: import (${IMPORT_MODE}) ${IMPORT_MODE === 'batched' ? 'check / write pass' : 'directory check / messages'} (s)`] = `${round(r.import.checkS, 1)} / ${round(r.import.writeS, 1)}`;
    figures[`${k}: peak RSS import / export / verify (MiB)`] = `${rssOf(r.import)} / ${rssOf(r.export)} / ${rssOf(r.verify)}`;
    figures[`${k}: archive / database / re-export (MiB)`] = `${round(r.archiveMiB, 0)} / ${round(r.databaseMiB, 0)} / ${r.export ? round(r.export.archiveMiB, 0) : '-'}`;
  }
  console.log(table.toString());
  report({
    name: NAME,
    figures,
    targets,
    notes: [
      'msgs/s = messages / wall time of the whole CLI process (node start, open, every pass, close); peak RSS = /usr/bin/time %M of that process.',
      IMPORT_MODE === 'batched'
        ? 'import --yes --batched = check pass (reads and validates the whole archive, no writes) + write pass (SQLite, FTS index, batch by batch; synchronous=NORMAL, one fsync at the end), into an empty database.'
        : 'import --yes (bulk) = one transaction: the directory is checked and written, then a worker checks the messages into spool files while this thread copies each closed file into SQLite (FTS index included); synchronous=NORMAL, one fsync at the end; into an empty database. PCHAT_BENCH_IMPORT_MODE=batched measures --batched.',
      'generated data: 300 users, 1,000 rooms with Zipf(1) sizes, texts of 20-300 chars of Zipf words, ~1% stories; generation is not measured.',
    ],
    details: { sizes: SIZES, operations: [...OPS], importMode: IMPORT_MODE, results, nodeArgs: NODE_ARGS },
  });
}

await main();
