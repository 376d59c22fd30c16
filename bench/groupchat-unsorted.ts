// groupchat-unsorted: `pchat export` and `pchat verify` from a Group Chat dump whose tblChat is in
// key order (as the documented query writes it) and from the same rows in a pseudo-random order
// (a `bcp` of the table as the server reads it), side by side, at 1,000,000 and 10,000,000
// messages (PCHAT_BENCH_SIZES=1000000 for one size, or sizes as arguments). The real CLI in its
// own child process under /usr/bin/time; throughput is messages over the command's wall time.
// Verify compares each dump with a database imported from the sorted dump's export (not timed).
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { writeBenchDump } from './lib/groupchatDump.js';
import { benchSizes, measureInTurn, NODE_ARGS, sizeLabel, timedPchat } from './lib/cliRun.js';
import { tempDir } from './lib/fixture.js';
import { nowMs, progress, report, round, type Target } from './lib/report.js';

const NAME = 'groupchat-unsorted';
const SIZES = benchSizes();
const TARGETS = { msgsPerS: 200_000, rssMiB: 256 };
const ROOMS = 100;
const ORDERS = ['sorted', 'shuffled'] as const;
type Order = (typeof ORDERS)[number];
const log = progress(NAME);

interface Run {
  seconds: number;
  msgsPerS: number;
  maxRssMiB: number;
}

interface SizeResult {
  messages: number;
  dumpMiB: number;
  importS: number;
  byOrder: Record<Order, { export: Run; verify: Run }>;
}

const run = (messages: number, r: { seconds: number; maxRssMiB: number }): Run => ({ seconds: r.seconds, msgsPerS: messages / r.seconds, maxRssMiB: r.maxRssMiB });

async function measure(messages: number): Promise<SizeResult> {
  const data = tempDir(`${NAME}-${messages}`);
  try {
    const rss = join(data.dir, 'rss');
    // The CLI's temporary files (the sorted runs) go here, to check that nothing is left behind.
    const tmp = join(data.dir, 'tmp');
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    const dumps = {} as Record<Order, string>;
    for (const order of ORDERS) {
      dumps[order] = join(data.dir, `dump-${order}`);
      log(`generating a ${order} dump of ${messages.toLocaleString('en')} messages in ${ROOMS} rooms`);
      await writeBenchDump(dumps[order], messages, { rooms: ROOMS, order });
    }
    const dumpMiB = statSync(join(dumps.sorted, 'tblChat.csv')).size / 2 ** 20;

    const exports = {} as Record<Order, Run>;
    const digests: string[] = [];
    for (const order of ORDERS) {
      const archive = join(data.dir, `${order}.zip`);
      const r = await timedPchat(['export', '--from', `groupchat-db:${dumps[order]}`, '--out', archive], rss, undefined, env);
      const out = JSON.parse(r.stdout) as { manifest: { files: Record<string, { records: number; sha256: string }> }; errors: number };
      const entry = out.manifest.files['messages.ndjson'];
      if (entry?.records !== messages) throw new Error(`export (${order}) wrote ${entry?.records} messages, not ${messages}`);
      if (out.errors !== 0) throw new Error(`the export (${order}) reported ${out.errors} errors in the dump`);
      digests.push(entry.sha256);
      const left = readdirSync(tmp);
      if (left.length > 0) throw new Error(`export (${order}) left ${left.join(', ')} in its temp directory`);
      exports[order] = run(messages, r);
      log(`  export ${order}: ${r.seconds.toFixed(1)} s, ${Math.round(messages / r.seconds).toLocaleString('en')} msgs/s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    }
    if (new Set(digests).size !== 1) throw new Error('the sorted and the shuffled dump exported different messages');

    const dataDir = join(data.dir, 'data');
    const i0 = nowMs();
    log(`importing the sorted export into SQLite (not measured)`);
    await timedPchat(['--data-dir', dataDir, 'import', join(data.dir, 'sorted.zip'), '--yes'], rss);
    const importS = (nowMs() - i0) / 1000;

    const verifies = {} as Record<Order, Run>;
    for (const order of ORDERS) {
      const r = await timedPchat(['verify', '--source', `groupchat-db:${dumps[order]}`, '--target', join(dataDir, 'pchat.db')], rss, undefined, env);
      const result = JSON.parse(r.stdout) as { ok: boolean; compared: Record<string, number> };
      if (!result.ok || result.compared.message !== messages) throw new Error(`verify (${order}) found differences: ${r.stdout.slice(0, 2000)}`);
      const left = readdirSync(tmp);
      if (left.length > 0) throw new Error(`verify (${order}) left ${left.join(', ')} in its temp directory`);
      verifies[order] = run(messages, r);
      log(`  verify ${order}: ${r.seconds.toFixed(1)} s, ${Math.round(messages / r.seconds).toLocaleString('en')} msgs/s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    }
    return {
      messages,
      dumpMiB,
      importS,
      byOrder: { sorted: { export: exports.sorted, verify: verifies.sorted }, shuffled: { export: exports.shuffled, verify: verifies.shuffled } },
    };
  } finally {
    data.remove();
  }
}

async function main(): Promise<void> {
  const results = await measureInTurn(SIZES, measure);
  const table = new Table({
    head: ['messages', 'tblChat', 'export s', 'msgs/s', 'peak RSS MiB', 'verify s', 'msgs/s', 'peak RSS MiB'],
    style: { head: [], border: [] },
  });
  const figures: Record<string, string | number> = {};
  const targets: Target[] = [];
  for (const r of results) {
    const size = sizeLabel(r.messages);
    for (const order of ORDERS) {
      const { export: e, verify: v } = r.byOrder[order];
      table.push([size, order, e.seconds.toFixed(1), Math.round(e.msgsPerS).toLocaleString('en'), e.maxRssMiB.toFixed(0), v.seconds.toFixed(1), Math.round(v.msgsPerS).toLocaleString('en'), v.maxRssMiB.toFixed(0)]);
      for (const [op, m] of [['export', e], ['verify', v]] as const) {
        targets.push({ metric: `${op} ${size} ${order}: msgs/s`, value: m.msgsPerS, op: '>=', target: TARGETS.msgsPerS, unit: 'msgs/s' });
        targets.push({ metric: `${op} ${size} ${order}: peak RSS`, value: m.maxRssMiB, op: '<=', target: TARGETS.rssMiB, unit: 'MiB' });
      }
      figures[`${size} ${order}: export / verify msgs/s`] = `${Math.round(e.msgsPerS)} / ${Math.round(v.msgsPerS)}`;
      figures[`${size} ${order}: export / verify peak RSS MiB`] = `${round(e.maxRssMiB, 0)} / ${round(v.maxRssMiB, 0)}`;
    }
    figures[`${size}: tblChat MiB / import of the sorted export s (not a target)`] = `${round(r.dumpMiB, 0)} / ${round(r.importS, 1)}`;
  }
  console.log(table.toString());
  console.log(`targets: ≥ ${TARGETS.msgsPerS.toLocaleString('en')} msgs/s and ≤ ${TARGETS.rssMiB} MiB peak RSS for each command`);
  report({
    name: NAME,
    figures,
    targets,
    notes: [
      'msgs/s = messages / wall time of the whole CLI process (node start, reading every table, the order check, the external sort when the table is not in order, converting, writing the archive or comparing); peak RSS = /usr/bin/time %M of that process.',
      `dump: the sample's directory tables and a tblChat of N rows over ${ROOMS} rooms, UTF-8 CSV, every 50th message quoted with a comma and a line break; "sorted" in (channelId, chatId) order, "shuffled" the same rows in a pseudo-random permutation. Generation is not measured.`,
      'verify compares each dump with a SQLite database imported (--yes) from the sorted dump\'s export; the benchmark checks that both exports hold the same messages, that verify finds no difference, and that no temporary file is left.',
    ],
    details: { sizes: SIZES, results, nodeArgs: NODE_ARGS },
  });
}

await main();
