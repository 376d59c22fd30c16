// The data sets and timing loops of the history and search benchmarks, shared by the SQLite
// ones (history-page, search) and the PostgreSQL one (pool-history-search), so that both stores
// are measured on the same data with the same queries.
import type { Application } from '../../src/app/index.js';
import type { Actor } from '../../src/core/permissions.js';
import type { NewMessage, Store } from '../../src/ports/store.js';
import { createCategoryFor, createRooms, createUsers } from './fixture.js';
import { nowMs, type Percentiles, percentiles, round } from './report.js';
import { type Vocabulary, vocabulary } from './words.js';

export const PAGE = 50;
export const SEARCH_ROOMS = 100;
export const NARROW_ROOMS = 10;
export const VOCABULARY = 50_000;

const PHRASES = ['standup moved to 10:30', 'can someone review PR', 'the build is green again', 'lunch?', 'deploying to staging now', 'see the ticket for details'];

/** Appends `count` messages made by `make(i)` through the store's own append, `batch` per transaction; returns seconds. */
export async function appendAll(store: Store, count: number, batch: number, make: (i: number) => NewMessage, log: (line: string) => void): Promise<number> {
  const g0 = nowMs();
  for (let done = 0; done < count; done += batch) {
    const messages: NewMessage[] = [];
    for (let i = done; i < Math.min(count, done + batch); i++) messages.push(make(i));
    await store.messages.append(messages);
    if ((done / batch) % 40 === 0) log(`generated ${done.toLocaleString('en')} messages`);
  }
  return (nowMs() - g0) / 1000;
}

const message = (roomId: number, authorId: number, text: string, createdAt: number): NewMessage => ({
  roomId,
  authorId,
  kind: 'text',
  title: null,
  text,
  createdAt,
  clientId: null,
  origin: null,
  keep: true,
});

/** One room of short chat lines by 20 authors, one second apart. */
export async function historyRoom(store: Store, count: number, random: () => number) {
  const authors = await createUsers(store, 20, 'author');
  const categoryId = await createCategoryFor(
    store,
    'History',
    authors.map((u) => ({ kind: 'user' as const, id: u.id })),
  );
  const [roomId] = (await createRooms(store, categoryId, 1, 'archive')) as [number];
  const start = Date.now() - count * 1000;
  const make = (i: number) =>
    message(roomId, (authors[i % authors.length] as { id: number }).id, `#${i} ${PHRASES[i % PHRASES.length]} (${Math.floor(random() * 1e6)})`, start + i * 1000);
  return { roomId, authors, make };
}

/** Times `n` random pages of PAGE before a seq, at the store, checking each page. */
export async function timeHistoryPages(store: Store, roomId: number, n: number, random: () => number): Promise<number[]> {
  const lastSeq = await store.rooms.lastSeq(roomId);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const beforeSeq = PAGE + 1 + Math.floor(random() * (lastSeq - PAGE));
    const t = nowMs();
    const page = await store.messages.history({ roomId, beforeSeq, limit: PAGE });
    times.push(nowMs() - t);
    if (page.length !== PAGE || page.at(-1)?.seq !== beforeSeq - 1) throw new Error(`bad page before ${beforeSeq}`);
  }
  return times;
}

/**
 * SEARCH_ROOMS rooms of 4–18 Zipf-distributed words per message. A wide reader may read every
 * room; a narrow one only the NARROW_ROOMS rooms of category "Team". `make(i)` draws message i
 * and counts, per word, how many messages hold it (for choosing queries).
 */
export async function searchCorpus(store: Store, count: number, random: () => number) {
  const readers = await createUsers(store, 2, 'reader');
  const wide = readers[0] as { id: number };
  const narrow = readers[1] as { id: number };
  const authors = await createUsers(store, 50, 'author');
  const everyone = [wide, narrow, ...authors].map((u) => ({ kind: 'user' as const, id: u.id }));
  const team = await createCategoryFor(store, 'Team', everyone);
  const org = await createCategoryFor(
    store,
    'Org',
    everyone.filter((p) => p.id !== narrow.id),
  );
  const rooms = [...(await createRooms(store, team, NARROW_ROOMS, 'team')), ...(await createRooms(store, org, SEARCH_ROOMS - NARROW_ROOMS, 'org'))];
  const vocab = vocabulary(VOCABULARY, random);
  const docFrequency = new Uint32Array(VOCABULARY);
  const start = Date.now() - count * 1000;
  const make = (i: number): NewMessage => {
    const length = 4 + Math.floor(random() * 15);
    const seen = new Set<number>();
    const words: string[] = [];
    for (let w = 0; w < length; w++) {
      const k = vocab.draw();
      seen.add(k);
      words.push(vocab.words[k] as string);
    }
    for (const k of seen) docFrequency[k] = (docFrequency[k] as number) + 1;
    return message(rooms[Math.floor(random() * SEARCH_ROOMS)] as number, (authors[i % authors.length] as { id: number }).id, words.join(' '), start + i * 1000);
  };
  return { wide, narrow, vocab, docFrequency, make };
}

/** Query words chosen by how many messages hold them: common, topic, rare, and two-word mixes. */
export function searchQueries(vocab: Vocabulary, docFrequency: Uint32Array) {
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
    'two words': [`${topic[0]} ${topic[1]}`, `${common[1]} ${rare[0]}`, `${rare[1]} ${common[2]}`, `${topic[2]} ${common[3]}`, `${common[0]} ${topic[3]}`],
  };
  const df = (w: string) => docFrequency[vocab.words.indexOf(w)] ?? 0;
  return { common, topic, rare, queries, df };
}

/** Each query `repeat` times after one warm-up, through the search use case, per reader and query class. */
export async function timeSearches(
  app: Application,
  readers: Record<string, Actor>,
  queries: Record<string, string[]>,
  df: (word: string) => number,
  repeat: number,
  log: (line: string) => void,
) {
  const perQuery: Record<string, { reader: string; hits: number; messagesWithWord: string; p50: number; p95: number }> = {};
  const byClass: Record<string, Percentiles> = {};
  const worst: Record<string, number> = {};
  for (const [readerName, actor] of Object.entries(readers)) {
    for (const [kind, list] of Object.entries(queries)) {
      const times: number[] = [];
      for (const q of list) {
        const own: number[] = [];
        let hits = 0;
        await app.search.search(actor, { q }); // warm-up
        for (let r = 0; r < repeat; r++) {
          const t = nowMs();
          const result = await app.search.search(actor, { q });
          own.push(nowMs() - t);
          hits = result.hits.length;
        }
        times.push(...own);
        const p = percentiles(own);
        perQuery[`${readerName}: "${q}"`] = {
          reader: readerName,
          hits,
          messagesWithWord: q
            .split(' ')
            .map((w) => `${w}=${df(w)}`)
            .join(', '),
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
  return { perQuery, byClass, worst };
}
