// history-page: a room with 1,000,000 messages; random 50-message pages by keyset (beforeSeq),
// timed at the store and through the application's history use case.
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { openApplication } from '../src/main.js';
import { appendAll, historyRoom, PAGE, timeHistoryPages } from './lib/datasets.js';
import { openBenchStore, tempDir } from './lib/fixture.js';
import { nowMs, percentiles, progress, report, round } from './lib/report.js';
import { rng } from './lib/words.js';
import type { Store } from '../src/ports/store.js';

const NAME = 'history-page';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const BATCH = 5000;
const STORE_QUERIES = 20_000;
const APP_QUERIES = 3000;
const log = progress(NAME);

async function main(): Promise<void> {
  const data = tempDir(NAME);
  const random = rng(42);
  try {
    // 1. Generate through the store's own append (the path the server uses), 5,000 per transaction.
    const store = openBenchStore(data.dir);
    const { roomId, authors, make } = await historyRoom(store, MESSAGES, random);
    const generateS = await appendAll(store, MESSAGES, BATCH, make, log);
    log(`generated ${MESSAGES.toLocaleString('en')} messages in ${generateS.toFixed(1)} s`);
    await store.close();

    // 2. Reopen as the server would (default configuration: synchronous=FULL).
    const config = loadConfig({ env: {}, overrides: { dataDir: data.dir, 'log.level': 'silent' } });
    const local = await openApplication(config, 'bench');
    await timeHistoryPages(local.store, roomId, 1000, random); // warm-up
    const storeTimes = percentiles(await timeHistoryPages(local.store, roomId, STORE_QUERIES, random));
    // The same pages once one message in ten has reactions (three people, two emoji; migration 0019):
    // a page then looks its reactions up; a page without any never does (has_reactions).
    const reactedCount = await reactToEveryTenth(local.store, roomId, authors.map((a) => a.id));
    const reactedTimes = percentiles(await timeHistoryPages(local.store, roomId, STORE_QUERIES, random));

    // 3. The use case: permission check, page + 1 row, room's last seq, and a BACKCHAT compliance record (a durable write).
    const actor = await local.app.sessions.actorFor((authors[0] as { id: number }).id);
    const lastSeq = await local.store.rooms.lastSeq(roomId);
    const randomBefore = () => PAGE + 1 + Math.floor(random() * (lastSeq - PAGE));
    const timeApp = async (n: number): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const before = randomBefore();
        const t = nowMs();
        const page = await local.app.messages.history(actor, roomId, { before, limit: PAGE });
        times.push(nowMs() - t);
        if (page.messages.length !== PAGE) throw new Error(`bad app page before ${before}`);
      }
      return times;
    };
    await timeApp(200);
    const appTimes = percentiles(await timeApp(APP_QUERIES));
    const dbBytes = (await import('node:fs')).statSync(join(data.dir, 'pchat.db')).size;
    await local.close();

    report({
      name: NAME,
      figures: {
        'messages in the room': lastSeq,
        'generation (store.messages.append, msgs/s)': Math.round(MESSAGES / generateS),
        'database size (MiB)': round(dbBytes / 2 ** 20, 0),
        'store page p50 (ms)': round(storeTimes.p50, 3),
        'store page p99 (ms)': round(storeTimes.p99, 3),
        'store page max (ms)': round(storeTimes.max, 3),
        'store page, 1 in 10 messages reacted, p50 (ms)': round(reactedTimes.p50, 3),
        'store page, 1 in 10 messages reacted, p99 (ms)': round(reactedTimes.p99, 3),
        'app history p50 (ms)': round(appTimes.p50, 3),
        'app history p99 (ms)': round(appTimes.p99, 3),
      },
      targets: [{ metric: 'store history page p99', value: storeTimes.p99, op: '<=', target: 2, unit: 'ms' }],
      notes: [
        `data generated with store.messages.append (keep=true) in batches of ${BATCH}, synchronous=NORMAL; timed with the default synchronous=FULL.`,
        `${STORE_QUERIES} store pages and ${APP_QUERIES} use-case pages of ${PAGE} before a uniformly random seq, after warm-up.`,
        `then ${reactedCount} reactions were imported (every tenth message: three people, two emoji) and ${STORE_QUERIES} store pages timed again.`,
        'app history writes a BACKCHAT compliance record per page (one fsync), so its time includes a durable commit.',
      ],
      details: { storeMs: storeTimes, reactedStoreMs: reactedTimes, appMs: appTimes, generateSeconds: round(generateS, 1) },
    });
  } finally {
    data.remove();
  }
}

/** Imports reactions on every tenth message of the room (read back in pages of 1,000); returns how many. */
async function reactToEveryTenth(store: Store, roomId: number, userIds: readonly number[]): Promise<number> {
  let total = 0;
  for (let after = 0; ; ) {
    const page = await store.messages.history({ roomId, afterSeq: after, limit: 1000 });
    if (page.length === 0) return total;
    const rows = page
      .filter((m) => m.seq % 10 === 0)
      .flatMap((m) => [0, 1, 2].map((k) => ({ messageId: m.id, userId: userIds[k] as number, emoji: k === 2 ? '🎉' : '👍', createdAt: m.createdAt + k })));
    total += await store.reactions.importReactions(rows);
    after = page.at(-1)!.seq;
  }
}

await main();
