// search: 1,000,000 messages of Zipf-distributed words across 100 rooms; the search use case
// (permissions, full-text query, presentation) timed for a user who may read all 100 rooms and
// one who may read 10, with common, rare and two-word queries.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { openApplication } from '../src/main.js';
import type { NewMessage } from '../src/ports/store.js';
import { createCategoryFor, createRooms, createUsers, openBenchStore, tempDir } from './lib/fixture.js';
import { nowMs, type Percentiles, percentiles, progress, report, round } from './lib/report.js';
import { rng, vocabulary } from './lib/words.js';

const NAME = 'search';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const ROOMS = 100;
const NARROW_ROOMS = 10;
const VOCABULARY = 50_000;
const BATCH = 5000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
const log = progress(NAME);

async function main(): Promise<void> {
  const data = tempDir(NAME);
  const random = rng(7);
  try {
    const store = openBenchStore(data.dir);
    const [wide, narrow] = await createUsers(store, 2, 'reader');
    const authors = await createUsers(store, 50, 'author');
    const everyone = [wide, narrow, ...authors].map((u) => ({ kind: 'user' as const, id: (u as { id: number }).id }));
    // Category "Team" (10 rooms): everyone. Category "Org" (90 rooms): everyone but the narrow reader.
    const team = await createCategoryFor(store, 'Team', everyone);
    const org = await createCategoryFor(
      store,
      'Org',
      everyone.filter((p) => p.id !== narrow?.id),
    );
    const rooms = [...(await createRooms(store, team, NARROW_ROOMS, 'team')), ...(await createRooms(store, org, ROOMS - NARROW_ROOMS, 'org'))];

    const vocab = vocabulary(VOCABULARY, random);
    const docFrequency = new Uint32Array(VOCABULARY);
    const start = Date.now() - MESSAGES * 1000;
    const g0 = nowMs();
    let tokens = 0;
    for (let done = 0; done < MESSAGES; done += BATCH) {
      const batch: NewMessage[] = [];
      for (let i = done; i < Math.min(MESSAGES, done + BATCH); i++) {
        const length = 4 + Math.floor(random() * 15);
        const seen = new Set<number>();
        const words: string[] = [];
        for (let w = 0; w < length; w++) {
          const k = vocab.draw();
          seen.add(k);
          words.push(vocab.words[k] as string);
        }
        for (const k of seen) docFrequency[k] = (docFrequency[k] as number) + 1;
        tokens += length;
        batch.push({
          roomId: rooms[Math.floor(random() * ROOMS)] as number,
          authorId: (authors[i % authors.length] as { id: number }).id,
          kind: 'text',
          title: null,
          text: words.join(' '),
          createdAt: start + i * 1000,
          clientId: null,
          origin: null,
          keep: true,
        });
      }
      await store.messages.append(batch);
      if ((done / BATCH) % 40 === 0) log(`generated ${done.toLocaleString('en')} messages`);
    }
    const generateS = (nowMs() - g0) / 1000;
    log(`generated ${MESSAGES.toLocaleString('en')} messages (${tokens.toLocaleString('en')} words) in ${generateS.toFixed(1)} s`);
    await store.close();

    // Query words chosen by how many messages hold them.
    const byFrequency = [...docFrequency.keys()].sort((a, b) => (docFrequency[b] as number) - (docFrequency[a] as number));
    const word = (k: number) => vocab.words[k] as string;
    const pick = (filter: (k: number) => boolean, n: number) => byFrequency.filter(filter).slice(0, n).map(word);
    const common = pick((k) => word(k).length >= 3, 4);
    const topic = pick((k) => k >= 150 && k < 400 && (docFrequency[k] as number) > 0, 40).filter((_, i) => i % 10 === 0);
    const rare = pick((k) => (docFrequency[k] as number) <= 60 && (docFrequency[k] as number) >= 20, 400).filter((_, i) => i % 100 === 0);
    const queries: Record<string, string[]> = {
      common,
      topic,
      rare,
      'two words': [
        `${topic[0]} ${topic[1]}`,
        `${common[1]} ${rare[0]}`,
        `${rare[1]} ${common[2]}`,
        `${topic[2]} ${common[3]}`,
        `${common[0]} ${topic[3]}`,
      ],
    };
    const df = (w: string) => docFrequency[vocab.words.indexOf(w)] ?? 0;

    const config = loadConfig({ env: {}, overrides: { dataDir: data.dir, 'log.level': 'silent' } });
    const local = await openApplication(config, 'bench');
    const readers = {
      'all 100 rooms': await local.app.sessions.actorFor((wide as { id: number }).id),
      '10 rooms': await local.app.sessions.actorFor((narrow as { id: number }).id),
    };
    const perQuery: Record<string, { reader: string; hits: number; messagesWithWord: string; p50: number; p95: number }> = {};
    const byClass: Record<string, Percentiles> = {};
    const worst: Record<string, number> = {};
    for (const [readerName, actor] of Object.entries(readers)) {
      for (const [kind, list] of Object.entries(queries)) {
        const times: number[] = [];
        for (const q of list) {
          const own: number[] = [];
          let hits = 0;
          await local.app.search.search(actor, { q }); // warm-up
          for (let r = 0; r < REPEAT; r++) {
            const t = nowMs();
            const result = await local.app.search.search(actor, { q });
            own.push(nowMs() - t);
            hits = result.hits.length;
          }
          times.push(...own);
          const p = percentiles(own);
          perQuery[`${readerName}: "${q}"`] = {
            reader: readerName,
            hits,
            messagesWithWord: q.split(' ').map((w) => `${w}=${df(w)}`).join(', '),
            p50: round(p.p50),
            p95: round(p.p95),
          };
        }
        const p = percentiles(times);
        byClass[`${readerName} / ${kind}`] = p;
        worst[readerName] = Math.max(worst[readerName] ?? 0, p.p95);
        log(`${readerName} / ${kind}: p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms`);
      }
    }
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
