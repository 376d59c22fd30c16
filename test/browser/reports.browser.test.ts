import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { cli, deployment, ok } from '../e2e/migrateFlow.js';
import { launchBrowser, SCREENSHOTS } from './browser.js';

const DUMP = `groupchat-db:${resolve('examples/groupchat-dump')}`;
const WIDTHS = [1280, 390] as const;
/** No cell may be narrower than this many widths of "0" in its own font (padding included). */
const MIN_CHARS = 4;

interface Layout {
  /** The cells narrower than the minimum: where, what, how wide. */
  readonly narrow: { section: string; column: string; text: string; px: number; min: number }[];
  readonly scrolling: string[];
  readonly cells: number;
  /** The page itself is no wider than the window (tables scroll inside their own container). */
  readonly pageScrollWidth: number;
  readonly innerWidth: number;
  /** Summary values and cells of count columns that contain braces. */
  readonly braces: string[];
  readonly text: string;
}

/** Measured in the page: every table cell against its own font's character width, and where counts are shown. */
function measure(minChars: number): Layout {
  const doc = (globalThis as any).document;
  const charWidth = (el: any) => {
    const probe = doc.createElement('span');
    probe.textContent = '0000000000';
    probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${(globalThis as any).getComputedStyle(el).font}`;
    doc.body.append(probe);
    const w = probe.getBoundingClientRect().width / 10;
    probe.remove();
    return w;
  };
  const cells = [...doc.querySelectorAll('th, td')] as any[];
  const narrow = [];
  for (const cell of cells) {
    const min = minChars * charWidth(cell);
    const px = cell.getBoundingClientRect().width;
    if (px < min) {
      const table = cell.closest('table');
      const column = table.querySelectorAll('th')[cell.cellIndex]?.textContent ?? '';
      narrow.push({ section: cell.closest('section')?.querySelector('h2')?.textContent ?? '', column, text: String(cell.textContent).slice(0, 40), px, min });
    }
  }
  const braces: string[] = [];
  for (const dd of doc.querySelectorAll('dd')) if (/[{}]/.test(dd.textContent)) braces.push(`summary: ${dd.textContent.slice(0, 80)}`);
  for (const table of doc.querySelectorAll('table')) {
    const heads = [...table.querySelectorAll('th')].map((th: any) => th.textContent);
    const countColumns = heads.flatMap((h, i) => (/count|compared|result/i.test(h) ? [i] : []));
    for (const row of table.querySelectorAll('tbody tr')) {
      for (const i of countColumns) {
        const text = row.cells[i]?.textContent ?? '';
        if (/[{}]/.test(text)) braces.push(`${heads[i]}: ${text.slice(0, 80)}`);
      }
    }
  }
  // Tables wider than their container (they scroll sideways), as "section: table px in container px".
  const scrolling = ([...doc.querySelectorAll('.table')] as any[])
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .map((box) => `${box.closest('section')?.querySelector('h2')?.textContent}: ${box.scrollWidth} px in ${box.clientWidth} px`);
  return { narrow, scrolling, cells: cells.length, pageScrollWidth: doc.documentElement.scrollWidth, innerWidth: (globalThis as any).innerWidth, braces, text: doc.body.innerText };
}

describe('the HTML reports (export, plan, import, verify, migration) are readable at 1280 px and 390 px', () => {
  const work = mkdtempSync(join(tmpdir(), 'pchat-reports-'));
  const reports: Record<string, string> = {};
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
    // Realistic data: the sample Group Chat dump, through the real CLI.
    const target = deployment(mkdtempSync(join(work, 'target-')));
    await ok(['pool', 'status', '--database', target.database]);
    const archive = join(work, 'dump.zip');
    reports.export = join(work, 'export.html');
    await cli(['export', '--from', DUMP, '--out', archive, '--report', reports.export, '--allow-errors']);
    reports.plan = join(work, 'plan.html');
    await cli(['import', archive, '--what-if', '--report', reports.plan, '--database', target.database]);
    reports.import = join(work, 'import.html');
    await cli(['import', archive, '--yes', '--report', reports.import, '--database', target.database]);
    reports.verify = join(work, 'verify.html');
    await cli(['verify', '--source', DUMP, '--target', target.database, '--report', reports.verify]);
    const migrated = deployment(mkdtempSync(join(work, 'migrated-')));
    await ok(['pool', 'status', '--database', migrated.database]);
    const plan = join(migrated.dir, 'migration.json');
    await cli(['migrate', 'plan', '--from', DUMP, '--to', migrated.database, '--to-config', migrated.config, '--out', plan, '--calibrate', '50']);
    await cli(['migrate', 'run', '--plan', plan, '--legacy-stopped', '--yes', '--stop-before', 'decommission']);
    reports.migration = plan.replace(/\.json$/, '.report.html');
    for (const [name, file] of Object.entries(reports)) assert.ok(existsSync(file), `the ${name} report was written (${file})`);
  });
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const name of ['export', 'plan', 'import', 'verify', 'migration']) {
    it(`${name}: no cell narrower than ${MIN_CHARS} characters, counts in words, at both widths`, async () => {
      for (const width of WIDTHS) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        try {
          const page = await context.newPage();
          await page.goto(pathToFileURL(reports[name]!).href);
          const layout = await page.evaluate(measure, MIN_CHARS);
          await page.screenshot({ path: join(SCREENSHOTS, `report-${name}-${width}.png`), fullPage: true });
          assert.ok(layout.cells > 0, `${name} at ${width} px has tables`);
          assert.deepEqual(layout.narrow, [], `${name} at ${width} px: cells narrower than ${MIN_CHARS} characters`);
          // At 1280 px every table fits: no column hidden behind a sideways scroll. At 390 px wide tables may scroll in their box.
          if (width === 1280) assert.deepEqual(layout.scrolling, [], `${name} at 1280 px: tables that do not fit`);
          assert.ok(layout.pageScrollWidth <= layout.innerWidth, `${name} at ${width} px: the page is ${layout.pageScrollWidth} px wide in a ${layout.innerWidth} px window (tables scroll in their own container)`);
          assert.deepEqual(layout.braces, [], `${name} at ${width} px: counts shown as JSON`);
          assert.doesNotMatch(layout.text, /\{"/, `${name}: no JSON anywhere`);
          assert.doesNotMatch(layout.text, /\baddins?\b(?!\.ndjson)|\bcategorys\b|\b1 (categories|add-ins|rooms|files|errors|warnings|messages|users|groups|policies|items)\b/i, `${name}: add-in, category, categories, each with the right number`);
        } finally {
          await context.close();
        }
      }
    });
  }

  it('says the counts in words: rooms, categories, add-ins', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(reports.migration!).href);
      const inventory = await page.locator('dt:text-is("inventory") + dd').textContent();
      assert.match(inventory ?? '', /^\d+ categor(y|ies), \d+ rooms?, \d+ users?, \d+ groups?, \d+ add-ins?, \d+ polic(y|ies), [\d,]+ messages?$/);
      await page.goto(pathToFileURL(reports.plan!).href);
      assert.match((await page.locator('dt:text-is("counts") + dd').textContent()) ?? '', /\d+ users?, .*\d+ categor(y|ies), .*[\d,]+ messages?/);
    } finally {
      await context.close();
    }
  });
});
