import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { openApplication } from '../../src/main.js';
import type { MessageRecord } from '../../src/interchange/archive/records.js';
import { calibrate, calibrationBasis, estimate, sampleOf, sampling } from '../../src/interchange/migrate/calibrate.js';
import type { MigrateEnv } from '../../src/interchange/migrate/env.js';
import type { Calibration } from '../../src/interchange/migrate/types.js';
import { recordBatches } from '../../src/interchange/source.js';
import { groupChatSource } from '../../src/interchange/sources/groupchat/source.js';

// The estimate as a function of the data, not of this machine's speed: the calibration's
// measurements are given, and what is checked is how they are scaled.
const calibration: Calibration = {
  messages: 20_000,
  directoryRecords: 5_000,
  // The directory is expensive (accounts and rooms are written one by one): 40 s of import alone.
  directorySeconds: { export: 0.5, whatIf: 1, import: 40, verify: 0.4 },
  seconds: { export: 0.9, whatIf: 1.6, import: 40.8, verify: 0.7 },
  perMessage: { export: 20e-6, whatIf: 30e-6, import: 40e-6, verify: 15e-6 },
  source: { openSeconds: 2, readSeconds: 30, messages: 3_000_000 },
};

/** Equal to the tenth of a second the estimate is rounded to. */
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 0.051, `${actual} ≠ ${expected}`);

describe('migrate plan: the window estimate', () => {
  it('is the directory time once, plus the time per message times the messages, plus reading the source for export and verify', () => {
    const e = estimate(calibration, 3_000_000);
    near(e.seconds.export, 0.5 + 60 + 2 + 30);
    near(e.seconds.whatIf, 1 + 90);
    near(e.seconds.import, 40 + 120);
    near(e.seconds.verify, 0.4 + 45 + 2 + 30);
    near(e.totalSeconds, e.seconds.export + e.seconds.whatIf + e.seconds.import + e.seconds.verify);
  });

  it('charges verify the second pass over the source when the plan timed one (verify reads after the export)', () => {
    const timed: Calibration = { ...calibration, source: { ...calibration.source!, again: { openSeconds: 1, readSeconds: 20 } } };
    const e = estimate(timed, 3_000_000);
    near(e.seconds.export, 0.5 + 60 + 2 + 30);
    near(e.seconds.verify, 0.4 + 45 + 1 + 20);
    near(estimate(timed, 30_000, 0.01).seconds.verify, 0.4 + 0.45 + 1 + 0.2);
    assert.match(calibrationBasis(timed).join('\n'), /Export reads it so, first in its process\.\nReading it again, timed: opening 1\.00 s; one pass 20\.00 s\. Verify reads it so, after the export\./);
  });

  it('does not scale the directory with the messages (the old estimate multiplied it 150 times here)', () => {
    const none = estimate(calibration, 0);
    near(none.seconds.import, 40);
    const twice = estimate(calibration, 6_000_000);
    const once = estimate(calibration, 3_000_000);
    // Linear in the messages: each further 3M messages cost the same.
    for (const phase of ['export', 'whatIf', 'import', 'verify'] as const) {
      assert.ok(Math.abs(twice.seconds[phase] - once.seconds[phase] - (once.seconds[phase] - none.seconds[phase])) < 0.11, phase);
    }
    assert.ok(once.seconds.import < 200, `3M messages with a 40 s directory import: ${once.seconds.import} s`);
  });

  it('reads only the delta\'s share of a source that can be read by seq, and books at least the margin', () => {
    const delta = estimate(calibration, 30_000, 0.01);
    near(delta.seconds.export, 0.5 + 0.6 + 2 + 0.3);
    assert.ok(delta.recommendedMinutes >= 30 && delta.recommendedMinutes % 30 === 0);
    const full = estimate(calibration, 3_000_000);
    assert.equal(full.recommendedMinutes, Math.ceil(((full.totalSeconds * 1.5) / 60 + 15) / 30) * 30);
  });

  it('states its basis: what was timed, on how many items, at what rate', () => {
    const text = calibrationBasis(calibration).join('\n');
    assert.match(text, /one pass over its 3,000,000 messages 30\.00 s, 100,000 msgs\/s\. Export and verify each read it once\./);
    assert.match(text, /the directory \(5000 records\) alone into it; then, the directory in place, the directory again and with the source's first 20,000 messages/);
    assert.match(text, /import +directory 40\.00 s; with the messages 40\.80 s: 40\.0 µs per message/);
  });

  it('still reads a plan written before the basis was recorded (scaled by its messages)', () => {
    const old: Calibration = { messages: 2000, directoryRecords: 42, seconds: { export: 0.2, whatIf: 0.1, import: 0.4, verify: 0.1 } };
    const e = estimate(old, 4000);
    near(e.seconds.import, 0.8);
    assert.match(calibrationBasis(old).join('\n'), /older pchat/);
  });

  it('keeps the first messages of the inventory\'s pass, and times every phase on them in a scratch database that it removes', async () => {
    const source = await groupChatSource(fileURLToPath(new URL('../../../examples/groupchat-dump', import.meta.url)));
    try {
      const sampled: MessageRecord[] = [];
      const read: string[] = [];
      for await (const batch of recordBatches(sampling(source, 300, sampled), 'messages')) read.push(...batch.map((m) => m.id));
      assert.ok(read.length > 300, `the sample dump has ${read.length} messages`);
      assert.deepEqual(sampled.map((m) => m.id), read.slice(0, 300), 'the sample is the first 300 messages, in order');
      const opened: string[] = [];
      const env = {
        openDatabase: async (location: string) => {
          opened.push(location);
          return openApplication(loadConfig({ env: {}, overrides: { database: location, dataDir: dirname(location), 'log.level': 'silent' } }), 'test');
        },
      } as unknown as MigrateEnv;
      const sourceTiming = { openSeconds: 0.1, readSeconds: 1, messages: read.length };
      const c = await calibrate(env, source, await sampleOf(source, sampled), sourceTiming);
      assert.equal(c.messages, 300);
      assert.ok(c.directoryRecords > 0);
      assert.deepEqual(c.source, sourceTiming);
      for (const phase of ['export', 'whatIf', 'import', 'verify'] as const) {
        for (const timing of [c.seconds, c.directorySeconds!, c.unchangedSeconds!]) assert.ok(Number.isFinite(timing[phase]) && timing[phase] >= 0, `${phase}: ${JSON.stringify(timing)}`);
        // Never zero: a difference lost in noise falls back to the whole sample's time per message.
        assert.ok(c.perMessage![phase] > 0, `${phase} per message: ${c.perMessage![phase]}`);
      }
      assert.equal(opened.length, 1, 'one scratch database');
      assert.equal(existsSync(dirname(opened[0]!)), false, 'the scratch directory is removed');
    } finally {
      await source.close();
    }
  });
});
