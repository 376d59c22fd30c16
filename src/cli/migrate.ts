import { existsSync, readdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/load.js';
import { PchatError } from '../core/errors.js';
import { buildPlan, planText, writePlan } from '../interchange/migrate/plan.js';
import { loadPlan, migrationStatus, rollbackMigration, runMigration } from '../interchange/migrate/run.js';
import { migrationFiles } from '../interchange/migrate/state.js';
import type { MigrateEnv } from '../interchange/migrate/env.js';
import { type SipListen, STEPS, type SourceKind, type StepName } from '../interchange/migrate/types.js';
import { Progress } from '../interchange/progress.js';
import { readRenames } from '../interchange/renames.js';
import { effectiveOrDefaults, irc, readRaw, stored, writeValidated } from './endpoints.js';
import type { GlobalOptions } from './options.js';
import { printJson, printList } from './output.js';
import { withExamples } from './resource.js';
import { claimSipAddress, releaseSipAddress, sipClaimProblems, sipSettingsOf } from './sipEndpoints.js';
import { USERS_HELP } from './people.js';
import { readUsersFile } from '../interchange/people/usersFile.js';
import type { PlannedPeople } from '../interchange/people/planned.js';
import { legacySourceOptionsOf, misplacedOption, openDatabase, openSource, SOURCE_HELP, withLegacySourceOptions } from './sources.js';

const isJson = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>().json === true;
const isPostgres = (spec: string) => /^postgres(ql)?:\/\//.test(spec);
const legacySpec = (spec: string) => (isPostgres(spec) ? null : /^([a-z][a-z0-9-]+):(.+)$/.exec(spec));

function sourceKindOf(spec: string): SourceKind {
  if (legacySpec(spec)) return 'legacy';
  return /\.zip$/i.test(spec) ? 'archive' : 'pchat';
}

/** Paths made absolute, so `migrate run` works from any directory; URLs and `<kind>:` prefixes kept. */
function absolute(spec: string): string {
  const legacy = legacySpec(spec);
  if (legacy) return `${legacy[1]}:${resolve(legacy[2] as string)}`;
  return isPostgres(spec) ? spec : resolve(spec);
}

function bytesOf(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
  return readdirSync(path).reduce((n, f) => n + bytesOf(resolve(path, f)), 0);
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(value);
  if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) throw new InvalidArgumentError('Write host:port, e.g. 192.0.2.10:6667 or [::]:6667.');
  return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
}

function parseSipListen(value: string): { host: string; port: number } {
  try {
    return parseListen(value);
  } catch {
    throw new InvalidArgumentError('Write the legacy pool\'s host:port, e.g. 192.0.2.20:5061 (TLS) or 192.0.2.20:5060 (TCP).');
  }
}

interface SipPlanOptions {
  sipListen?: { host: string; port: number };
  sipServerName?: string;
  sipTlsCert?: string;
  sipTlsKey?: string;
}

/** The plan's SIP options, checked (by the config schema too) before the source is read. */
function sipOptions(opts: SipPlanOptions): { listen: SipListen | null; serverName: string | null } {
  const dependent = ([['--sip-server-name', opts.sipServerName], ['--sip-tls-cert', opts.sipTlsCert], ['--sip-tls-key', opts.sipTlsKey]] as const).find(([, v]) => v !== undefined);
  if (!opts.sipListen) {
    if (dependent) throw new PchatError('invalid_input', `${dependent[0]} needs --sip-listen: the legacy Lync/OCS pool's address to take over`, { field: dependent[0] });
    return { listen: null, serverName: null };
  }
  if ((opts.sipTlsCert === undefined) !== (opts.sipTlsKey === undefined)) throw new PchatError('invalid_input', 'give both --sip-tls-cert and --sip-tls-key, or neither (TCP without TLS)', { field: '--sip-tls-cert' });
  for (const [flag, path] of [['--sip-tls-cert', opts.sipTlsCert], ['--sip-tls-key', opts.sipTlsKey]] as const) {
    if (path !== undefined && !existsSync(path)) throw new PchatError('invalid_input', `the file ${path} does not exist`, { field: flag });
  }
  const tls = opts.sipTlsCert !== undefined && opts.sipTlsKey !== undefined ? { certFile: resolve(opts.sipTlsCert), keyFile: resolve(opts.sipTlsKey) } : null;
  const sip = { listen: { ...opts.sipListen, tls }, serverName: opts.sipServerName ?? null };
  // The domains come from the source later; a placeholder lets the schema check the rest now.
  const problems = sipClaimProblems({ ...sip.listen, domains: ['example.com'], serverName: sip.serverName });
  if (problems.length > 0) throw new PchatError('invalid_input', `the SIP endpoint would be refused by the configuration: ${problems.join('; ')}`, { field: '--sip-listen' });
  return sip;
}

/** The config file's errors as a pchat error, so the step stops with them instead of failing. */
function configEdit<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigError) throw new PchatError('invalid_input', `the configuration would be refused: ${error.problems.join('; ')}`);
    throw error;
  }
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError('Write the web client\'s address as an http(s) URL, e.g. https://chat.example.com.');
  }
}

function positive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('Write a whole number of at least 1.');
  return Number(value);
}

/** --users (its text kept, so every step maps as planned) and --create-users; null when neither is given. */
async function plannedPeople(cmd: Command): Promise<PlannedPeople | null> {
  const opts = cmd.opts<{ users?: string; createUsers?: boolean }>();
  if (!opts.users && !opts.createUsers) return null;
  return { users: opts.users ? { file: resolve(opts.users), text: (await readUsersFile(opts.users)).text } : null, createUsers: opts.createUsers === true };
}

/** --root-managers scope and --domains shape a Group Chat source's conversion: refused for any other source. */
function noLegacyOptions(cmd: Command): Record<string, never> {
  const given = legacySourceOptionsOf(cmd);
  const flag = given.domains ? '--domains' : given.rootManagers === 'scope' ? '--root-managers' : null;
  if (flag) throw new PchatError('invalid_input', `${flag} applies to a legacy Group Chat source (groupchat-db:<dir>) only`, { field: flag });
  const misplaced = misplacedOption(null, given);
  if (misplaced) throw misplaced;
  return {};
}

/** The CLI's side of a migration: how sources, databases and the config file are reached. */
function environment(cmd: Command): MigrateEnv {
  const json = isJson(cmd);
  return {
    openSource: (spec, options) => openSource(cmd, spec, null, options ?? {}),
    openDatabase: (location) => openDatabase(cmd, location),
    sizeOf: (spec) => {
      if (isPostgres(spec)) return null;
      const path = legacySpec(spec)?.[2] ?? spec;
      return existsSync(path) ? bytesOf(path) : null;
    },
    addIrcEndpoint: async (file, host, port, serverName) => {
      const raw = readRaw(file);
      const current = effectiveOrDefaults(file).irc.listen;
      const present = current.some((l) => l.host === host && l.port === port);
      raw.irc = { ...irc(raw), listen: [...current.map(stored), ...(present ? [] : [{ host, port }])], ...(serverName !== null && { serverName }) };
      writeValidated(file, raw);
      return !present;
    },
    removeIrcEndpoint: async (file, host, port) => {
      if (!existsSync(file)) return false;
      const raw = readRaw(file);
      const current = effectiveOrDefaults(file).irc.listen;
      const kept = current.filter((l) => !(l.host === host && l.port === port));
      if (kept.length === current.length) return false;
      raw.irc = { ...irc(raw), listen: kept.map(stored) };
      writeValidated(file, raw);
      return true;
    },
    sipSettings: async (file) => configEdit(() => sipSettingsOf(file)),
    claimSipAddress: async (file, claim) => configEdit(() => claimSipAddress(file, claim)),
    releaseSipAddress: async (file, address, before) => configEdit(() => releaseSipAddress(file, address, before)),
    confirm: async (question, flag) => {
      if (!process.stdin.isTTY) throw new PchatError('invalid_input', `not a terminal, so no one can answer "${question}": give ${flag} to confirm`, { field: flag });
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    progress: () => Progress.auto(json),
    // With --json, stdout carries only the result.
    out: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
  };
}

export function registerMigrate(program: Command): void {
  const group = withExamples(
    program.command('migrate').description('The standard migration path as one guided, resumable procedure: plan, run (freeze, export, check, import, verify, cut over, decommission), status, rollback.'),
    [
      'pchat migrate plan --from groupchat-db:./dump --to /var/lib/pchat/pchat.db --to-config /etc/pchat/pchat.config.json --irc-listen 192.0.2.10:6667 --irc-server-name chat.example.com --web-url https://chat.example.com --out migration.json',
      'pchat migrate plan --from groupchat-db:./dump --to /var/lib/pchat/pchat.db --sip-listen 192.0.2.20:5061 --sip-tls-cert /etc/pchat/pool.pem --sip-tls-key /etc/pchat/pool.key --sip-server-name pool.example.com --out migration.json',
      'pchat migrate run --plan migration.json --legacy-stopped',
      'pchat migrate status --plan migration.json',
      'pchat migrate rollback --plan migration.json',
    ],
    `A migration's record lives next to its plan: <plan>.state.json (the steps, written after
every change), <plan>.report.html (plan, timings, counts, warnings, verify), the archive and its
SHA-256. See docs/migration-guide.md.`,
  );

  withExamples(
    withLegacySourceOptions(group.command('plan'))
      .description('Read-only: inventory the source, check the import against the target, list conversions, collisions, errors, hidden users and file references, and estimate the window from a calibration run on this host.')
      .requiredOption('--from <source>', `what to migrate: ${SOURCE_HELP}`)
      .requiredOption('--to <database>', 'the new deployment\'s database: a SQLite file or a postgres:// URL')
      .option('--to-config <file>', 'the new deployment\'s config file, where cut-over adds the IRC endpoint (default: --config, else ./pchat.config.json)')
      .option('--web-url <url>', 'where users reach the new web client; check-target proves through its /healthz that the server there serves the --to database', parseUrl)
      .option('--irc-listen <host:port>', 'the legacy address legacy clients use: the IRC endpoint takes it over at cut-over', parseListen)
      .option('--irc-server-name <name>', 'the legacy server name the IRC endpoint takes at cut-over')
      .option('--sip-listen <host:port>', 'a Lync/OCS Group Chat source: the legacy pool\'s address its clients use (5061 TLS, 5060 TCP); the SIP endpoint takes it over at cut-over, serving the source\'s SIP domains', parseSipListen)
      .option('--sip-server-name <fqdn>', 'the legacy pool\'s FQDN, the name the SIP endpoint gives itself (sip.serverName)')
      .option('--sip-tls-cert <file>', 'PEM certificate (chain) for the SIP address, carrying the pool FQDN: the address speaks TLS')
      .option('--sip-tls-key <file>', 'PEM private key of --sip-tls-cert')
      .option('--incremental', 'bulk-import while the source is live, then only the delta in the window')
      .option('--catch-up-days <days>', 'for --incremental: the delta is estimated as the last this many days of history', positive, 7)
      .option('--calibrate <messages>', 'messages (the source\'s first) the calibration exports, checks, imports into a scratch database and verifies on this host, after the directory alone', positive, 20000)
      .requiredOption('-o, --out <plan.json>', 'the plan file to write (read by `migrate run`)')
      .option('--renames <renames.csv>', 'names to give items (header "kind,source id,new name"; kinds room, category, group, addin, user, login): kept in the plan, applied by every step')
      .option('--strict', 'all or nothing: any item-level problem stops the migration instead of being resolved')
      .option('--users <users.csv>', `${USERS_HELP}: kept in the plan, applied by every step`)
      .option('--create-users', 'create an account for every source user of a people source (IRC logs) that nothing maps; without it the plan lists them as errors')
      .action(async (opts: SipPlanOptions & { from: string; to: string; toConfig?: string; webUrl?: string; ircListen?: { host: string; port: number }; ircServerName?: string; incremental?: boolean; catchUpDays: number; calibrate: number; out: string; renames?: string; strict?: boolean }, cmd: Command) => {
        if (opts.ircServerName !== undefined && !opts.ircListen) throw new PchatError('invalid_input', '--irc-server-name needs --irc-listen: the legacy address to take over', { field: '--irc-server-name' });
        const sip = sipOptions(opts);
        if (!isPostgres(opts.to) && !existsSync(opts.to)) {
          throw new PchatError('invalid_input', `the target database ${opts.to} does not exist: deploy pchat first (\`pchat serve\` creates it), then plan`, { field: '--to' });
        }
        const env = environment(cmd);
        const people = await plannedPeople(cmd);
        const plan = await buildPlan(env, {
          from: absolute(opts.from),
          sourceKind: sourceKindOf(opts.from),
          to: absolute(opts.to),
          toConfig: resolve(opts.toConfig ?? cmd.optsWithGlobals<GlobalOptions>().config ?? process.env.PCHAT_CONFIG ?? 'pchat.config.json'),
          webUrl: opts.webUrl ?? null,
          irc: opts.ircListen ? { ...opts.ircListen, serverName: opts.ircServerName ?? null } : null,
          sip,
          incremental: opts.incremental === true,
          catchUpDays: opts.catchUpDays,
          calibrate: opts.calibrate,
          ...(sourceKindOf(opts.from) === 'legacy' ? { sourceOptions: legacySourceOptionsOf(cmd) } : noLegacyOptions(cmd)),
          // The rename file's text is kept in the plan: later steps apply exactly what was planned.
          ...(opts.renames && { renames: { file: resolve(opts.renames), text: (await readRenames(opts.renames)).text } }),
          ...(opts.strict && { strict: true }),
          ...(people && { people }),
        });
        const problems = plan.sip?.listen ? sipClaimProblems({ ...plan.sip.listen, domains: plan.sip.domains, serverName: plan.sip.serverName }) : [];
        if (problems.length > 0) throw new PchatError('invalid_input', `the SIP endpoint would be refused by the configuration with the source's SIP domains: ${problems.join('; ')}`, { field: '--sip-listen' });
        const out = resolve(opts.out);
        await writePlan(out, plan);
        if (isJson(cmd)) printJson(plan);
        else process.stdout.write(`${planText(plan)}Plan written to ${out}.\n`);
        if (plan.errors.length > 0) process.exitCode = 1;
      }),
    [
      'pchat migrate plan --from groupchat-db:./dump --to pchat.db --irc-listen 0.0.0.0:6667 --irc-server-name chat.example.com --web-url https://chat.example.com --out migration.json',
      'pchat migrate plan --from groupchat-db:./dump --to pchat.db --sip-listen 192.0.2.20:5061 --sip-tls-cert pool.pem --sip-tls-key pool.key --sip-server-name pool.example.com --out migration.json',
      'pchat migrate plan --from old.db --to postgres://pchat@db/pchat --to-config /etc/pchat/pchat.config.json --incremental --out migration.json --json',
      'pchat migrate plan --from groupchat-db:./dump --to pchat.db --renames renames.csv --out migration.json   # names of your own for listed items',
    ],
    'For a Lync/OCS Group Chat source the plan shows the SIP domains the source determines and, with --sip-listen, the SIP endpoint the cut-over writes (without it, the flags to add). Exit status 1 when the plan lists errors that would stop the import.',
  );

  withExamples(
    group
      .command('run')
      .description('Walk the plan\'s steps, recording each one in the state file; an interrupted or stopped run resumes at the step that did not finish.')
      .requiredOption('--plan <plan.json>', 'the plan written by `migrate plan`')
      .option('--legacy-stopped', 'confirm that the legacy services are stopped (a Group Chat dump or archive source; asked interactively otherwise)')
      .option('-y, --yes', 'confirm the import\'s warnings and collisions without asking')
      .option('--allow-errors', 'go on when the plan or the source lists errors (the export steps stop on them otherwise); the import still refuses what it cannot import')
      .option('--stop-before <step>', `pause before this step, e.g. freeze-source after an incremental bulk import (steps: ${STEPS.join(', ')})`, (v: string) => {
        if (!(STEPS as readonly string[]).includes(v)) throw new InvalidArgumentError(`Not a step; the steps are ${STEPS.join(', ')}.`);
        return v as StepName;
      })
      .action(async (opts: { plan: string; legacyStopped?: boolean; yes?: boolean; allowErrors?: boolean; stopBefore?: StepName }, cmd: Command) => {
        const planFile = resolve(opts.plan);
        const { state, stopped } = await runMigration(planFile, environment(cmd), { yes: opts.yes === true, legacyStopped: opts.legacyStopped === true, allowErrors: opts.allowErrors === true, stopBefore: opts.stopBefore });
        const files = migrationFiles(planFile);
        if (isJson(cmd)) printJson({ status: state.status, stopped, steps: state.steps, archive: state.archive, verify: state.verify, state: files.state, report: files.report });
        else if (stopped) process.stdout.write(`Stopped at ${stopped.step}: ${stopped.reason}\nFix it, then run the same command again: it resumes at ${stopped.step}. Report: ${files.report}\n`);
        else process.stdout.write(`Migration ${state.status === 'complete' ? 'complete' : 'paused'}. Record: ${files.state}; report: ${files.report}${state.archive ? `; archive ${state.archive.path} (SHA-256 ${state.archive.sha256})` : ''}.\n`);
        if (stopped) process.exitCode = 1;
      }),
    ['pchat migrate run --plan migration.json --legacy-stopped --yes', 'pchat migrate run --plan migration.json --stop-before freeze-source   # incremental: bulk now, the window later', 'pchat migrate run --plan migration.json --json'],
    'Exit status 1 when a step stopped (errors in the source, unless --allow-errors; errors that stop the import; unconfirmed warnings; differences found by verify).',
  );

  withExamples(
    group
      .command('status')
      .description('Where a migration stands: one row per step with its status, times, counts and outcome.')
      .requiredOption('--plan <plan.json>', 'the plan written by `migrate plan`')
      .action(async (opts: { plan: string }, cmd: Command) => {
        const planFile = resolve(opts.plan);
        const { state } = await migrationStatus(planFile);
        if (isJson(cmd)) return printJson(state);
        printList(
          false,
          state.steps.map((s) => ({ step: s.name, status: s.status, started: s.startedAt ?? '', finished: s.finishedAt ?? '', attempts: s.attempts, outcome: s.outcome })),
          ['step', 'status', 'started', 'finished', 'attempts', 'outcome'],
        );
        process.stdout.write(`migration: ${state.status}; report: ${migrationFiles(planFile).report}\n`);
      }),
    ['pchat migrate status --plan migration.json', 'pchat migrate status --plan migration.json --json'],
  );

  withExamples(
    group
      .command('rollback')
      .description('Before decommissioning: unfreeze the source and put the target\'s config file back byte for byte as it was before the cut-over (removed if there was none), so the legacy IRC and SIP addresses are gone. Refused once the source is decommissioned.')
      .requiredOption('--plan <plan.json>', 'the plan written by `migrate plan`')
      .action(async (opts: { plan: string }, cmd: Command) => {
        const planFile = resolve(opts.plan);
        await loadPlan(planFile);
        const { undone } = await rollbackMigration(planFile, environment(cmd));
        if (isJson(cmd)) printJson({ status: 'rolled-back', undone });
        else process.stdout.write(`${undone.map((u) => `- ${u}\n`).join('')}Rolled back. What was imported stays in the target; \`migrate run\` starts again from the top.\n`);
      }),
    ['pchat migrate rollback --plan migration.json'],
  );
}
