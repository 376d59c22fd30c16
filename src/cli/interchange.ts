import { createInterface } from 'node:readline/promises';
import { type Command, Option } from 'commander';
import { SYSTEM_ACTOR } from '../app/context.js';
import { PchatError } from '../core/errors.js';
import { EXPORT_LEVELS, type ExportLevel, type ExportOptions } from '../interchange/archive/records.js';
import { openArchive } from '../interchange/archive/reader.js';
import { errorsOf, type ImportPlan } from '../interchange/import/plan.js';
import { exportJob, type ImportOutcome, importJob, verifyJob } from '../interchange/jobs.js';
import { Progress } from '../interchange/progress.js';
import type { GlobalOptions } from './options.js';
import { withExamples } from './resource.js';
import { databaseConfig, openDatabase, openImportTarget, openSource, SOURCE_HELP } from './sources.js';
import { checkContentInWorker } from './importCheck.js';
import { digestInWorker } from './verifyTarget.js';

const json = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>().json === true;
const print = (data: unknown) => process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);

/** A date or date-time, as the ISO UTC instant --start-date means. */
function isoDate(value: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new PchatError('invalid_input', `--start-date: "${value}" is not a date (use YYYY-MM-DD or an ISO 8601 time)`, { field: '--start-date' });
  return new Date(ms).toISOString();
}

export function registerInterchange(program: Command): void {
  withExamples(
    program
      .command('export')
      .description('Write a pchat database, or a legacy system\'s data, to an archive (.zip): the first half of a migration.')
      .requiredOption('-o, --out <file.zip>', 'the archive to write (written whole or not at all)')
      .option('--from <source>', `what to export: ${SOURCE_HELP}`)
      .addOption(new Option('--level <level>', 'what to export').choices(EXPORT_LEVELS).default('all'))
      .option('--scope <category...>', 'only these categories (names after flattening), their rooms and messages')
      .option('--start-date <date>', 'leave out messages older than this (YYYY-MM-DD, UTC, or an ISO time)')
      .option('--disable-exported', 'after exporting, disable the exported rooms in the source so nobody keeps writing there')
      .option('--report <file.html>', 'write an HTML log of what was exported, with counts and warnings')
      .action(async (opts: { out: string; from?: string; level: ExportLevel; scope?: string[]; startDate?: string; disableExported?: boolean; report?: string }, cmd: Command) => {
        const options: ExportOptions = {
          level: opts.level,
          scope: opts.scope ?? [],
          startDate: opts.startDate ? isoDate(opts.startDate) : null,
          disableExported: opts.disableExported === true,
        };
        const opened = await openSource(cmd, opts.from, options.startDate);
        try {
          const { manifest, notes } = await exportJob(opened.source, opts.out, options, Progress.auto(json(cmd)), opts.report);
          let disabled = 0;
          if (options.disableExported) {
            if (!opened.local) {
              throw new PchatError('invalid_input', '--disable-exported works on a pchat database; stop the legacy services (or disable its rooms there) instead', { field: '--disable-exported' });
            }
            disabled = await disableExported(opened.local.app, opts.out);
          }
          const errors = notes.filter((n) => n.severity === 'error').length;
          if (json(cmd)) {
            print({
              archive: opts.out,
              manifest,
              disabled,
              errors,
              warnings: notes.filter((n) => n.severity === 'warning').length,
              filesNotCarried: notes.filter((n) => n.severity === 'file'),
            });
          }
          else {
            process.stdout.write(`Wrote ${opts.out}: ${Object.entries(manifest.files).map(([f, v]) => `${v.records} ${f.replace('.ndjson', '')}`).join(', ')}.\n`);
            const carried = Object.values(manifest.attachments ?? {});
            if (carried.length > 0) process.stdout.write(`Files carried: ${carried.length} distinct contents (${carried.reduce((n, a) => n + a.bytes, 0)} bytes).\n`);
            const notCarried = notes.filter((n) => n.severity === 'file');
            if (notCarried.length > 0) {
              process.stdout.write(`${notCarried.length} files not carried${notCarried.length > 20 ? ' (first 20; all in --report)' : ''}:\n`);
              for (const n of notCarried.slice(0, 20)) process.stdout.write(`  ${n.code}: ${n.message}\n`);
            }
            if (disabled > 0) process.stdout.write(`Disabled ${disabled} exported rooms in the source.\n`);
            if (errors > 0) process.stdout.write(`${errors} errors in the source: an import will refuse this archive until they are fixed (see --report).\n`);
          }
        } finally {
          await opened.close();
        }
      }),
    [
      'pchat export --out pchat.zip',
      'pchat export --from groupchat-db:./dump --out legacy.zip --report export.html',
      'pchat export --from old.db --scope Engineering --start-date 2020-01-01 --out eng.zip',
      'pchat export --level room-directory --out directory.zip',
    ],
    `Levels: all (default) · user (users, groups, policies) · category (+ categories) ·
room-directory (+ add-ins, rooms) · content (messages, with the users and rooms they refer to).
The archive format is documented in docs/archive-format.md.`,
  );

  withExamples(
    program
      .command('import <archive>')
      .description('Load an archive into the pchat database: checks everything first, then merges, idempotently and resumably.')
      .option('--what-if', 'a dry run: list what would be created, updated or overwritten, every collision, conversion, warning and error; change nothing')
      .option('--report <file.html>', 'write an HTML report of the plan and the outcome (overwritten)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--batched', 'commit batch by batch even when the whole import could be one transaction (see below)')
      .action(async (archive: string, opts: { whatIf?: boolean; report?: string; yes?: boolean; batched?: boolean }, cmd: Command) => {
        const source = await openArchive(archive);
        const local = await openImportTarget(cmd);
        try {
          const outcome = await importJob(source, local.app, {
            whatIf: opts.whatIf === true,
            progress: Progress.auto(json(cmd)),
            confirm: (plan) => confirm(plan, opts.yes === true),
            preconfirmed: opts.yes === true,
            blobs: local.store.blobs,
            ...(opts.batched ? {} : { contentChecker: checkContentInWorker }),
            ...(opts.report ? { report: opts.report } : {}),
          });
          summarise(cmd, outcome, opts.whatIf === true);
          if (errorsOf(outcome.plan).length > 0) process.exitCode = 1;
        } finally {
          await source.close();
          await local.close();
        }
      }),
    ['pchat import legacy.zip --what-if --report plan.html', 'pchat import legacy.zip --yes --report import.html', 'pchat import legacy.zip --database postgres://pchat@db/pchat --yes --json', 'pchat import later.zip --yes --batched'],
    `Items are matched by the id they had in the source (kept as their origin), then by name: a
name collision overwrites the existing item, as Microsoft's import did. Re-running an import,
or resuming a killed one, adds nothing twice. Imported accounts have no password until one is set.

How it is written. With --yes, into SQLite, and no pchat server running on the database, the
whole import is one transaction: the messages are written while the archive is still being
checked, on the second core, and nothing becomes visible unless the check passes (an error, or
a killed import, leaves the database exactly as it was; running it again starts over). Otherwise,
or with --batched, the archive is checked first and then written batch by batch: a running
server's posts never wait long for it, and a killed import, run again, keeps what was written.`,
  );

  withExamples(
    program
      .command('verify')
      .description('Compare a source with a pchat database: every category, room, add-in, principal list and role, and each room\'s messages.')
      .requiredOption('--source <source>', `the archive or legacy system migrated from: ${SOURCE_HELP}`)
      .option('--target <database>', 'the pchat database migrated to (a SQLite file or postgres:// URL; default: the configured one)')
      .option('--report <file.html>', 'write an HTML report')
      .option('--conflicts <file.json>', 'write every unexplained difference as JSON')
      .action(async (opts: { source: string; target?: string; report?: string; conflicts?: string }, cmd: Command) => {
        const opened = await openSource(cmd, opts.source, null);
        const target = await openDatabase(cmd, opts.target);
        try {
          const result = await verifyJob(opened.source, target.store, {
            progress: Progress.auto(json(cmd)),
            targetDigests: digestInWorker(databaseConfig(cmd, opts.target)),
            ...(opts.report ? { report: opts.report } : {}),
            ...(opts.conflicts ? { conflicts: opts.conflicts } : {}),
          });
          if (json(cmd)) print({ ok: result.conflicts.length === 0, compared: result.compared, conflicts: result.conflicts, conversions: result.conversions.length });
          else {
            process.stdout.write(`Compared ${Object.entries(result.compared).map(([k, v]) => `${v} ${k}s`).join(', ')}.\n`);
            process.stdout.write(`${result.conversions.length} expected conversions and notes (listed in the report).\n`);
            if (result.conflicts.length === 0) process.stdout.write('No unexplained difference.\n');
            else {
              for (const c of result.conflicts.slice(0, 20)) process.stdout.write(`  ${c.type} ${c.name}: ${c.field}: source ${JSON.stringify(c.source)}, target ${JSON.stringify(c.target)}\n`);
              process.stdout.write(`${result.conflicts.length} unexplained differences.\n`);
            }
          }
          if (result.conflicts.length > 0) process.exitCode = 1;
        } finally {
          await opened.close();
          await target.close();
        }
      }),
    ['pchat verify --source legacy.zip', 'pchat verify --source groupchat-db:./dump --target /var/lib/pchat/pchat.db --report verify.html --conflicts conflicts.json'],
    'Exit status 0 only when there is no unexplained difference; expected conversions are listed apart.',
  );
}

async function disableExported(app: import('../app/index.js').Application, archive: string): Promise<number> {
  const source = await openArchive(archive);
  let count = 0;
  try {
    for await (const room of source.records('rooms')) {
      if (room.disabled) continue;
      await app.rooms.update(SYSTEM_ACTOR, Number(room.id), { disabled: true });
      count += 1;
    }
  } finally {
    await source.close();
  }
  return count;
}

async function confirm(plan: ImportPlan, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new PchatError('invalid_input', 'not a terminal, so no one can confirm: add --yes to import, or --what-if for a dry run', { field: '--yes' });
  const counts = Object.entries(plan.counts).map(([k, v]) => `${v} ${k}`).join(', ');
  const overwrites = plan.items.filter((i) => i.action === 'overwrite').length;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Import ${counts}${overwrites ? `, overwriting ${overwrites} items with the same name` : ''}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function summarise(cmd: Command, { plan, result, mode }: ImportOutcome, whatIf: boolean): void {
  const errors = errorsOf(plan);
  const actions: Record<string, number> = {};
  for (const item of plan.items) actions[item.action] = (actions[item.action] ?? 0) + 1;
  const newMessages = plan.content.reduce((n, c) => n + c.new, 0);
  if (json(cmd)) {
    print({ whatIf, errors: errors.length, actions, newMessages, counts: plan.counts, notes: plan.notes, items: whatIf ? plan.items : undefined, needCredentials: plan.needCredentials, result, written: result ? mode : undefined });
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Source: ${plan.source.system} ${plan.source.version}; ${Object.entries(plan.counts).map(([k, v]) => `${v} ${k}`).join(', ')}.`);
  out(`Items: ${Object.entries(actions).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}; ${newMessages} new messages.`);
  for (const item of plan.items.filter((i) => i.action === 'overwrite')) out(`  collision: ${item.type} "${item.name}" exists (pchat id ${item.targetId}) and ${whatIf ? 'would be' : 'is'} overwritten`);
  for (const severity of ['error', 'warning', 'conversion', 'file'] as const) {
    const notes = plan.notes.filter((n) => n.severity === severity);
    if (notes.length === 0) continue;
    out(`${notes.length} ${severity === 'file' ? 'files not carried' : `${severity}s`}${notes.length > 20 ? ' (first 20; all in --report)' : ''}:`);
    for (const n of notes.slice(0, 20)) out(`  ${n.code}: ${n.message}`);
  }
  if (plan.needCredentials.length > 0) out(`${plan.needCredentials.length} imported accounts have no password yet (listed in --report).`);
  if (errors.length > 0) out(`Refused: ${errors.length} errors. Nothing was changed.`);
  else if (whatIf) out('Dry run: nothing was changed.');
  else if (result) {
    out(`Imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.messagesAdded} messages added.`);
    if (plan.counts.file) out(`Files: ${result.filesAdded} added (${result.fileContentsPut} contents put in the file store; content already there is kept once).`);
    out(mode === 'bulk' ? 'Written in one transaction while the archive was checked.' : `Written batch by batch after the archive was checked${plan.counts.file ? ' (an archive with files always is)' : ''}.`);
  }
  else out('Not imported.');
}
