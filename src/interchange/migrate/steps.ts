import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SYSTEM_ACTOR } from '../../app/context.js';
import { PchatError } from '../../core/errors.js';
import { chatEnabledFor } from '../../core/policy.js';
import { VERSION } from '../../version.js';
import type { ExportOptions, Manifest, NoteRecord } from '../archive/records.js';
import { openArchive } from '../archive/reader.js';
import { errorsOf } from '../import/plan.js';
import { exportJob, importJob, verifyJob } from '../jobs.js';
import { pchatSource } from '../pchat/source.js';
import type { Progress } from '../progress.js';
import { identityOf, type RecordSource } from '../source.js';
import { probeAddress } from './addressProbe.js';
import { historyAbove, messagesAbove, sourceMarks, targetMarks } from './delta.js';
import type { MigrateEnv } from './env.js';
import { sourcePolicies } from './policy.js';
import type { migrationFiles } from './state.js';
import type { ArchiveRecord, MigrationPlan, MigrationState, SipListen, SipPlan, StepName } from './types.js';

export interface RunOptions {
  /** Confirm the import's warnings without asking. */
  readonly yes: boolean;
  /** The operator confirms the legacy services are stopped (a legacy dump or archive source). */
  readonly legacyStopped: boolean;
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

/** The step cannot go on until the operator acts: the run stops here, and `run` again resumes here. */
export class StepStopped extends Error {}

const FULL: ExportOptions = { level: 'all', scope: [], startDate: null, disableExported: false };

/** The step's warning lines for the files not carried (each named in the report's file section). */
const filesNotCarried = (notes: readonly NoteRecord[]): string[] => [
  `${notes.length} files not carried (listed by name, message and room in the report and the export's notes)`,
  ...notes.slice(0, 20).map((n) => `${n.code}: ${n.message}`),
  ...(notes.length > 20 ? [`… and ${notes.length - 20} more`] : []),
];

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
  const opened = await ctx.env.openSource(ctx.plan.from);
  try {
    return await fn(opened.source, opened.local);
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
      const { plan, result } = await importJob(source, target.app, { whatIf: false, confirm: async () => true, progress: ctx.progress(), blobs: target.store.blobs });
      if (!result) throw new StepStopped(`the import refused the archive: ${errorsOf(plan).length} errors (see the report)`);
      ctx.midway();
      const notCarried = plan.notes.filter((n) => n.severity === 'file');
      return {
        outcome: `${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.messagesAdded} messages added, ${result.filesAdded} files added`,
        counts: { created: result.created, updated: result.updated, unchanged: result.unchanged, messagesAdded: result.messagesAdded, filesAdded: result.filesAdded, filesNotCarried: notCarried.length },
        ...(notCarried.length > 0 && { warnings: filesNotCarried(notCarried) }),
      };
    }),
  );
}

async function verifyInto(ctx: StepContext, source: RecordSource, store: Parameters<typeof verifyJob>[1]): Promise<StepResult> {
  const result = await verifyJob(source, store, { progress: ctx.progress(), conflicts: ctx.files.conflicts });
  ctx.midway();
  ctx.state.verify = { ok: result.conflicts.length === 0, compared: result.compared, conflicts: result.conflicts.length, conflictsFile: ctx.files.conflicts };
  const counts = { ...result.compared, conflicts: result.conflicts.length, expectedConversions: result.conversions.length };
  if (result.conflicts.length > 0) {
    const first = result.conflicts.slice(0, 5).map((c) => `${c.type} ${c.name}: ${c.field}`);
    throw new StepStopped(`${result.conflicts.length} unexplained differences (all in ${ctx.files.conflicts}): ${first.join('; ')}`);
  }
  return { outcome: `no unexplained difference (${result.conversions.length} expected conversions)`, counts };
}

const showAddress = (l: { host: string; port: number }) => (l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`);

/**
 * Before the SIP cut-over writes anything: records the target's SIP settings as they are (once,
 * on the first attempt, so rollback can put them back), then checks the address is free by
 * binding it and closing it again. In use and not yet in the config: stop, naming what holds it.
 * In use but already in the config (an earlier attempt wrote it, and the restarted target
 * presumably holds it): go on, with a warning.
 */
async function checkSipAddress(ctx: StepContext, listen: SipListen): Promise<string[]> {
  const file = ctx.plan.toConfig;
  const settings = await ctx.env.sipSettings(file);
  const present = settings.listen.some((l) => l.host === listen.host && l.port === listen.port);
  if (!ctx.state.sipBefore) {
    ctx.state.sipBefore = { removeAddress: !present, domains: settings.domains, serverName: settings.serverName };
    await ctx.save();
  }
  const taken = await probeAddress(listen.host, listen.port);
  if (!taken) return [];
  if (!present || taken.code !== 'EADDRINUSE') {
    throw new StepStopped(`cannot give the SIP endpoint ${showAddress(listen)}: ${taken.reason}. Take the legacy pool's service off that address (or free it), then run again`);
  }
  return [`${taken.reason}; it is already the SIP endpoint's in ${file}, so presumably the target server took it after an earlier cut-over`];
}

async function claimSip(ctx: StepContext, sip: SipPlan, listen: SipListen): Promise<string> {
  const added = await ctx.env.claimSipAddress(ctx.plan.toConfig, { ...listen, domains: sip.domains, serverName: sip.serverName });
  return `SIP endpoint ${showAddress(listen)} (${listen.tls ? 'TLS' : 'TCP'}${sip.serverName ? `, ${sip.serverName}` : ''}; domains ${sip.domains.join(', ')}) ${added ? 'added to' : 'already in'} ${ctx.plan.toConfig}`;
}

const STEP_WORK: Record<StepName, (ctx: StepContext) => Promise<StepResult>> = {
  async 'check-target'(ctx) {
    const checks: string[] = [];
    if (ctx.env.sizeOf(ctx.plan.to) === null && !/^postgres(ql)?:\/\//.test(ctx.plan.to)) throw new StepStopped(`the target database ${ctx.plan.to} does not exist (any more)`);
    await withTarget(ctx, async (target) => {
      // Opening applies any missing schema migration of this pchat version: the schema is then current.
      await target.store.users.countAdmins();
      checks.push(`database ${ctx.plan.to.replace(/\/\/[^@/]*@/, '//…@')} reachable, schema current (pchat ${VERSION})`);
    });
    if (ctx.plan.webUrl) {
      const url = new URL('/healthz', ctx.plan.webUrl);
      let health: { status?: string; version?: string; decommissioned?: unknown };
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        health = (await response.json()) as typeof health;
      } catch (error) {
        throw new StepStopped(`the target server does not answer at ${url}: ${(error as Error).message}. Start it (pchat serve) or fix --web-url.`);
      }
      if (health.status !== 'ok') throw new StepStopped(`the target server at ${url} is not healthy: ${JSON.stringify(health)}`);
      if (health.version !== VERSION) throw new StepStopped(`the target server runs pchat ${health.version}, this tool is ${VERSION}: upgrade one so the schemas match`);
      if (health.decommissioned) throw new StepStopped(`the target server at ${url} is itself decommissioned`);
      checks.push(`server ${ctx.plan.webUrl} healthy`);
    }
    ctx.midway();
    return { outcome: checks.join('; ') };
  },

  async 'bulk-export'(ctx) {
    const { manifest, notes } = await withSource(ctx, (source) => exportJob(source, ctx.files.bulkArchive, FULL, ctx.progress()));
    ctx.midway();
    const archive = await sha256Of(ctx.files.bulkArchive);
    const sourceSeq = await withArchive(archive.path, sourceMarks);
    ctx.state.bulk = { archive, sourceSeq, targetSeq: {} };
    const notCarried = notes.filter((n) => n.severity === 'file');
    return {
      outcome: `bulk archive ${archive.path} written while the source is live`,
      counts: exportCounts(manifest, notes),
      ...(notCarried.length > 0 && { warnings: filesNotCarried(notCarried) }),
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
    ctx.state.archive = await sha256Of(windowArchive(ctx));
    const notCarried = notes.filter((n) => n.severity === 'file');
    return {
      outcome: `${bulk ? 'delta ' : ''}archive ${ctx.state.archive.path}, SHA-256 ${ctx.state.archive.sha256}; ${Object.keys(manifest.attachments ?? {}).length} files carried, ${notCarried.length} not carried`,
      counts: exportCounts(manifest, notes),
      ...(notCarried.length > 0 && { warnings: filesNotCarried(notCarried) }),
    };
  },

  async 'import-what-if'(ctx) {
    return withArchive(windowArchive(ctx), (source) =>
      withTarget(ctx, async (target) => {
        const { plan } = await importJob(source, target.app, { whatIf: true, confirm: async () => false, progress: ctx.progress() });
        ctx.midway();
        const errors = errorsOf(plan);
        const warnings = plan.notes.filter((n) => n.severity === 'warning').map((n) => `${n.code}: ${n.message}`);
        const overwrites = plan.items.filter((i) => i.action === 'overwrite').map((i) => `${i.type} "${i.name}" overwritten`);
        const counts = { ...plan.counts, errors: errors.length, warnings: warnings.length, collisions: overwrites.length };
        if (errors.length > 0) throw new StepStopped(`${errors.length} errors would stop the import: ${errors.slice(0, 5).map((e) => e.message).join('; ')}`);
        const attention = [...warnings, ...overwrites];
        if (attention.length > 0 && !ctx.options.yes) {
          for (const line of attention.slice(0, 30)) ctx.env.out(`  ${line}`);
          if (!(await ctx.env.confirm(`Import despite ${warnings.length} warnings and ${overwrites.length} collisions (listed above and in the report)?`, '--yes'))) {
            throw new StepStopped('the warnings were not confirmed: review them, then run again (or with --yes)');
          }
        }
        return { outcome: `no errors; ${warnings.length} warnings and ${overwrites.length} collisions ${attention.length ? 'confirmed' : ''}`.trim(), counts, warnings: attention };
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

  async 'cut-over'(ctx) {
    const irc = ctx.plan.irc;
    const sip = ctx.plan.sip;
    const sipListen = sip?.listen ?? null;
    // The SIP address is checked before anything is written, so a refusal leaves the config as it was.
    const warnings = sipListen ? await checkSipAddress(ctx, sipListen) : [];
    if (!irc && !sipListen) {
      warnings.push('legacy clients keep the old address: plan with --irc-listen to take it over');
      if (sip) warnings.push('Lync/OCS clients keep the legacy pool: plan with --sip-listen to take its address over');
      return { outcome: 'no legacy address in the plan: nothing to cut over', warnings };
    }
    const done: string[] = [];
    if (irc) {
      const added = await ctx.env.addIrcEndpoint(ctx.plan.toConfig, irc.host, irc.port, irc.serverName);
      done.push(`IRC endpoint ${irc.host}:${irc.port}${irc.serverName ? ` (${irc.serverName})` : ''} ${added ? 'added to' : 'already in'} ${ctx.plan.toConfig}`);
    }
    if (sip && sipListen) done.push(await claimSip(ctx, sip, sipListen));
    else if (sip) warnings.push('Lync/OCS clients keep the legacy pool: plan with --sip-listen to take its address over');
    ctx.midway();
    return { outcome: `${done.join('; ')}: restart the target server to listen there`, ...(warnings.length > 0 && { warnings }) };
  },

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
        if (!user || chatEnabledFor(user.id, snapshot.policies, snapshot.graph)) continue;
        await target.app.settings.setPolicy(SYSTEM_ACTOR, { scope: 'user', targetId: user.id, enabled: true });
        enabled.push(u.login);
      }
    });
    ctx.midway();
    const url = ctx.plan.webUrl ?? '(no --web-url in the plan)';
    ctx.env.out(`The new web client: ${url}`);
    return {
      outcome: `web client at ${url}; ${enabled.length} migrated users enabled by a user policy`,
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
