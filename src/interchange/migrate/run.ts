import { readFile } from 'node:fs/promises';
import { SYSTEM_ACTOR } from '../../app/context.js';
import { PchatError } from '../../core/errors.js';
import { Progress } from '../progress.js';
import type { MigrateEnv } from './env.js';
import { parsePlan } from './plan.js';
import { writeMigrationReport } from './report.js';
import { restoreConfig } from './configBackup.js';
import { migrationFiles, newState, readState, saveState, stepsOf } from './state.js';
import { type RunOptions, type StepContext, StepStopped, stepWork } from './steps.js';
import type { MigrationPlan, MigrationState, StepName } from './types.js';

/**
 * The documented test hook: `PCHAT_MIGRATE_TEST_KILL=<step>` makes the process SIGKILL itself in
 * the middle of that step (after its first progress tick, or after its main action), so tests
 * can show that a resumed run completes with the same result. Never set it in production.
 */
export const KILL_HOOK = 'PCHAT_MIGRATE_TEST_KILL';

/** A Progress that lets the test hook strike at the first record of a long job. */
class HookedProgress extends Progress {
  constructor(
    private readonly inner: Progress,
    private readonly tick: () => void,
  ) {
    super('off');
  }
  override start(phase: string, total: number): void {
    this.inner.start(phase, total);
  }
  override add(n = 1): void {
    this.inner.add(n);
    this.tick();
  }
  override stop(): void {
    this.inner.stop();
  }
}

export async function loadPlan(planFile: string): Promise<MigrationPlan> {
  let text: string;
  try {
    text = await readFile(planFile, 'utf8');
  } catch (error) {
    throw new PchatError('invalid_input', `cannot read the plan ${planFile}: ${(error as Error).message}; write one with \`pchat migrate plan\``, { field: '--plan' });
  }
  return parsePlan(planFile, text);
}

export interface RunOutcome {
  readonly state: MigrationState;
  /** The step the run stopped at for the operator, with why; null when it completed or paused. */
  readonly stopped: { step: StepName; reason: string } | null;
}

/**
 * Walks the plan's steps from the first that is not done, recording each one's start, end,
 * counts, warnings and outcome in the state file (atomically) and the HTML report after every
 * change. Every step is idempotent, so a step that was running when the process died simply
 * runs again. `stopBefore` pauses an incremental migration between the bulk and the window.
 */
export async function runMigration(planFile: string, env: MigrateEnv, options: RunOptions & { stopBefore?: StepName | undefined }): Promise<RunOutcome> {
  const plan = await loadPlan(planFile);
  if (plan.errors.length > 0 && !options.allowErrors) {
    throw new PchatError('invalid_input', `the plan lists ${plan.errors.length} errors: fix them and plan again, or run with --allow-errors to go on with them`, { field: '--plan' });
  }
  const files = migrationFiles(planFile);
  let state = readState(files.state) ?? newState(planFile, plan);
  if (state.status === 'complete') return { state, stopped: null };
  if (state.status === 'rolled-back') {
    // A new attempt after a rollback starts from the top: every step is idempotent.
    state = { ...state, status: 'in-progress', steps: stepsOf(plan), verify: null };
  }
  const save = async () => {
    await saveState(files.state, state);
    await writeMigrationReport(files.report, plan, state);
  };
  await save();
  for (const record of state.steps) {
    if (record.status === 'done') continue;
    if (options.stopBefore === record.name) {
      env.out(`Paused before ${record.name}, as asked (--stop-before). Run again to continue.`);
      return { state, stopped: null };
    }
    record.status = 'running';
    record.startedAt = new Date().toISOString();
    record.finishedAt = null;
    record.attempts += 1;
    record.warnings = [];
    record.outcome = '';
    await save();
    env.out(`▶ ${record.name}`);
    const midway = () => {
      if (process.env[KILL_HOOK] === record.name) process.kill(process.pid, 'SIGKILL');
    };
    const ctx: StepContext = { plan, state, files, env, options, progress: () => new HookedProgress(env.progress(), midway), midway, save };
    try {
      const result = await stepWork(record.name)(ctx);
      record.status = 'done';
      record.outcome = result.outcome;
      record.counts = result.counts ?? {};
      record.warnings = result.warnings ?? [];
      env.out(`  ✓ ${result.outcome}`);
    } catch (error) {
      // A stop for the operator (a refusal, an unanswered question, a clear pchat error) is
      // recorded as such; anything else is a failure, recorded and thrown.
      const forOperator = error instanceof StepStopped || error instanceof PchatError;
      record.status = forOperator ? 'stopped' : 'failed';
      record.outcome = error instanceof Error ? error.message : String(error);
      record.finishedAt = new Date().toISOString();
      await save();
      if (forOperator) return { state, stopped: { step: record.name, reason: record.outcome } };
      throw error;
    }
    record.finishedAt = new Date().toISOString();
    await save();
  }
  state.status = 'complete';
  await save();
  return { state, stopped: null };
}

export async function migrationStatus(planFile: string): Promise<{ plan: MigrationPlan; state: MigrationState }> {
  const plan = await loadPlan(planFile);
  return { plan, state: readState(migrationFiles(planFile).state) ?? newState(planFile, plan) };
}

/**
 * Undoes what the window changed, as long as the source is not decommissioned: unfreezes a
 * pchat source and puts the target's configuration file back exactly as it was before the
 * cut-over (byte for byte; removed if there was none). What was imported stays in the target
 * (a later run finds it by identity and adds nothing twice).
 */
export async function rollbackMigration(planFile: string, env: MigrateEnv): Promise<{ state: MigrationState; undone: string[] }> {
  const plan = await loadPlan(planFile);
  const files = migrationFiles(planFile);
  const state = readState(files.state);
  if (!state) throw new PchatError('invalid_input', `nothing to roll back: ${planFile} has not been run (no ${files.state})`, { field: '--plan' });
  const decommission = state.steps.find((s) => s.name === 'decommission');
  if (decommission && decommission.status !== 'pending') {
    throw new PchatError('conflict', `the source was ${decommission.status === 'done' ? 'decommissioned' : 'being decommissioned'} (${decommission.startedAt}): a rollback is no longer possible; the archive ${state.archive?.path ?? ''} is the record of the source`, { field: '--plan' });
  }
  const undone: string[] = [];
  const stepStarted = (name: StepName) => state.steps.some((s) => s.name === name && s.status !== 'pending');
  if (state.configBefore && stepStarted('cut-over')) {
    // The file exactly as it was before the cut-over first wrote to it (or no file).
    const said = await restoreConfig(state.configBefore);
    undone.push(...said.slice(0, -1), `${said.at(-1)} (restart the target server)`);
    state.configBefore = null;
    state.sipBefore = null;
  } else if (plan.irc && stepStarted('cut-over')) {
    // A state file from before the configuration was recorded: undo the cut-over's own edits.
    if (await env.removeIrcEndpoint(plan.toConfig, plan.irc.host, plan.irc.port)) undone.push(`removed the IRC endpoint ${plan.irc.host}:${plan.irc.port} from ${plan.toConfig} (restart the target server)`);
  }
  const sipListen = plan.sip?.listen;
  if (sipListen && stepStarted('cut-over') && state.sipBefore !== null) {
    const before = state.sipBefore ?? null;
    const removed = await env.releaseSipAddress(plan.toConfig, sipListen, before);
    if (removed || before) {
      undone.push(`${removed ? `removed the SIP endpoint ${sipListen.host}:${sipListen.port} from ${plan.toConfig}` : `the SIP endpoint's address was there before the migration and stays in ${plan.toConfig}`}${before ? '; SIP domains and server name as they were before the cut-over' : ''} (restart the target server)`);
    }
    state.sipBefore = null;
  }
  if (stepStarted('freeze-source')) {
    if (plan.sourceKind === 'pchat') {
      const opened = await env.openSource(plan.from, plan.sourceOptions);
      try {
        await opened.local!.app.pool.setMaintenance(SYSTEM_ACTOR, { enabled: false });
      } finally {
        await opened.close();
      }
      undone.push(`lifted read-only maintenance on ${plan.from}: posting is open again`);
    } else {
      undone.push('restart the legacy services: the migration no longer needs them stopped');
    }
  }
  state.status = 'rolled-back';
  await saveState(files.state, state);
  await writeMigrationReport(files.report, plan, state);
  return { state, undone };
}
