// web-scrollback: the web client in headless Chromium, scrolling back through a room of
// 300,000 messages (BENCH_MESSAGES to change it). It measures what a reader feels: the time to
// open the room, the time each older page takes to appear after the reader reaches the top, the
// browser's long tasks (> 50 ms: frames the reader would see stutter) while scrolling, the most
// messages ever kept in the page (the window must stay bounded however deep one goes), and a
// jump to the room's very first message. Target (ours; the issue asks for "smoothly"): p95 of
// an older page ≤ 100 ms, the threshold under which a response feels instant.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { appendAll, historyRoom } from './lib/datasets.js';
import { openBenchStore, startServerProcess, tempDir } from './lib/fixture.js';
import { nowMs, percentiles, progress, report, round } from './lib/report.js';
import { rng } from './lib/words.js';

const NAME = 'web-scrollback';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300_000);
const PAGES = Number(process.env.BENCH_PAGES ?? 150);
const CHROMIUM = process.env.PCHAT_CHROMIUM ?? '/usr/bin/chromium';
const log = progress(NAME);

/**
 * What the page scripts see; typed here because the benchmark compiles without the DOM library.
 * Functions passed to page.evaluate run in the browser, so they may use nothing from this file.
 */
interface PageGlobals {
  document: { querySelector(s: string): { scrollTop: number; dispatchEvent(e: unknown): void } | null; querySelectorAll(s: string): { length: number; [i: number]: { dataset: { seq: string } } } };
  Event: new (type: string) => unknown;
  longTasks: number[];
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set PCHAT_CHROMIUM)`);
  const data = tempDir(NAME);
  const store = openBenchStore(data.dir);
  const { roomId, authors } = await historyRoom(store, MESSAGES, rng(7)).then(async (room) => {
    const seconds = await appendAll(store, MESSAGES, 5000, room.make, log);
    log(`generated ${MESSAGES.toLocaleString('en')} messages in ${seconds.toFixed(1)} s`);
    return room;
  });
  await store.close();
  const reader = authors[0]!;

  const server = await startServerProcess(data.dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: 'pchat_session', value: reader.token, url: server.url }]);
    // Long tasks are what a reader sees as stutter; the observer is installed before the app runs.
    await context.addInitScript(() => {
      const g = globalThis as unknown as { longTasks: number[]; PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: object): void } };
      g.longTasks = [];
      new g.PerformanceObserver((list) => g.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(server.url);
    await page.locator('.topbar').waitFor();

    const open0 = nowMs();
    await page.evaluate((id) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/room/${id}`), roomId);
    await page.locator('.room-main .messages[aria-busy="false"] li.msg').first().waitFor();
    const openMs = nowMs() - open0;
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).longTasks.length = 0));

    const firstSeq = () => page.evaluate(() => Number((globalThis as unknown as PageGlobals).document.querySelectorAll('.msg-list li.msg')[0]?.dataset.seq ?? 0));
    const pageTimes: number[] = [];
    let most = 0;
    let first = await firstSeq();
    for (let i = 0; i < PAGES && first > 1; i++) {
      const t0 = nowMs();
      await page.evaluate(() => {
        const box = (globalThis as unknown as PageGlobals).document.querySelector('.messages');
        if (box) {
          box.scrollTop = 0;
          box.dispatchEvent(new ((globalThis as unknown as PageGlobals).Event)('scroll'));
        }
      });
      await page.waitForFunction((before) => Number((globalThis as unknown as PageGlobals).document.querySelectorAll('.msg-list li.msg')[0]?.dataset.seq ?? before) < before, first, { polling: 'raf' });
      pageTimes.push(nowMs() - t0);
      first = await firstSeq();
      most = Math.max(most, await page.locator('.msg-list li.msg').count());
    }
    const longTasks = await page.evaluate(() => (globalThis as unknown as PageGlobals).longTasks.slice());

    const jump0 = nowMs();
    await page.evaluate((id) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/room/${id}/m/1`), roomId);
    await page.locator('#m-1').waitFor({ state: 'attached' });
    const jumpMs = nowMs() - jump0;

    const p = percentiles(pageTimes);
    report({
      name: NAME,
      figures: {
        'messages in the room': MESSAGES,
        'open the room (ms)': round(openMs, 1),
        'older pages loaded': pageTimes.length,
        'older page p50 (ms)': round(p.p50, 1),
        'older page p95 (ms)': round(p.p95, 1),
        'older page max (ms)': round(p.max, 1),
        'messages reached back': MESSAGES - first,
        'most messages in the page at once': most,
        'long tasks while scrolling (> 50 ms)': longTasks.length,
        'longest task (ms)': round(Math.max(0, ...longTasks), 1),
        'jump to the first message (ms)': round(jumpMs, 1),
      },
      targets: [{ metric: 'older page p95', value: p.p95, op: '<=', target: 100, unit: 'ms' }],
      notes: ['Chromium headless, 1280×800, the server in its own process on SQLite (synchronous=FULL); pages of 100 messages, a window of at most 400 kept'],
    });
  } finally {
    await browser.close();
    await server.stop();
    data.remove();
  }
}

await main();
