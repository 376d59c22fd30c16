import { writeFile, rename } from 'node:fs/promises';
import { PchatError } from '../../core/errors.js';
import type { MessageRecord, NoteRecord } from '../archive/records.js';
import { accountsWithoutPassword, accountsWithoutPasswordLine } from '../import/credentials.js';
import { errorsOf } from '../import/plan.js';
import { importJob } from '../jobs.js';
import { Progress } from '../progress.js';
import { type RecordSource, recordBatches } from '../source.js';
import { calibrate, calibrationBasis, estimate, sampleOf, sampling } from './calibrate.js';
import type { MigrateEnv } from './env.js';
import { takeInventory } from './inventory.js';
import { hiddenAfterImport, sourcePolicies } from './policy.js';
import type { MigrationPlan, SipListen, SipPlan, SourceKind, WindowEstimate } from './types.js';
import type { LegacySourceOptions } from '../sources/index.js';
import { parseRenames, withRenames } from '../renames.js';
import { peopleOfPlan, type PlannedPeople } from '../people/planned.js';
import { isItemProblem, type ItemResolution } from '../resolutions.js';

export interface PlanOptions {
  readonly from: string;
  readonly sourceKind: SourceKind;
  readonly to: string;
  readonly toConfig: string;
  readonly webUrl: string | null;
  readonly irc: MigrationPlan['irc'];
  /** The legacy Lync/OCS pool's address and FQDN for the SIP endpoint (a Group Chat source only). */
  readonly sip: { readonly listen: SipListen | null; readonly serverName: string | null };
  readonly incremental: boolean;
  readonly catchUpDays: number;
  /** Messages the calibration run moves. */
  readonly calibrate: number;
  /** A legacy source's conversion options (--root-managers, --domains), kept in the plan for `migrate run`. */
  readonly sourceOptions?: LegacySourceOptions;
  /** The rename file (--renames): its path and text, kept in the plan so every later step applies the same names. */
  readonly renames?: { readonly file: string; readonly text: string };
  /** --strict: any item-level problem stops the migration instead of being resolved. */
  readonly strict?: boolean;
  /** --users and --create-users, kept in the plan. */
  readonly people?: PlannedPeople;
}

/** The standard SIP ports Lync/OCS clients use: TLS, and TCP where it was allowed. */
export const SIP_TLS_PORT = 5061;
export const SIP_TCP_PORT = 5060;

/** The SIP part of the plan, for a source that has SIP domains (a Lync/OCS Group Chat database) only. */
function sipPlanOf(source: RecordSource, wanted: PlanOptions['sip']): SipPlan | undefined {
  const domains = source.sipDomains;
  if (domains === undefined) {
    if (wanted.listen) throw new PchatError('invalid_input', `--sip-listen is for a Lync/OCS Group Chat source (groupchat-db:<dir>); the clients of this source (${source.description.system}) do not speak SIP`, { field: '--sip-listen' });
    return undefined;
  }
  if (wanted.listen && domains.length === 0) {
    throw new PchatError('invalid_input', "the source names no SIP domain for the SIP endpoint to serve: list the organisation's SIP domains in domains.txt in the dump directory, one per line", { field: '--sip-listen' });
  }
  return { domains: [...domains], listen: wanted.listen, serverName: wanted.serverName };
}

const bySeverity = (notes: readonly NoteRecord[], severity: NoteRecord['severity']) => notes.filter((n) => n.severity === severity);

/**
 * Everything an administrator must know before booking the window, read-only: the source's
 * inventory; the import's check pass against the target (conversions, collisions, errors,
 * warnings, files carried and not carried, accounts without credentials); who the target's policy would
 * hide; and the time each phase takes on this host, measured with a calibration run.
 */
export async function buildPlan(env: MigrateEnv, options: PlanOptions): Promise<MigrationPlan> {
  const openStarted = process.hrtime.bigint();
  const opened = await env.openSource(options.from, options.sourceOptions);
  const openSeconds = Number(process.hrtime.bigint() - openStarted) / 1e9;
  try {
    const source = withPlanRenames(opened.source, options.renames);
    const sip = sipPlanOf(source, options.sip);
    env.out(`Reading ${options.from} …`);
    // The inventory is a full pass over the real source: timed, it is what export and verify will take to read it.
    const sampled: MessageRecord[] = [];
    const readStarted = process.hrtime.bigint();
    const inventory = await takeInventory(sampling(source, options.calibrate, sampled), env.sizeOf(options.from), options.catchUpDays);
    const readSeconds = Number(process.hrtime.bigint() - readStarted) / 1e9;
    // That pass is the first in this process, as the export's is in `migrate run`; verify reads the
    // source there after the export, with the reading code compiled: timed here the same way.
    env.out('Reading it again, timed as verify reads it …');
    const sourceTiming = { openSeconds, readSeconds, messages: inventory.counts.messages, again: await timeSourcePass(env, options) };
    const target = await env.openDatabase(options.to);
    try {
      env.out('Checking the import against the target (read-only) …');
      const { plan } = await importJob(source, target.app, { whatIf: true, confirm: async () => false, progress: new Progress('off'), strict: options.strict === true, people: peopleOfPlan(options.people) });
      const snapshot = await target.app.directory.snapshot();
      const policies = await sourcePolicies(source);
      const hiddenUsers = hiddenAfterImport(policies, { rules: snapshot.policies, graph: snapshot.graph, existing: plan.maps.user });
      env.out(`Calibrating on this host with the directory and ${sampled.length} messages …`);
      const calibration = await calibrate(env, source, await sampleOf(source, sampled), sourceTiming);
      const full = estimate(calibration, inventory.counts.messages);
      // The delta of a pchat source is read by seq from the database; a dump or an archive is read whole again.
      const deltaReads = options.sourceKind === 'pchat' && inventory.counts.messages > 0 ? inventory.recentMessages / inventory.counts.messages : 1;
      const delta: WindowEstimate | null = options.incremental ? estimate(calibration, inventory.recentMessages, deltaReads) : null;
      return {
        format: 'pchat-migration-plan',
        version: 1,
        createdAt: new Date().toISOString(),
        from: options.from,
        sourceKind: options.sourceKind,
        ...(options.sourceOptions && { sourceOptions: options.sourceOptions }),
        ...(options.renames && { renames: options.renames }),
        ...(options.strict && { strict: true }),
        ...(options.people && { people: options.people }),
        to: options.to,
        toConfig: options.toConfig,
        webUrl: options.webUrl,
        irc: options.irc,
        ...(sip && { sip }),
        incremental: options.incremental,
        catchUpDays: options.catchUpDays,
        inventory,
        conversions: bySeverity(plan.notes, 'conversion'),
        warnings: bySeverity(plan.notes, 'warning'),
        errors: errorsOf(plan),
        files: bySeverity(plan.notes, 'file'),
        resolutions: plan.resolutions,
        collisions: plan.items.filter((i) => i.action === 'overwrite').map((i) => ({ type: i.type, name: i.name, targetId: i.targetId })),
        hiddenUsers,
        needCredentials: [...accountsWithoutPassword(plan)],
        calibration,
        estimates: { full, delta },
      };
    } finally {
      await target.close();
    }
  } finally {
    await opened.close();
  }
}

/** Opening the source anew and reading every message, as the verify step does, timed. */
async function timeSourcePass(env: MigrateEnv, options: PlanOptions): Promise<{ openSeconds: number; readSeconds: number }> {
  const started = process.hrtime.bigint();
  const opened = await env.openSource(options.from, options.sourceOptions);
  try {
    const readStarted = process.hrtime.bigint();
    for await (const _ of recordBatches(withPlanRenames(opened.source, options.renames), 'messages'));
    return { openSeconds: Number(readStarted - started) / 1e9, readSeconds: Number(process.hrtime.bigint() - readStarted) / 1e9 };
  } finally {
    await opened.close();
  }
}

/** The source with the plan's rename file applied (every step that reads the source applies it). */
export function withPlanRenames<S extends RecordSource>(source: S, renames: MigrationPlan['renames']): S {
  return renames ? withRenames(source, parseRenames(renames.text, renames.file)) : source;
}

/** The plan's item-level problems as lines: each with the resolution that will apply, or its refusal under --strict. */
export function resolutionText(resolutions: readonly ItemResolution[], strict: boolean, limit = 100): string[] {
  const head = strict
    ? `Item-level problems (--strict: each stops the import; without --strict the resolution shown applies) (${resolutions.length}):`
    : `Item-level problems and the resolution that will apply; everything else migrates (${resolutions.length}):`;
  const lines = [head, ...resolutions.slice(0, limit).map((r) => `  ${r.resolution}: ${r.type}${r.id ? ` ${r.id}` : ''}${r.name ? ` "${r.name}"` : ''} (${r.code}): ${r.message}`)];
  if (resolutions.length > limit) lines.push(`  … and ${resolutions.length - limit} more (see --json).`);
  if (resolutions.length > 0) lines.push('  Choose other names with --renames renames.csv (kind,source id,new name); --strict refuses instead (docs/migration-guide.md, "Resolutions").');
  return lines;
}

export async function writePlan(file: string, plan: MigrationPlan): Promise<void> {
  await writeFile(`${file}.partial`, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.partial`, file);
}

export function parsePlan(file: string, text: string): MigrationPlan {
  let plan: MigrationPlan;
  try {
    plan = JSON.parse(text) as MigrationPlan;
  } catch (error) {
    throw new PchatError('invalid_input', `${file} is not a migration plan: ${(error as Error).message}`, { field: '--plan' });
  }
  if (plan?.format !== 'pchat-migration-plan' || plan.version !== 1) {
    throw new PchatError('invalid_input', `${file} is not a migration plan written by \`pchat migrate plan\` (format pchat-migration-plan, version 1)`, { field: '--plan' });
  }
  return plan;
}

const minutes = (s: number) => (s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);
const phases = (e: WindowEstimate) =>
  `export ${minutes(e.seconds.export)}, check ${minutes(e.seconds.whatIf)}, import ${minutes(e.seconds.import)}, verify ${minutes(e.seconds.verify)}: ${minutes(e.totalSeconds)}; book ${e.recommendedMinutes} min`;

/** The notes a legacy source gives on how it classified users: shown apart from the other conversions. */
export const CLASSIFICATION_NOTES: readonly string[] = ['sip_domains', 'user_classification'];

/** The plan as an administrator reads it. */
export function planText(plan: MigrationPlan): string {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  const list = (title: string, notes: readonly NoteRecord[], limit = 50) => {
    out(`${title} (${notes.length}):`);
    for (const n of notes.slice(0, limit)) out(`  ${n.code}${n.item ? ` [${n.item.type} ${n.item.name ?? n.item.id}]` : ''}: ${n.message}`);
    if (notes.length > limit) out(`  … and ${notes.length - limit} more (see --json).`);
  };
  const inv = plan.inventory;
  out(`Migration plan: ${plan.from} → ${plan.to}`);
  out(`Source: ${inv.system} ${inv.version}${inv.instance ? ` (${inv.instance})` : ''}, ${plan.sourceKind}`);
  out(`Inventory: ${inv.counts.categories} categories, ${inv.counts.rooms} rooms, ${inv.counts.users} users, ${inv.counts.groups} groups, ${inv.counts.addins} add-ins, ${inv.counts.policies} policies, ${inv.counts.messages} messages; ${inv.bytes === null ? 'size unknown' : `${(inv.bytes / 1048576).toFixed(1)} MiB`}`);
  out(`Content: oldest ${inv.oldest ?? '-'}, newest ${inv.newest ?? '-'}`);
  // A Group Chat source: the SIP domains used, where they came from, and who is federated (docs/groupchat-dump.md).
  for (const n of plan.conversions.filter((c) => CLASSIFICATION_NOTES.includes(c.code))) out(n.message);
  out();
  // Item-level problems are listed once, with their resolutions (plans written before them have none).
  const others = (notes: readonly NoteRecord[]) => (plan.resolutions ? notes.filter((n) => !isItemProblem(n)) : notes);
  list('Errors that stop the import', others(plan.errors));
  if (plan.resolutions) for (const line of resolutionText(plan.resolutions, plan.strict === true)) out(line);
  if (plan.renames) out(`Rename file: ${plan.renames.file} (kept in this plan; every step applies it)`);
  if (plan.people?.users) out(`Users file: ${plan.people.users.file} (kept in this plan; every step maps people by it)`);
  if (plan.people?.createUsers) out('--create-users: an account is created for every source user nothing maps');
  list('Conversions', others(plan.conversions));
  list('Warnings', others(plan.warnings));
  out(`Name collisions with the target (overwritten by the import) (${plan.collisions.length}):`);
  for (const c of plan.collisions) out(`  ${c.type} "${c.name}" (pchat id ${c.targetId})`);
  out(`Users whose policy would hide their migrated rooms (${plan.hiddenUsers.length}):`);
  for (const u of plan.hiddenUsers.slice(0, 50)) out(`  ${u.login}: ${u.reason}`);
  if (plan.hiddenUsers.length > 0) out('  `migrate run` enables them (a user policy each) in its enable-client step.');
  const fileBytes = plan.inventory.fileBytes ?? 0;
  out(`Files carried with their messages: ${plan.inventory.files ?? 0} (${fileBytes < 1048576 ? `${fileBytes} bytes` : `${(fileBytes / 1048576).toFixed(1)} MiB`}, each content once)`);
  list('Files not carried (file_missing: not in the file store; file_reference: no file store beside the dump; file_not_attached: a second file of a message)', plan.files, 20);
  out(`Accounts imported without a credential: ${accountsWithoutPasswordLine(plan.needCredentials.length, true)}`);
  out();
  for (const line of calibrationBasis(plan.calibration)) out(line);
  out(`Full window (${plan.estimates.full.messages} messages): ${phases(plan.estimates.full)}`);
  if (plan.estimates.delta) {
    out(`Incremental: bulk import while the source is live (${phases(plan.estimates.full)}),`);
    out(`  then in the window the delta (~${plan.estimates.delta.messages} messages, as many as the last ${plan.catchUpDays} days of history): ${phases(plan.estimates.delta)}`);
  }
  const booked = plan.estimates.delta?.recommendedMinutes ?? plan.estimates.full.recommendedMinutes;
  out(`Recommended downtime window: ${booked} minutes (measured time × 1.5 + 15 min for cut-over and checks, rounded up to the half hour).`);
  out();
  out(`Cut-over: ${plan.irc ? `IRC endpoint on ${plan.irc.host}:${plan.irc.port}${plan.irc.serverName ? ` named ${plan.irc.serverName}` : ''} in ${plan.toConfig}` : 'no legacy IRC address given (--irc-listen)'}; web client: ${plan.webUrl ?? 'no --web-url given'}`);
  if (plan.sip) for (const line of sipPlanText(plan.sip, plan.toConfig)) out(line);
  out(plan.errors.length > 0 ? `NOT READY: fix the ${plan.errors.length} errors above, then plan again.` : 'Ready: run `pchat migrate run --plan <this plan>`.');
  return `${lines.join('\n')}\n`;
}

const showAddress = (l: { host: string; port: number }) => (l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`);

/** The plan's SIP lines: what the cut-over writes, or, without --sip-listen, the flags that would take the legacy pool over. */
export function sipPlanText(sip: SipPlan, toConfig: string): string[] {
  const lines = [`SIP domains of the source (Lync/OCS clients sign in with them): ${sip.domains.join(', ') || '(none: list them in domains.txt in the dump directory)'}`];
  const l = sip.listen;
  if (l) {
    lines.push(`SIP endpoint for Lync/OCS clients at cut-over: ${showAddress(l)} (${l.tls ? 'TLS' : 'TCP, no TLS'})${sip.serverName ? ` named ${sip.serverName}` : ''}, serving ${sip.domains.join(', ')}, in ${toConfig}; the address must be free then`);
    if (!l.tls && l.port === SIP_TLS_PORT) lines.push(`  note: ${SIP_TLS_PORT} is the standard TLS port, but without --sip-tls-cert and --sip-tls-key this address speaks TCP without TLS`);
    return lines;
  }
  lines.push('No legacy Lync/OCS pool address given (--sip-listen): Lync/OCS group chat clients keep looking for the legacy pool. To take it over at cut-over, plan again with');
  lines.push(`  --sip-listen <legacy pool IP>:${SIP_TLS_PORT} --sip-tls-cert <certificate.pem> --sip-tls-key <key.pem> --sip-server-name <pool FQDN>   (TLS, the standard port)`);
  lines.push(`  or --sip-listen <legacy pool IP>:${SIP_TCP_PORT} --sip-server-name <pool FQDN>   (TCP without TLS)`);
  return lines;
}
