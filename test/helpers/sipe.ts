import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * pidgin-sipe, the real Lync/OCS group chat client, driven headless through bitlbee by the
 * harness in ../shared/legacy-clients/sipe (see its README). Each run signs in, runs its steps
 * and signs off; the transcript (what bitlbee showed, one line each) is what a test checks.
 */
export const SIPE_HARNESS = resolve(process.cwd(), '..', 'shared', 'legacy-clients', 'sipe', 'sipe-client.py');

/** Throws (so the test fails, never skips) when the harness or the client is missing. */
export function assertSipeInstalled(): void {
  if (!existsSync(SIPE_HARNESS)) throw new Error(`The pidgin-sipe harness is missing: ${SIPE_HARNESS} (../shared must sit beside the checkout).`);
  for (const file of ['/usr/sbin/bitlbee', '/usr/lib/purple-2/libsipe.so']) {
    if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install pidgin-sipe bitlbee-libpurple gcc libxml2-dev pkg-config (.ci/run does).`);
  }
}

export interface SipeRun {
  /** Every line so far, `<< ` for what bitlbee said, `>> ` for what the harness sent, `!! ` for sipe's debug log (with `trace`). */
  readonly lines: string[];
  /** Resolves with the first line matching, or rejects after `timeoutMs` with the transcript. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the whole transcript once the harness exits. */
  readonly done: Promise<{ code: number | null; transcript: string }>;
  kill(): void;
}

// Scratch directories of this test process, removed at exit.
let work: string | null = null;

export function runSipe(options: { port: number; user: string; password: string; steps: string[]; settings?: string[]; trace?: boolean }): SipeRun {
  work ??= mkdtempSync(join(tmpdir(), 'pchat-sipe-'));
  const runDir = mkdtempSync(join(work, 'run-'));
  const args = [SIPE_HARNESS, '--server', `127.0.0.1:${options.port}`, '--user', options.user, '--password', options.password, '--signin-wait', '6'];
  for (const s of options.settings ?? []) args.push('--set', s);
  for (const step of options.steps) args.push('--step', step);
  const child: ChildProcess = spawn('python3', args, { env: { ...process.env, WORK: runDir, ...(options.trace && { SIPE_TRACE: '1' }) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  // With `trace`, libpurple's debug log (what sipe itself concluded) is kept too, as `!! ` lines.
  child.stderr?.setEncoding('utf8');
  let traced = '';
  child.stderr?.on('data', (chunk: string) => {
    if (!options.trace) return;
    traced += chunk;
    const parts = traced.split('\n');
    traced = parts.pop() ?? '';
    for (const line of parts) lines.push(`!! ${line}`);
  });
  const done = new Promise<{ code: number | null; transcript: string }>((resolveDone) => {
    child.on('exit', (code) => {
      rmSync(runDir, { recursive: true, force: true });
      resolveDone({ code, transcript: lines.join('\n') });
    });
  });
  return {
    lines,
    done,
    waitFor: (pattern, timeoutMs = 60_000) => {
      const found = lines.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(() => reject(new Error(`pidgin-sipe never showed ${pattern} within ${timeoutMs} ms; transcript:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolveWait(line);
          },
        });
      });
    },
    kill: () => child.kill('SIGKILL'),
  };
}
