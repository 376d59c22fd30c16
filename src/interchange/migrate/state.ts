import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { PchatError } from '../../core/errors.js';
import { BULK_STEPS, type MigrationPlan, type MigrationState, STEPS, type StepRecord } from './types.js';

/** The files of one migration, next to its plan: `<plan>.state.json`, `.report.html`, the archives, the config copy. */
export function migrationFiles(planFile: string) {
  const base = planFile.replace(/\.json$/i, '');
  return {
    state: `${base}.state.json`,
    report: `${base}.report.html`,
    archive: `${base}.archive.zip`,
    bulkArchive: `${base}.bulk.zip`,
    conflicts: `${base}.conflicts.json`,
    /** A copy of the target's configuration file from before the cut-over (what rollback restores). */
    configBefore: `${base}.config-before`,
  };
}

export const stepsOf = (plan: MigrationPlan): StepRecord[] =>
  STEPS.filter((s) => plan.incremental || !BULK_STEPS.includes(s)).map((name) => ({
    name,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    counts: {},
    warnings: [],
    outcome: '',
  }));

export function newState(planFile: string, plan: MigrationPlan): MigrationState {
  return {
    format: 'pchat-migration-state',
    plan: planFile,
    status: 'in-progress',
    steps: stepsOf(plan),
    archive: null,
    bulk: null,
    verify: null,
    webUrl: plan.webUrl,
    updatedAt: new Date().toISOString(),
  };
}

export function readState(file: string): MigrationState | null {
  if (!existsSync(file)) return null;
  let state: MigrationState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as MigrationState;
  } catch (error) {
    throw new PchatError('invalid_input', `${file} is not a migration state file: ${(error as Error).message}`, { field: '--plan' });
  }
  if (state?.format !== 'pchat-migration-state') throw new PchatError('invalid_input', `${file} is not a migration state file`, { field: '--plan' });
  return state;
}

/** Written whole or not at all (a temporary file, then rename), so a kill never leaves half a record. */
export async function saveState(file: string, state: MigrationState): Promise<void> {
  state.updatedAt = new Date().toISOString();
  await writeFile(`${file}.partial`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.partial`, file);
}
