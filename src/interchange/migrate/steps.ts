import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SYSTEM_ACTOR } from '../../app/context.js';
import { PchatError } from '../../core/errors.js';
import { policyEnabledFor } from '../../core/policy.js';
import { VERSION } from '../../version.js';
import type { ExportOptions, Manifest, NoteRecord } from '../archive/records.js';
import { openArchive } from '../archive/reader.js';
import { accountsWithoutPassword } from '../import/credentials.js';
import { errorsOf } from '../import/plan.js';
import { exportJob, importJob, verifyJob } from '../jobs.js';
import { pchatSource } from '../pchat/source.js';
import type { Progress } from '../progress.js';
import { identityOf, type RecordSource } from '../source.js';
import { errorLines, errorNotes, sourceErrorsSummary } from '../sourceErrors.js';
import { describeConflict } from '../verify/describe.js';
import { countsInWords, plural } from '../reportWords.js';
import { historyAbove, messagesAbove, sourceMarks, targetMarks } from './delta.js';
import type { MigrateEnv } from './env.js';
import { sourcePolicies } from './policy.js';
import { withPlanRenames } from './plan.js';
import { peopleOfPlan } from '../people/planned.js';
import type { migrationFiles } from './state.js';
import { StepStopped } from './stopped.js';
import { cutOver } from './cutOver.js';
import { proveTargetServer } from './targetServer.js';
import type { ArchiveRecord, MigrationPlan, MigrationState, StepName } from './types.js';

export interface RunOptions {
  /** Confirm the import's warnings without asking. */
  readonly yes: boolean;
  /** The operator confirms the legacy services are stopped (a legacy dump or archive source). */
  readonly legacyStopped: boolean;
  /** Go on when the source reported errors (`--allow-errors`); otherwise the export steps stop on them. */
  readonly allowErrors?: boolean;
}

export interface StepContext {
  readonly plan: MigrationPlan;
  readonly state: MigrationState;
  readonly files: ReturnType<typeof migrationFiles>;
  readonly env: MigrateEnv;
  readonly options: RunOptions;
  /** Progress for the step's long job. */
  progress(): Progress;
  /** Marks the middle of a step: the documented test hook kills the process here. */
  midway(): void;
  /** Writes the state file now: a step records what it is about to change before it changes it. */
  save(): Promise<void>;
}

export interface StepResult {
  readonly outcome: string;
  readonly counts?: Record<string, number>;
  readonly warnings?: string[];
}

export { StepStopped };

const FULL: ExportOptions = { level: 'all', scope: [], startDate: null, disableExported: false };

/** The step's warning lines for the files not carried (each named in the report's file section). */
const filesNotCarried = (notes: readonly NoteRecord[]): string[] => [
  `${plural(notes.length, 'file')} not carried (listed by name, message and room in the report and the export's notes)`,
  ...notes.slice(0, 20).map((n) => `${n.code}: ${n.message}`),
  ...(notes.length > 20 ? [`… and ${notes.length - 20} more`] : []),
];

/**
 * The source's errors, as `pchat export` treats them: the step stops, naming how many and the
 * first few (all of them are in the archive's notes), unless the run allows them; then they are
 * the step's warnings.
 */
function sourceErrorWarnings(ctx: StepContext, notes: readonly NoteRecord[], archive: string): string[] {
  const errors = errorNotes(notes);
  if (errors.length === 0) return [];
  const summary = sourceErrorsSummary(errors.length, `in the notes of ${archive} (\`pchat import ${archive} --what-if\` prints them)`, ctx.options.allowErrors === true, 'run again');
  if (!ctx.options.allowErrors) throw new StepStopped(`${summary} First: ${errorLines(errors, 5).join('; ')}`);
  return [summary, ...errorLines(errors)];
}

/** Counts of an export: records per file, and the files carried. */
const exportCounts = (manifest: Manifest, notes: readonly NoteRecord[]): Record<string, number> => ({
  ...Object.fromEntries(Object.entries(manifest.files).map(([f, v]) => [f.replace('.ndjson', ''), v.records])),
  filesCarried: Object.keys(manifest.attachments ?? {}).length,
  filesNotCarried: notes.filter((n) => n.severity === 'file').length,
});

async function sha256Of(path: string): Promise<ArchiveRecord> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path, sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

async function withSource<T>(ctx: StepContext, fn: (source: RecordSource, local: Awaited<ReturnType<MigrateEnv['openSource']>>['local']) => Promise<T>): Promise<T> {
  const opened = await ctx.env.openSource(ctx.plan.from, ctx.plan.sourceOptions);
  try {
    // The plan's rename file, as planned (its text is kept in the plan): export and verify see the same names.
    return await fn(withPlanRenames(opened.source, ctx.plan.renames), opened.local);
  } finally {
    await opened.close();
  }
}

async function withTarget<T>(ctx: StepContext, fn: (target: Awaited<ReturnType<MigrateEnv['openDatabase']>>) => Promise<T>): Promise<T> {
  const target = await ctx.env.openDatabase(ctx.plan.to);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

async function withArchive<T>(path: string, fn: (source: Awaited<ReturnType<typeof openArchive>>) => Promise<T>): Promise<T> {
  const source = await openArchive(path);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

/** The archive the window imports: the full export, or the delta of an incremental run. */
const windowArchive = (ctx: StepContext): string => ctx.files.archive;

async function importArchive(ctx: StepContext, path: string): Promise<StepResult> {
  return withArchive(path, (source) =>
    withTarget(ctx, async (target) => {
      const { plan, result } = await importJob(source, target.app, { whatIf: false, confirm: async () => true, progress: ctx.progress(), blobs: target.store.blobs, strict: ctx.plan.strict === true, people: peopleOfPlan(ctx.plan.people) });
      if (!result) throw new StepStopped(`the import refused the archive: ${plural(errorsOf(plan).length, 'error')} (see the report)`);
      ctx.midway();
      const notCarried = plan.notes.filter((n) => n.severity === 'file');
      return {
        outcome: countsInWords({ created: result.created, updated: result.updated, unchanged: result.unchanged, messagesAdded: result.messagesAdded, filesAdded: result.filesAdded }),
        counts: { created: result.created, updated: result.updated, unchanged: result.unchanged, messagesAdded: result.messagesAdded, filesAdded: result.filesAdded, filesNotCarried: notCarried.length, accountsWithoutPassword: accountsWithoutPassword(plan).length },
        ...(notCarried.length > 0 && { warnings: filesNotCarried(notCarried) }),
      };
    }),
  );
}

async function verifyInto(ctx: StepContext, source: RecordSource, store: Parameters<typeof verifyJob>[1]): Promise<StepResult> {
  const result = await verifyJob(source, store, { progress: ctx.progress(), conflicts: ctx.files.conflicts, people: peopleOfPlan(ctx.plan.people) });
  ctx.midway();
  ctx.state.verify = { ok: result.conflicts.length === 0, compared: result.compared, conflicts: result.conflicts.length, conflictsFile: ctx.files.conflicts };
  const counts = { ...result.compared, conflicts: result.conflicts.length, expectedConversions: result.conversions.length };
  if (result.conflicts.length > 0) {
    const first = result.conflicts.slice(0, 5).map(describeConflict);
    throw new StepStopped(`${plural(result.conflicts.length, 'unexplained difference')} (all in ${ctx.files.conflicts}): ${first.join('; ')}`);
  }
  return { outcome: `no unexplained difference (${plural(result.conversions.length, 'expected conversion')})`, counts };
}

const STEP_WORK: Record<StepName, (ctx: StepContext) => Promise<StepResult>> = {
  async 'check-target'(ctx) {
    const checks: string[] = [];
    if (ctx.env.sizeOf(ctx.plan.to) === null && !/^postgres(ql)?:\/\//.test(ctx.plan.to)) throw new StepStopped(`the target database ${ctx.plan.to} does not exist (any more)`);
    await withTarget(ctx, async (target) => {
      // Opening applies any missing schema migration of this pchat version: the schema is then current.
      await target.store.users.countAdmins();
      checks.push(`database ${ctx.plan.to.replace(/\/\/[^@/]*@/, '//…@')} reachable, schema current (pchat ${VERSION})`);
      if (ctx.plan.webUrl) {
        const server = await proveTargetServer(ctx.plan.webUrl, target.store, ctx.plan.to);
        checks.push(`server ${ctx.plan.webUrl} healthy and serving the target database itself (database id ${server.databaseId}, identity mark seen)`);
      }
    });
    ctx.midway();
    return { outcome: checks.join('; ') };
  },

  async 'bulk-export'(ctx) {
    const { manifest, notes } = await withSource(ctx, (source) => exportJob(source, ctx.files.bulkArchive, FULL, ctx.progress()));
    ctx.midway();
    const errorWarnings = sourceErrorWarnings(ctx, notes, ctx.files.bulkArchive);
    const archive = await sha256Of(ctx.files.bulkArchive);
    const sourceSeq = await withArchive(archive.path, sourceMarks);
    ctx.state.bulk = { archive, sourceSeq, targetSeq: {} };
    const notCarried = notes.filter((n) => n.severity === 'file');
    return {
      outcome: `bulk archive ${archive.path} written while the source is live`,
      counts: exportCounts(manifest, notes),
      warnings: [...errorWarnings, ...(notCarried.length > 0 ? filesNotCarried(notCarried) : [])],
    };
  },

  async 'bulk-import'(ctx) {
    const bulk = ctx.state.bulk;
    if (!bulk) throw new PchatError('internal', 'bulk-import without a bulk export');
    const result = await importArchive(ctx, bulk.archive.path);
    bulk.targetSeq = await withTarget(ctx, (target) => targetMarks(target.store));
    return result;
  },

  async 'bulk-verify'(ctx) {
    const bulk = ctx.state.bulk;
    if (!bulk) throw new PchatError('internal', 'bulk-verify without a bulk export');
    return withArchive(bulk.archive.path, (source) => withTarget(ctx, (target) => verifyInto(ctx, source, target.store)));
  },

  async 'freeze-source'(ctx) {
    if (ctx.plan.sourceKind !== 'pchat') {
      const stopped =
        ctx.options.legacyStopped ||
        (await ctx.env.confirm(`Are the legacy services of ${ctx.plan.from} stopped, so nobody writes there any more?`, '--legacy-stopped'));
      if (!stopped) throw new StepStopped('the legacy services must be stopped first: stop them, then run again with --legacy-stopped');
      ctx.midway();
      return { outcome: 'the operator confirmed that the legacy services are stopped' };
    }
    const message = `This chat is moving${ctx.plan.webUrl ? ` to ${ctx.plan.webUrl}` : ''}: you can read, but posting is closed for the migration.`;
    await withSource(ctx, async (_source, local) => {
      await local!.app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: true, message });
    });
    ctx.midway();
    return { outcome: `source in read-only maintenance: "${message}"` };
  },

  async export(ctx) {
    const bulk = ctx.state.bulk;
    const { manifest, notes } = await withSource(ctx, async (source, local) => {
      if (!bulk) return exportJob(source, windowArchive(ctx), FULL, ctx.progress());
      // The delta: every directory item (they are few) and only the messages above the bulk's marks.
      const delta = local ? await pchatSource(historyAbove(local.store, bulk.sourceSeq)) : source;
      return exportJob(messagesAbove(delta, bulk.sourceSeq), windowArchive(ctx), FULL, ctx.progress());
    });
    ctx.midway();
    const errorWarnings = sourceErrorWarnings(ctx, notes, windowArchive(ctx));
    ctx.state.archive = await sha256Of(windowArchive(ctx));
    const notCarried = notes.filter((n) => n.severity === 'file');
    return {
      outcome: `${bulk ? 'delta ' : ''}archive ${ctx.state.archive.path}, SHA-256 ${ctx.state.archive.sha256}; ${plural(Object.keys(manifest.attachments ?? {}).length, 'file')} carried, ${notCarried.length} not carried`,
      counts: exportCounts(manifest, notes),
      warnings: [...errorWarnings, ...(notCarried.length > 0 ? filesNotCarried(notCarried) : [])],
    };
  },

  async 'import-what-if'(ctx) {
    return withArchive(windowArchive(ctx), (source) =>
      withTarget(ctx, async (target) => {
        const { plan } = await importJob(source, target.app, { whatIf: true, confirm: async () => false, progress: ctx.progress(), strict: ctx.plan.strict === true, people: peopleOfPlan(ctx.plan.people) });
        ctx.midway();
        const errors = errorsOf(plan);
        const warnings = plan.notes.filter((n) => n.severity === 'warning').map((n) => `${n.code}: ${n.message}`);
        const overwrites = plan.items.filter((i) => i.action === 'overwrite').map((i) => `${i.type} "${i.name}" overwritten`);
        const counts = { ...plan.counts, errors: errors.length, warnings: warnings.length, collisions: overwrites.length, resolved: plan.resolutions.length };
        if (errors.length > 0) throw new StepStopped(`${plural(errors.length, 'error')} would stop the import: ${errors.slice(0, 5).map((e) => e.message).join('; ')}`);
        const attention = [...warnings, ...overwrites];
        if (attention.length > 0 && !ctx.options.yes) {
          for (const line of attention.slice(0, 30)) ctx.env.out(`  ${line}`);
          if (!(await ctx.env.confirm(`Import despite ${plural(warnings.length, 'warning')} and ${plural(overwrites.length, 'collision')} (listed above and in the report)?`, '--yes'))) {
            throw new StepStopped('the warnings were not confirmed: review them, then run again (or with --yes)');
          }
        }
        return { outcome: `no errors; ${plural(warnings.length, 'warning')} and ${plural(overwrites.length, 'collision')} ${attention.length ? 'confirmed' : ''}`.trim(), counts, warnings: attention };
      }),
    );
  },

  async import(ctx) {
    return importArchive(ctx, windowArchive(ctx));
  },

  async verify(ctx) {
    const bulk = ctx.state.bulk;
    if (bulk) {
      // The bulk was verified before the window; now the delta archive against what the delta import added.
      return withArchive(windowArchive(ctx), (source) => withTarget(ctx, (target) => verifyInto(ctx, source, historyAbove(target.store, bulk.targetSeq))));
    }
    return withSource(ctx, (source) => withTarget(ctx, (target) => verifyInto(ctx, source, target.store)));
  },

  'cut-over': cutOver,

  async 'enable-client'(ctx) {
    const policies = await withArchive(windowArchive(ctx), sourcePolicies);
    const description = await withArchive(windowArchive(ctx), async (a) => a.description);
    const enabled: string[] = [];
    await withTarget(ctx, async (target) => {
      const snapshot = await target.app.directory.snapshot();
      const byOrigin = new Map([...snapshot.users.values()].filter((u) => u.origin).map((u) => [`${u.origin!.system}\u0000${u.origin!.id}`, u]));
      for (const u of policies.users) {
        if (u.disabled || policies.enabled.get(u.id) !== true) continue;
        const o = identityOf(description, u);
        const user = byOrigin.get(`${o.system}\u0000${o.id}`);
        if (!user || policyEnabledFor(user.id, snapshot.policies, snapshot.graph)) continue;
        await target.app.settings.setPolicy(SYSTEM_ACTOR, { scope: 'user', targetId: user.id, enabled: true });
        enabled.push(u.login);
      }
    });
    ctx.midway();
    const url = ctx.plan.webUrl ?? '(no --web-url in the plan)';
    ctx.env.out(`The new web client: ${url}`);
    return {
      outcome: `web client at ${url}; ${plural(enabled.length, 'migrated user')} enabled by a user policy`,
      counts: { usersEnabled: enabled.length },
      warnings: enabled.length ? [`enabled (the target's policy hid them): ${enabled.slice(0, 20).join(', ')}${enabled.length > 20 ? ' …' : ''}`] : [],
    };
  },

  async decommission(ctx) {
    const archive = ctx.state.archive;
    if (!archive) throw new PchatError('internal', 'decommission without an archive');
    const now = await sha256Of(archive.path);
    if (now.sha256 !== archive.sha256) throw new StepStopped(`the archive ${archive.path} changed since the export (SHA-256 ${now.sha256}, recorded ${archive.sha256}): restore it before decommissioning`);
    const newAddress = ctx.plan.webUrl ?? (ctx.plan.irc ? `irc://${ctx.plan.irc.serverName ?? ctx.plan.irc.host}:${ctx.plan.irc.port}` : 'the new pchat deployment');
    if (ctx.plan.sourceKind !== 'pchat') {
      ctx.midway();
      return { outcome: `archive ${archive.path} (SHA-256 ${archive.sha256}) kept with this record; take the legacy servers out of service (the dump is no longer read)` };
    }
    await withSource(ctx, async (_source, local) => {
      await local!.app.pool.setDecommissioned(SYSTEM_ACTOR, { newAddress });
    });
    ctx.midway();
    return { outcome: `source decommissioned: its servers refuse connections and point to ${newAddress}; archive ${archive.path} (SHA-256 ${archive.sha256}) kept with this record` };
  },
};

export const stepWork = (name: StepName): ((ctx: StepContext) => Promise<StepResult>) => STEP_WORK[name];
