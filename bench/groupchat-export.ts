// groupchat-export: `pchat export --from groupchat-db:<dir>` on generated Group Chat dumps of
// 1,000,000 and 10,000,000 messages (PCHAT_BENCH_SIZES=1000000 for one size, or sizes as
// arguments; PCHAT_BENCH_GC_FORMAT=tsv16 for a UTF-16LE bcp -w dump). The real CLI in its own
// child process under /usr/bin/time; throughput is messages over the command's wall time.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { writeBenchDump } from './lib/groupchatDump.js';
import { benchSizes, measureInTurn, NODE_ARGS, sizeLabel, timedPchat } from './lib/cliRun.js';
import { tempDir } from './lib/fixture.js';
import { nowMs, progress, report, round, type Target } from './lib/report.js';

const NAME = 'groupchat-export';
const SIZES = benchSizes();
const FORMAT = process.env.PCHAT_BENCH_GC_FORMAT === 'tsv16' ? 'tsv16' : 'csv';
const TARGETS = { msgsPerS: 200_000, rssMiB: 256 };
const ROOMS = 100;
const log = progress(NAME);

interface SizeResult {
  messages: number;
  dumpMiB: number;
  generateS: number;
  seconds: number;
  msgsPerS: number;
  maxRssMiB: number;
  archiveMiB: number;
}

const pchat = (args: string[], rssFile: string) => timedPchat(args, rssFile);

async function measure(messages: number): Promise<SizeResult> {
  const data = tempDir(`${NAME}-${messages}`);
  try {
    const dump = join(data.dir, 'dump');
    const archive = join(data.dir, 'legacy.zip');
    log(`generating a ${FORMAT} dump of ${messages.toLocaleString('en')} messages in ${ROOMS} rooms`);
    const g0 = nowMs();
    await writeBenchDump(dump, messages, { rooms: ROOMS, format: FORMAT });
    const generateS = (nowMs() - g0) / 1000;
    const dumpMiB = statSync(join(dump, `tblChat.${FORMAT === 'tsv16' ? 'tsv' : 'csv'}`)).size / 2 ** 20;
    log(`generated tblChat of ${round(dumpMiB, 0)} MiB in ${generateS.toFixed(1)} s`);

    const run = await pchat(['export', '--from', `groupchat-db:${dump}`, '--out', archive], join(data.dir, 'rss'));
    const out = JSON.parse(run.stdout) as { manifest: { files: Record<string, { records: number }> }; errors: number };
    const written = out.manifest.files['messages.ndjson']?.records;
    if (written !== messages) throw new Error(`export wrote ${written} messages, not ${messages}`);
    if (out.errors !== 0) throw new Error(`the export reported ${out.errors} errors in the dump`);
    log(`  export: ${run.seconds.toFixed(1)} s, ${Math.round(messages / run.seconds).toLocaleString('en')} msgs/s, peak RSS ${run.maxRssMiB.toFixed(0)} MiB`);
    return { messages, dumpMiB, generateS, seconds: run.seconds, msgsPerS: messages / run.seconds, maxRssMiB: run.maxRssMiB, archiveMiB: statSync(archive).size / 2 ** 20 };
  } finally {
    data.remove();
  }
}

async function main(): Promise<void> {
  const results = await measureInTurn(SIZES, measure);
  const size = sizeLabel;
  const table = new Table({ head: ['messages', 'dump MiB', 'wall s', 'msgs/s', 'target', 'peak RSS MiB', 'target'], style: { head: [], border: [] } });
  const figures: Record<string, string | number> = {};
  const targets: Target[] = [];
  for (const r of results) {
    table.push([size(r.messages), r.dumpMiB.toFixed(0), r.seconds.toFixed(1), Math.round(r.msgsPerS).toLocaleString('en'), `≥ ${TARGETS.msgsPerS.toLocaleString('en')}`, r.maxRssMiB.toFixed(0), `≤ ${TARGETS.rssMiB}`]);
    targets.push({ metric: `export ${size(r.messages)}: msgs/s`, value: r.msgsPerS, op: '>=', target: TARGETS.msgsPerS, unit: 'msgs/s' });
    targets.push({ metric: `export ${size(r.messages)}: peak RSS`, value: r.maxRssMiB, op: '<=', target: TARGETS.rssMiB, unit: 'MiB' });
    figures[`${size(r.messages)}: msgs/s / peak RSS MiB / seconds`] = `${Math.round(r.msgsPerS)} / ${round(r.maxRssMiB, 0)} / ${round(r.seconds, 1)}`;
    figures[`${size(r.messages)}: tblChat / archive (MiB)`] = `${round(r.dumpMiB, 0)} / ${round(r.archiveMiB, 0)}`;
  }
  console.log(table.toString());
  report({
    name: NAME,
    figures,
    targets,
    notes: [
      'msgs/s = messages / wall time of the whole CLI process (node start, reading every table, converting, writing the archive); peak RSS = /usr/bin/time %M of that process.',
      `dump: the sample's directory tables and a tblChat of N rows over ${ROOMS} rooms, sorted as the documented query writes it, ${FORMAT === 'tsv16' ? 'UTF-16LE TSV (bcp -w)' : 'UTF-8 CSV'}; every 50th message quoted with a comma and a line break; generation is not measured.`,
    ],
    details: { sizes: SIZES, format: FORMAT, results, nodeArgs: NODE_ARGS },
  });
}

await main();
