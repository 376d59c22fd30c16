import { createInterface } from 'node:readline/promises';
import { typeName } from '../interchange/reportWords.js';
import { type Command, Option } from 'commander';
import { SYSTEM_ACTOR } from '../app/context.js';
import { PchatError } from '../core/errors.js';
import { EXPORT_LEVELS, type ExportLevel, type ExportOptions } from '../interchange/archive/records.js';
import { openArchive } from '../interchange/archive/reader.js';
import { accountsWithoutPassword, accountsWithoutPasswordLine } from '../interchange/import/credentials.js';
import { errorsOf, type ImportPlan } from '../interchange/import/plan.js';
import { exportJob, type ImportOutcome, importJob, verifyJob } from '../interchange/jobs.js';
import { CLASSIFICATION_NOTES } from '../interchange/migrate/plan.js';
import { Progress } from '../interchange/progress.js';
import { readRenames, withRenames } from '../interchange/renames.js';
import { isItemProblem } from '../interchange/resolutions.js';
import { errorLines, errorNotes, sourceErrorsSummary } from '../interchange/sourceErrors.js';
import type { GlobalOptions } from './options.js';
import { withExamples } from './resource.js';
import { peopleOptionsOf, withPeopleOptions } from './people.js';
import { databaseConfig, openDatabase, openImportTarget, openSource, SOURCE_HELP, withLegacySourceOptions } from './sources.js';
import { openImportSource } from './importDirect.js';
import { digestInWorker } from './verifyTarget.js';
import { describeConflict } from '../interchange/verify/describe.js';

const RENAMES_HELP = 'a CSV file of names to give items (header "kind,source id,new name"; kinds room, category, group, addin, user, login), applied by plan, export, import and verify alike';

const json = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>().json === true;
const print = (data: unknown) => process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);

/** "1 category", "3 categories", "2 add-ins": a count of one kind of item, in words. */
const counted = (n: number, kind: string) => {
  const word = kind === 'addin' ? 'add-in' : kind;
  return `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
};

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
      .option('--renames <renames.csv>', RENAMES_HELP)
      .option('--allow-errors', 'exit 0 even when the source reported errors (they are counted, and carried in the archive\'s notes)')
      .action(async (opts: { out: string; from?: string; level: ExportLevel; scope?: string[]; startDate?: string; disableExported?: boolean; report?: string; allowErrors?: boolean; renames?: string }, cmd: Command) => {
        const options: ExportOptions = {
          level: opts.level,
          scope: opts.scope ?? [],
          startDate: opts.startDate ? isoDate(opts.startDate) : null,
          disableExported: opts.disableExported === true,
        };
        const renames = opts.renames ? await readRenames(opts.renames) : null;
        const opened = await openSource(cmd, opts.from, options.startDate);
        try {
          const { manifest, notes } = await exportJob(renames ? withRenames(opened.source, renames) : opened.source, opts.out, options, Progress.auto(json(cmd)), opts.report);
          let disabled = 0;
          if (options.disableExported) {
            if (!opened.local) {
              throw new PchatError('invalid_input', '--disable-exported works on a pchat database; stop the legacy services (or disable its rooms there) instead', { field: '--disable-exported' });
            }
            disabled = await disableExported(opened.local.app, opts.out);
          }
          const errors = errorNotes(notes).length;
          if (errors > 0 && opts.allowErrors !== true) process.exitCode = 1;
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
            for (const n of notes.filter((c) => CLASSIFICATION_NOTES.includes(c.code))) process.stdout.write(`${n.message}\n`);
            const carried = Object.values(manifest.attachments ?? {});
            if (carried.length > 0) process.stdout.write(`Files carried: ${carried.length} distinct contents (${carried.reduce((n, a) => n + a.bytes, 0)} bytes).\n`);
            const notCarried = notes.filter((n) => n.severity === 'file');
            if (notCarried.length > 0) {
              process.stdout.write(`${notCarried.length} files not carried${notCarried.length > 20 ? ' (first 20; all in --report)' : ''}:\n`);
              for (const n of notCarried.slice(0, 20)) process.stdout.write(`  ${n.code}: ${n.message}\n`);
            }
            if (disabled > 0) process.stdout.write(`Disabled ${disabled} exported rooms in the source.\n`);
            if (errors > 0) {
              for (const line of errorLines(errorNotes(notes))) process.stdout.write(`  ${line}\n`);
              const where = opts.report ? `in ${opts.report} (section Errors)` : 'in the archive\'s notes (and in an HTML report with --report <file.html>)';
              process.stdout.write(`${sourceErrorsSummary(errors, where, opts.allowErrors === true)}\n`);
            }
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
      'pchat export --from groupchat-db:./dump --renames renames.csv --out legacy.zip',
      'pchat export --from irc-logs:./irclogs --log-timezone Europe/Berlin --category "IRC archive" --out irc.zip',
      'pchat export --from slack:./slack-export.zip --out slack.zip',
      'pchat export --from mattermost:./mattermost-export.zip --direct-messages as-rooms --direct-category "Direct messages" --out mm.zip',
    ],
    `Levels: all (default) · user (users, groups, policies) · category (+ categories) ·
room-directory (+ add-ins, rooms) · content (messages, with the users and rooms they refer to).
The archive format is documented in docs/archive-format.md.
Exit status 0 when the archive is written and the source reported no error; 1 when the source
reported errors (the archive is still written, carrying them in its notes; the count is printed,
and --report lists them) unless --allow-errors is given, or when the export failed.`,
  );

  withExamples(
    program
      .command('import <source>')
      .description('Load an archive, or a legacy system read directly (<kind>:<location>), into the pchat database: checks everything first, then merges, idempotently and resumably.')
      .option('--what-if', 'a dry run: list what would be created, updated or overwritten, every collision, conversion, warning and error; change nothing')
      .option('--report <file.html>', 'write an HTML report of the plan and the outcome (overwritten)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--batched', 'commit batch by batch even when the whole import could be one transaction (see below)')
      .option('--renames <renames.csv>', RENAMES_HELP)
      .option('--strict', 'all or nothing: refuse the import on any item-level problem instead of applying its resolution (see below)')
      .option('--start-date <date>', 'a legacy source: leave out messages older than this (YYYY-MM-DD, UTC, or an ISO time), as `pchat export --start-date`')
      .action(async (spec: string, opts: { whatIf?: boolean; report?: string; yes?: boolean; batched?: boolean; renames?: string; strict?: boolean; startDate?: string }, cmd: Command) => {
        const startDate = opts.startDate ? isoDate(opts.startDate) : null;
        const bulk = opts.yes === true && opts.whatIf !== true && opts.batched !== true;
        const opened = await openImportSource(cmd, spec, { startDate, bulk, ...(opts.renames ? { renames: opts.renames } : {}) });
        let local: Awaited<ReturnType<typeof openImportTarget>> | null = null;
        try {
          local = await openImportTarget(cmd);
          const outcome = await importJob(opened.source, local.app, {
            whatIf: opts.whatIf === true,
            progress: Progress.auto(json(cmd)),
            confirm: (plan) => confirm(plan, opts.yes === true),
            preconfirmed: opts.yes === true,
            blobs: local.store.blobs,
            strict: opts.strict === true,
            people: await peopleOptionsOf(cmd),
            ...(opened.checker ? { contentChecker: opened.checker } : {}),
            ...(opened.messageCount === undefined ? {} : { legacyMessages: opened.messageCount }),
            ...(opts.report ? { report: opts.report } : {}),
          });
          summarise(cmd, outcome, opts.whatIf === true);
          if (errorsOf(outcome.plan).length > 0) process.exitCode = 1;
        } finally {
          await opened.close();
          await local?.close();
        }
      }),
    [
      'pchat import legacy.zip --what-if --report plan.html',
      'pchat import legacy.zip --what-if --renames renames.csv   # see the item-level problems, choose names',
      'pchat import legacy.zip --yes --strict   # all or nothing',
      'pchat import legacy.zip --yes --report import.html', 'pchat import legacy.zip --database postgres://pchat@db/pchat --yes --json', 'pchat import later.zip --yes --batched',
      'pchat import irc.zip --what-if --users users.csv   # lists every unmapped nick with its messages',
      'pchat import irc.zip --yes --users users.csv --create-users',
      'pchat import slack:./slack-export --what-if --create-users   # a legacy source directly, no archive',
      'pchat import slack:./slack-export --yes --create-users --report import.html',
      'pchat import irc-logs:./irclogs --log-timezone Europe/Berlin --yes --users users.csv --create-users',
    ],
    `<source> is an archive (.zip, written by pchat export) or a legacy system read directly as
<kind>:<location>, with the options \`pchat export --from\` takes for it (--log-*, --category,
--room-privacy, --direct-*, --root-managers, --domains, --start-date). A direct import writes what
exporting the source and importing that archive would (the same records and origins: either can
be re-run over the other, and \`pchat verify --source <kind>:<location>\` compares), without the
archive: faster, but no artifact to keep or audit (see docs/migration-guide.md, "Directly or
through an archive"). A Slack or IRC-logs source goes the one-transaction way below; a Group Chat
or Mattermost source, whose messages may carry files, batch by batch.

Items are matched by the id they had in the source (kept as their origin), then by name: a
name collision overwrites the existing item, as Microsoft's import did. Re-running an import,
or resuming a killed one, adds nothing twice. Imported accounts have no password until one is set.

People. The users of an IRC-logs, Slack or Mattermost archive (export --from irc-logs:, slack:, mattermost:) are people, not
accounts: each is found among the pchat accounts (the one imported for it before, then a line of
--users users.csv, then the same e-mail, then the same login), several nicks mapped to one login
are one person, and no account is created unless the file says "new" or --create-users is given:
otherwise the plan lists every unmapped author with their message count and the import refuses.
--users applies the same mapping to any other source's users.

Item-level problems. An item pchat cannot take as it is does not stop the import: a name used
twice gets a suffix from its source id (\`Ops ~1a2b3c4d\`, the same on every run); a room whose
category is missing is skipped with its messages; a reference to a principal, add-in or legacy URI
that cannot be carried is dropped; a message by an unknown author or with a file pchat cannot
keep is skipped. --what-if and the report list each item with its resolution; --renames gives
names of your own (kind,source id,new name per line; see docs/migration-guide.md); --strict
refuses the import on any of them instead, as before.

How it is written. With --yes, into SQLite, and no pchat server running on the database, the
whole import is one transaction: the messages are written while the source is still being
checked, on the second core, and nothing becomes visible unless the check passes (an error, or
a killed import, leaves the database exactly as it was; running it again starts over). Otherwise,
or with --batched, the source is checked first and then written batch by batch: a running
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
      .option('--renames <renames.csv>', 'the rename file given to export or import, so renamed items compare under their new names')
      .addOption(new Option('--level <level>', 'compare what `pchat export --level` would have exported').choices(EXPORT_LEVELS).default('all'))
      .option('--scope <category...>', 'compare only these categories, their rooms and messages, as `pchat export --scope`')
      .option('--start-date <date>', 'compare only messages from this date on, on both sides, as `pchat export --start-date`')
      .action(async (opts: { source: string; target?: string; report?: string; conflicts?: string; level: ExportLevel; scope?: string[]; startDate?: string; renames?: string }, cmd: Command) => {
        const filter: ExportOptions = { level: opts.level, scope: opts.scope ?? [], startDate: opts.startDate ? isoDate(opts.startDate) : null, disableExported: false };
        const renames = opts.renames ? await readRenames(opts.renames) : null;
        const opened = await openSource(cmd, opts.source, filter.startDate);
        const target = await openDatabase(cmd, opts.target);
        try {
          const result = await verifyJob(renames ? withRenames(opened.source, renames) : opened.source, target.store, {
            progress: Progress.auto(json(cmd)),
            targetDigests: digestInWorker(databaseConfig(cmd, opts.target)),
            filter,
            people: await peopleOptionsOf(cmd),
            ...(opts.report ? { report: opts.report } : {}),
            ...(opts.conflicts ? { conflicts: opts.conflicts } : {}),
          });
          if (json(cmd)) print({ ok: result.conflicts.length === 0, compared: result.compared, conflicts: result.conflicts, conversions: result.conversions.length });
          else {
            process.stdout.write(`Compared ${Object.entries(result.compared).map(([k, v]) => counted(v, k)).join(', ')}.\n`);
            process.stdout.write(`${result.conversions.length} expected conversions and notes (listed in the report).\n`);
            if (result.conflicts.length === 0) process.stdout.write('No unexplained difference.\n');
            else {
              for (const c of result.conflicts.slice(0, 20)) process.stdout.write(`  ${describeConflict(c)}\n`);
              process.stdout.write(`${result.conflicts.length} unexplained differences.\n`);
            }
          }
          if (result.conflicts.length > 0) process.exitCode = 1;
        } finally {
          await opened.close();
          await target.close();
        }
      }),
    [
      'pchat verify --source legacy.zip',
      'pchat verify --source groupchat-db:./dump --target /var/lib/pchat/pchat.db --report verify.html --conflicts conflicts.json',
      'pchat verify --source old.db --scope Engineering --start-date 2020-01-01   # after pchat export with the same options',
      'pchat verify --source groupchat-db:./dump --renames renames.csv   # the rename file the migration used',
      'pchat verify --source irc-logs:./irclogs --log-timezone Europe/Berlin --users users.csv   # as exported and imported',
      'pchat verify --source slack:./slack-export.zip --users users.csv',
    ],
    `Give --level, --scope and --start-date as they were given to \`pchat export\`: verify then compares
what that export carried (from --start-date on, the target's older messages are left out too).
A room whose messages differ is reported with its first differing message: the target's seq, the
source's message id, the field (identity, author, at, kind, title, text, reply, replyTo, editedAt,
reactions) and both values.
For an irc-logs source give the --log-* options given to export (for slack: and mattermost:
--category and --direct-*) and the --users file given to import: verify converts the source the
same way and compares each source user as the account it was mapped to.
Exit status 0 only when there is no unexplained difference; expected conversions are listed apart.`,
  );

  // A legacy source converts the same way wherever it is read (verify must see what export wrote).
  for (const name of ['export', 'import', 'verify']) withLegacySourceOptions(program.commands.find((c) => c.name() === name)!);
  // Who the source's people are in pchat: decided by the import, followed by verify (docs/migration-guide.md, "People").
  withPeopleOptions(program.commands.find((c) => c.name() === 'import')!, true);
  withPeopleOptions(program.commands.find((c) => c.name() === 'verify')!, false);
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

/** The item-level problems and their resolutions, as --what-if and the import print them. */
function resolutionLines(plan: ImportPlan, limit = 100): string[] {
  const list = plan.resolutions;
  if (list.length === 0) return [];
  const head = plan.strict
    ? `${list.length} item-level problems (--strict: each refuses the import; without it, the resolution shown applies):`
    : `${list.length} item-level problems, each resolved (the rest migrates; --renames to choose names, --strict to refuse instead):`;
  const lines = [head, ...list.slice(0, limit).map((r) => `  ${r.resolution}: ${typeName(r.type)}${r.id ? ` ${r.id}` : ''}${r.name ? ` "${r.name}"` : ''} (${r.code}): ${r.message}`)];
  if (list.length > limit) lines.push(`  … and ${list.length - limit} more (all in --report and --json)`);
  return lines;
}

function summarise(cmd: Command, { plan, result, mode, read }: ImportOutcome, whatIf: boolean): void {
  const errors = errorsOf(plan);
  const actions: Record<string, number> = {};
  for (const item of plan.items) actions[item.action] = (actions[item.action] ?? 0) + 1;
  const newMessages = plan.content.reduce((n, c) => n + c.new, 0);
  if (json(cmd)) {
    print({ whatIf, errors: errors.length, actions, newMessages, counts: plan.counts, strict: plan.strict, resolutions: plan.resolutions, notes: plan.notes, items: whatIf ? plan.items : undefined, needCredentials: accountsWithoutPassword(plan), result, written: result ? mode : undefined });
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Source: ${plan.source.system} ${plan.source.version}; ${Object.entries(plan.counts).map(([k, v]) => `${v} ${k}`).join(', ')}.`);
  out(`Items: ${Object.entries(actions).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}; ${newMessages} new messages.`);
  for (const item of plan.items.filter((i) => i.action === 'overwrite')) out(`  collision: ${typeName(item.type)} "${item.name}" exists (pchat id ${item.targetId}) and ${whatIf ? 'would be' : 'is'} overwritten`);
  for (const line of resolutionLines(plan)) out(line);
  for (const severity of ['error', 'warning', 'conversion', 'file'] as const) {
    // Item-level problems are listed above, with their resolutions.
    const notes = plan.notes.filter((n) => n.severity === severity && !isItemProblem(n));
    if (notes.length === 0) continue;
    out(`${notes.length} ${severity === 'file' ? 'files not carried' : `${severity}s`}${notes.length > 20 ? ' (first 20; all in --report)' : ''}:`);
    for (const n of notes.slice(0, 20)) out(`  ${n.code}: ${n.message}`);
  }
  const passwordless = accountsWithoutPassword(plan).length;
  if (passwordless > 0) out(accountsWithoutPasswordLine(passwordless, whatIf || !result));
  if (errors.length > 0) out(`Refused: ${errors.length} errors. Nothing was changed.`);
  else if (whatIf) out('Dry run: nothing was changed.');
  else if (result) {
    out(`Imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.messagesAdded} messages added.`);
    if (plan.counts.file) out(`Files: ${result.filesAdded} added (${result.fileContentsPut} contents put in the file store; content already there is kept once).`);
    out(mode === 'bulk' ? `Written in one transaction while the ${read} was checked.` : `Written batch by batch after the ${read} was checked${plan.counts.file ? ` (${read === 'archive' ? 'an archive' : 'a source'} with files always is)` : ''}.`);
  }
  else out('Not imported.');
}
