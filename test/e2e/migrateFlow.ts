import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, PCHAT_BIN } from '../helpers/childServer.js';
import { normalisedRecords } from '../helpers/interchange.js';
import { ADMIN_PASSWORD } from '../helpers/server.js';
import { stepsOf } from '../../src/interchange/migrate/state.js';
import type { MigrationPlan } from '../../src/interchange/migrate/types.js';

/** Shared by the migration end-to-end tests (test/e2e/migrate*.test.ts and test/browser/migrate*). */

const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PCHAT_'))) as Record<string, string>;

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real `pchat` executable, with extra environment (e.g. the kill hook); never rejects. */
export function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [PCHAT_BIN, ...args], { env: { ...BASE_ENV, ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: child.signalCode, stdout, stderr });
    });
    child.stdin?.end('');
  });
}

export async function ok(args: readonly string[]): Promise<string> {
  const run = await cli(args);
  assert.equal(run.code, 0, `pchat ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** A pchat deployment: a data directory whose pchat.config.json the migration's cut-over edits. */
export interface Deployment {
  readonly dir: string;
  readonly database: string;
  readonly config: string;
}

export function deployment(dir: string): Deployment {
  const config = join(dir, 'pchat.config.json');
  // IRC off until the cut-over gives it the legacy address (and never the shared default 6667).
  writeFileSync(config, `${JSON.stringify({ irc: { listen: [], floodControl: false } }, null, 2)}\n`);
  return { dir, database: join(dir, 'pchat.db'), config };
}

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `pchat serve --config <its file>` on a free HTTP port: the IRC endpoint is whatever the file says. */
export async function serve(d: Deployment): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [PCHAT_BIN, 'serve', '--config', d.config, '--database', d.database], {
    cwd: d.dir,
    env: { ...BASE_ENV, PCHAT_PORT: String(port), PCHAT_HOST: '127.0.0.1', PCHAT_ADMIN_PASSWORD: ADMIN_PASSWORD, PCHAT_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`pchat serve exited:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`pchat serve never became healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const stateOf = (plan: string): { status: string; steps: { name: string; status: string; attempts: number }[]; archive: { sha256: string } | null; verify: { ok: boolean } | null } =>
  JSON.parse(readFileSync(plan.replace(/\.json$/, '.state.json'), 'utf8'));

/**
 * Runs the plan, killing the process (the documented test hook) inside each step once in turn,
 * then lets a last run finish (or, with `stopBefore`, pause before that step, as an incremental
 * migration does between its bulk and its window). Returns the steps that were killed.
 */
export async function runInterruptedAtEveryStep(plan: string, extra: readonly string[], stopBefore?: string): Promise<string[]> {
  const args = ['migrate', 'run', '--plan', plan, ...extra, ...(stopBefore ? ['--stop-before', stopBefore] : [])];
  // Before the first run there is no state file yet: the plan says which steps there will be.
  const all = existsSync(plan.replace(/\.json$/, '.state.json')) ? stateOf(plan).steps : stepsOf(JSON.parse(readFileSync(plan, 'utf8')) as MigrationPlan);
  const end = stopBefore ? all.findIndex((s) => s.name === stopBefore) : all.length;
  const pending = all.slice(0, end).filter((s) => s.status !== 'done');
  const steps = pending.map((s) => s.name);
  const attemptsBefore = new Map(pending.map((s) => [s.name, s.attempts]));
  for (const step of steps) {
    const run = await cli(args, { PCHAT_MIGRATE_TEST_KILL: step });
    assert.equal(run.signal, 'SIGKILL', `the run was to be killed inside ${step}:\n${run.stdout}\n${run.stderr}`);
    const record = stateOf(plan).steps.find((s) => s.name === step);
    assert.equal(record?.status, 'running', `killed inside ${step}, so the record shows it running`);
  }
  const last = await cli(args);
  assert.equal(last.code, 0, `${last.stdout}\n${last.stderr}`);
  const state = stateOf(plan);
  if (!stopBefore) assert.equal(state.status, 'complete');
  for (const s of state.steps.slice(0, end)) assert.equal(s.status, 'done', s.name);
  for (const step of steps) assert.equal(state.steps.find((s) => s.name === step)?.attempts, (attemptsBefore.get(step) ?? 0) + 2, `${step} ran twice more: killed, then resumed`);
  return steps;
}

/** Every record the target holds, ids through identities; the bootstrap administrator (not migrated) left out. */
export async function migratedRecords(d: Deployment, out: string): Promise<Record<string, unknown[]>> {
  await ok(['export', '--database', d.database, '--out', out]);
  const records = await normalisedRecords(out);
  records.users = records.users!.filter((u: any) => u.login !== 'admin');
  return records;
}
