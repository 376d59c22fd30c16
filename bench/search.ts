// search: 1,000,000 messages of Zipf-distributed words across 100 rooms; the search use case
// (permissions, full-text query, presentation) timed for a user who may read all 100 rooms and
// one who may read 10, with common, rare and two-word queries.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { openApplication } from '../src/main.js';
import { appendAll, SEARCH_ROOMS as ROOMS, searchCorpus, searchQueries, timeSearches, VOCABULARY } from './lib/datasets.js';
import { openBenchStore, tempDir } from './lib/fixture.js';
import { progress, report, round } from './lib/report.js';
import { rng } from './lib/words.js';

const NAME = 'search';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const BATCH = 5000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
const log = progress(NAME);

async function main(): Promise<void> {
  const data = tempDir(NAME);
  const random = rng(7);
  try {
    const store = openBenchStore(data.dir);
    const { wide, narrow, vocab, docFrequency, make } = await searchCorpus(store, MESSAGES, random);
    const generateS = await appendAll(store, MESSAGES, BATCH, make, log);
    log(`generated ${MESSAGES.toLocaleString('en')} messages in ${generateS.toFixed(1)} s`);
    await store.close();

    const { common, topic, rare, queries, df } = searchQueries(vocab, docFrequency);

    const config = loadConfig({ env: {}, overrides: { dataDir: data.dir, 'log.level': 'silent' } });
    const local = await openApplication(config, 'bench');
    const readers = {
      'all 100 rooms': await local.app.sessions.actorFor(wide.id),
      '10 rooms': await local.app.sessions.actorFor(narrow.id),
    };
    const { perQuery, byClass, worst } = await timeSearches(local.app, readers, queries, df, REPEAT, log);
    const dbBytes = statSync(join(data.dir, 'pchat.db')).size;
    await local.close();

    const figures: Record<string, string | number> = {
      messages: MESSAGES,
      'generation (store.messages.append, msgs/s)': Math.round(MESSAGES / generateS),
      'database size (MiB)': round(dbBytes / 2 ** 20, 0),
    };
    for (const [k, p] of Object.entries(byClass)) figures[`${k} p50 / p95 (ms)`] = `${round(p.p50)} / ${round(p.p95)}`;
    report({
      name: NAME,
      figures,
      targets: Object.entries(worst).map(([reader, value]) => ({
        metric: `search p95, worst query class, reader of ${reader}`,
        value,
        op: '<=' as const,
        target: 50,
        unit: 'ms',
      })),
      notes: [
        `${MESSAGES.toLocaleString('en')} messages of 4-18 words from a ${VOCABULARY.toLocaleString('en')}-word vocabulary (Zipf, s=1.05), uniformly over ${ROOMS} rooms; generated with store.messages.append in batches of ${BATCH}.`,
        `each query ${REPEAT} times after one warm-up, through app.search.search (limit 50, newest first; the last word matches as a prefix).`,
        `queries: common ${JSON.stringify(common)}, topic ${JSON.stringify(topic)}, rare ${JSON.stringify(rare)}`,
      ],
      details: { byClass, perQuery },
    });
  } finally {
    data.remove();
  }
}

await main();
