// migrate-estimate: how close `pchat migrate plan`'s window estimate comes to the real
// `pchat migrate run` on this machine. For each dump (the sample dump, and generated Group Chat
// dumps of 200,000 and 1,000,000 messages, sorted, and 200,000 shuffled: tblChat as real bcp
// output, which the reader sorts), it plans into a fresh target, runs the migration, and
// compares each phase's estimate with the step's measured time (the state file's start and end).
// Cases: PCHAT_BENCH_ESTIMATE_CASES="sample,200000,1000000,200000:shuffled" (the default).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Table from 'cli-table3';
import { writeBenchDump } from './lib/groupchatDump.js';
import { measureInTurn, sizeLabel, timedPchat } from './lib/cliRun.js';
import { tempDir } from './lib/fixture.js';
import { progress, report, ROOT, round, type Target } from './lib/report.js';
import type { MigrationPlan, MigrationState, PhaseSeconds } from '../src/interchange/migrate/types.js';

const NAME = 'migrate-estimate';
const log = progress(NAME);
const CASES = (process.env.PCHAT_BENCH_ESTIMATE_CASES ?? 'sample,200000,1000000,200000:shuffled').split(',').map((c) => c.trim()).filter(Boolean);
/** The bar: within a factor of two either way. */
const FACTOR = 2;
const PHASES: readonly (readonly [keyof PhaseSeconds, string])[] = [['export', 'export'], ['whatIf', 'import-what-if'], ['import', 'import'], ['verify', 'verify']];

interface CaseResult {
  readonly name: string;
  readonly messages: number;
  readonly planSeconds: number;
  readonly runSeconds: number;
  readonly estimate: PhaseSeconds & { total: number };
  readonly actual: PhaseSeconds & { total: number };
}

const stepSeconds = (state: MigrationState, step: string): number => {
  const s = state.steps.find((x) => x.name === step);
  if (!s?.startedAt || !s.finishedAt || s.status !== 'done') throw new Error(`step ${step} did not finish: ${JSON.stringify(s)}`);
  return (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
};

async function measure(spec: string): Promise<CaseResult> {
  const data = tempDir(`${NAME}-${spec.replace(/\W/g, '-')}`);
  try {
    const [size, order] = spec.split(':');
    let dump = resolve(ROOT, 'examples/groupchat-dump');
    if (size !== 'sample') {
      dump = join(data.dir, 'dump');
      log(`generating a ${order ?? 'sorted'} dump of ${Number(size).toLocaleString('en')} messages`);
      await writeBenchDump(dump, Number(size), { rooms: 100, ...(order === 'shuffled' && { order: 'shuffled' as const }) });
    }
    const database = join(data.dir, 'target.db');
    const planFile = join(data.dir, 'migration.json');
    await timedPchat(['pool', 'status', '--database', database], join(data.dir, 'rss'));
    log(`${spec}: migrate plan`);
    const planned = await timedPchat(['migrate', 'plan', '--from', `groupchat-db:${dump}`, '--to', database, '--to-config', join(data.dir, 'pchat.config.json'), '--out', planFile], join(data.dir, 'rss'));
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as MigrationPlan;
    log(`${spec}: migrate run`);
    const run = await timedPchat(['migrate', 'run', '--plan', planFile, '--legacy-stopped', '--yes'], join(data.dir, 'rss'));
    const state = JSON.parse(readFileSync(planFile.replace(/\.json$/, '.state.json'), 'utf8')) as MigrationState;
    const e = plan.estimates.full.seconds;
    const actual = { export: stepSeconds(state, 'export'), whatIf: stepSeconds(state, 'import-what-if'), import: stepSeconds(state, 'import'), verify: stepSeconds(state, 'verify') };
    const result: CaseResult = {
      name: spec,
      messages: plan.inventory.counts.messages,
      planSeconds: planned.seconds,
      runSeconds: run.seconds,
      estimate: { ...e, total: plan.estimates.full.totalSeconds },
      actual: { ...actual, total: actual.export + actual.whatIf + actual.import + actual.verify },
    };
    log(`${spec}: estimate ${result.estimate.total.toFixed(1)} s, actual ${result.actual.total.toFixed(1)} s (×${(result.estimate.total / result.actual.total).toFixed(2)})`);
    return result;
  } finally {
    data.remove();
  }
}

async function main(): Promise<void> {
  const results = await measureInTurn(CASES, measure);
  const table = new Table({ head: ['dump', 'messages', 'phase', 'estimate s', 'actual s', 'estimate / actual'], style: { head: [], border: [] } });
  const figures: Record<string, string | number> = {};
  const targets: Target[] = [];
  for (const r of results) {
    for (const [phase, step] of [...PHASES, ['total', 'total'] as const]) {
      table.push([r.name, sizeLabel(r.messages), step, r.estimate[phase].toFixed(1), r.actual[phase].toFixed(2), (r.estimate[phase] / r.actual[phase]).toFixed(2)]);
    }
    const ratio = r.estimate.total / r.actual.total;
    figures[`${r.name}: estimate / actual s (ratio)`] = `${round(r.estimate.total, 1)} / ${round(r.actual.total, 1)} (${round(ratio, 2)})`;
    figures[`${r.name}: plan / run wall s`] = `${round(r.planSeconds, 1)} / ${round(r.runSeconds, 1)}`;
    targets.push({ metric: `${r.name}: estimate / actual (window)`, value: ratio, op: '<=', target: FACTOR, unit: '×' });
    targets.push({ metric: `${r.name}: estimate / actual (window)`, value: ratio, op: '>=', target: 1 / FACTOR, unit: '×' });
    // Each phase too: a window right on the whole can hide a phase that is not.
    for (const [phase, step] of PHASES) {
      const phaseRatio = r.estimate[phase] / r.actual[phase];
      targets.push({ metric: `${r.name}: estimate / actual (${step})`, value: phaseRatio, op: '<=', target: FACTOR, unit: '×' });
      targets.push({ metric: `${r.name}: estimate / actual (${step})`, value: phaseRatio, op: '>=', target: 1 / FACTOR, unit: '×' });
    }
  }
  console.log(table.toString());
  report({
    name: NAME,
    figures,
    targets,
    notes: [
      'estimate: `pchat migrate plan` (default --calibrate), the full window\'s phases; actual: the same phases of `pchat migrate run` right after, from the state file (step start to end), into a fresh SQLite target.',
      'The window total is export + check + import + verify, without the booked margin; cut-over and the other steps take milliseconds. Each phase is held to the same factor as the window.',
      'Reproduce: npm run bench -- migrate-estimate (PCHAT_BENCH_ESTIMATE_CASES="sample,200000,1000000,200000:shuffled").',
    ],
    details: { cases: CASES, results },
  });
}

await main();
