// feed-match: topic feeds' matcher with 10,000 filters of 1,000 users over 200 rooms (20 of them
// secret). First the matcher alone (the inverted index, the author/room constraints and the
// directory's permission check) on 20,000 realistic posts: time per post, memory of the index.
// Then the real post path (app.messages.post, group commit, SQLite synchronous=FULL, the shared
// event log) at 200 posts/s, once without the matcher and once with it: the process's CPU share
// in each, the hits stored and published per second.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../src/config/load.js';
import type { Message } from '../src/core/model.js';
import { openApplication } from '../src/main.js';
import { createCategoryFor, createRooms, createUsers, openBenchStore, tempDir } from './lib/fixture.js';
import { paced } from './lib/latency.js';
import { nowMs, percentiles, progress, report, round } from './lib/report.js';
import { rng, vocabulary } from './lib/words.js';

const NAME = 'feed-match';
const USERS = 1000;
const FILTERS_PER_USER = 10;
const ROOMS = 200;
const SECRET_ROOMS = 20;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 10);
const SAMPLE_POSTS = 20_000;
const log = progress(NAME);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

async function main(): Promise<void> {
  const data = tempDir(NAME);
  const random = rng(20);
  const vocab = vocabulary(20_000, random);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  /** A word people follow: a topic or a rarer word, never one of the ~100 function words. */
  const topicWord = (): string => {
    for (;;) {
      const i = vocab.draw();
      if (i >= 100) return vocab.words[i] as string;
    }
  };
  const sentence = (): string => {
    const n = 4 + Math.floor(random() * 15);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(vocab.words[vocab.draw()] as string);
    return words.join(' ');
  };

  try {
    // The directory and the filters, written straight to the store.
    const store = openBenchStore(data.dir);
    const users = await createUsers(store, USERS);
    const everyone = users.map((u) => ({ kind: 'user' as const, id: u.id }));
    const category = await createCategoryFor(store, 'bench', everyone);
    const openRooms = await createRooms(store, category, ROOMS - SECRET_ROOMS);
    const secret: { id: number; members: number[] }[] = [];
    for (let i = 0; i < SECRET_ROOMS; i++) {
      const members = Array.from({ length: 10 }, () => pick(users).id);
      const room = await store.rooms.create({
        name: `secret ${i}`,
        description: '',
        categoryId: category,
        privacy: 'secret',
        type: 'normal',
        members: members.map((id) => ({ kind: 'user' as const, id })),
        managers: [],
        presenters: [],
        invitations: 'inherit',
        addinId: null,
        disabled: false,
        origin: null,
        legacyUri: null,
      });
      secret.push({ id: room.id, members });
    }
    let withAuthor = 0;
    let withRooms = 0;
    for (const user of users) {
      for (let f = 0; f < FILTERS_PER_USER; f++) {
        const r = random();
        const words = [...new Set(Array.from({ length: r < 0.4 ? 1 : r < 0.8 ? 2 : 3 }, topicWord))];
        const authorId = random() < 0.1 ? pick(users).id : null;
        // Some filters name rooms: open ones, and now and then a secret one the user may or may not be in.
        const roomIds = random() < 0.2 ? Array.from({ length: 1 + Math.floor(random() * 5) }, () => (random() < 0.2 ? pick(secret).id : pick(openRooms))) : null;
        if (authorId !== null) withAuthor++;
        if (roomIds !== null) withRooms++;
        await store.feeds.create({ userId: user.id, name: words.join(' '), words, authorId, roomIds: roomIds && [...new Set(roomIds)], createdAt: Date.now() }, FILTERS_PER_USER);
      }
    }
    await store.close();
    log(`${USERS} users, ${ROOMS} rooms (${SECRET_ROOMS} secret), ${USERS * FILTERS_PER_USER} filters (${withAuthor} with an author, ${withRooms} with rooms)`);

    const config = loadConfig({ env: {}, overrides: { dataDir: data.dir, 'log.level': 'silent' } });
    const local = await openApplication(config, 'bench');
    const { app } = local;
    const before = heap();
    const loadStart = nowMs();
    await app.feeds.matcher.start();
    const loadMs = nowMs() - loadStart;
    const indexBytes = heap() - before;
    log(`loaded ${app.feeds.matcher.size} filters in ${round(loadMs)} ms; index ~${round(indexBytes / 2 ** 20)} MiB`);

    // A post: an open room by anyone, or a secret room by one of its members.
    const nextPost = (): { roomId: number; authorId: number; text: string } => {
      if (random() < 0.1) {
        const room = pick(secret);
        return { roomId: room.id, authorId: pick(room.members), text: sentence() };
      }
      return { roomId: pick(openRooms), authorId: pick(users).id, text: sentence() };
    };

    // 1. The matcher alone.
    const snapshot = await app.directory.snapshot();
    const times = new Float64Array(SAMPLE_POSTS);
    let sampleHits = 0;
    for (let i = 0; i < 2000; i++) app.feeds.matcher.match(sampleMessage(i, nextPost()), snapshot); // warm-up
    for (let i = 0; i < SAMPLE_POSTS; i++) {
      const message = sampleMessage(i, nextPost());
      const t0 = process.hrtime.bigint();
      sampleHits += app.feeds.matcher.match(message, snapshot).length;
      times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const perPost = percentiles(times);
    const meanMs = times.reduce((a, b) => a + b, 0) / SAMPLE_POSTS;
    log(`matcher: mean ${round(meanMs * 1000)} µs, p99 ${round(perPost.p99 * 1000)} µs per post, ${round(sampleHits / SAMPLE_POSTS)} hits per post`);

    // 2. The real post path at RATE posts/s, without and with the matcher.
    const actors = new Map<number, Awaited<ReturnType<typeof app.sessions.actorFor>>>();
    for (const u of users) actors.set(u.id, await app.sessions.actorFor(u.id));
    let published = 0;
    local.bus.subscribe((event) => {
      if (event.type === 'feed.hits') published += event.hits.length;
    });
    const phase = async (seconds: number): Promise<{ cpuShare: number; posted: number }> => {
      const pending: Promise<unknown>[] = [];
      const cpu0 = process.cpuUsage();
      const t0 = nowMs();
      await paced(RATE, seconds, () => {
        const p = nextPost();
        pending.push(app.messages.post(actors.get(p.authorId)!, p.roomId, { text: p.text }));
      });
      await Promise.all(pending);
      await app.feeds.matcher.flush();
      const cpu = process.cpuUsage(cpu0);
      return { cpuShare: (cpu.user + cpu.system) / 1000 / (nowMs() - t0), posted: pending.length };
    };
    app.feeds.matcher.stop();
    log(`posting at ${RATE}/s for ${BASELINE_SECONDS} s without the matcher`);
    const baseline = await phase(BASELINE_SECONDS);
    await app.feeds.matcher.start();
    log(`posting at ${RATE}/s for ${SECONDS} s with the matcher`);
    published = 0;
    const withFeeds = await phase(SECONDS);
    await local.close();

    const hitsPerSecond = published / SECONDS;
    report({
      name: NAME,
      figures: {
        filters: USERS * FILTERS_PER_USER,
        'index load (ms)': round(loadMs),
        'index memory (MiB)': round(indexBytes / 2 ** 20),
        'match per post, mean (µs)': round(meanMs * 1000),
        'match per post, p99 (µs)': round(perPost.p99 * 1000),
        'hits per post (sample)': round(sampleHits / SAMPLE_POSTS),
        'matcher CPU share at 200 posts/s (computed)': `${round(meanMs * RATE / 10)} %`,
        'process CPU at 200 posts/s without feeds': `${round(baseline.cpuShare * 100)} %`,
        'process CPU at 200 posts/s with feeds': `${round(withFeeds.cpuShare * 100)} %`,
        'hits stored and published (/s)': round(hitsPerSecond),
      },
      targets: [
        { metric: 'match per post p99', value: perPost.p99 * 1000, op: '<=', target: 1000, unit: 'µs' },
        { metric: 'extra process CPU with feeds at 200 posts/s', value: (withFeeds.cpuShare - baseline.cpuShare) * 100, op: '<=', target: 10, unit: '%' },
      ],
      notes: [
        `${USERS} users with ${FILTERS_PER_USER} filters each (1-3 words drawn Zipf from a 20,000-word vocabulary, function words excluded; 10% with an author, 20% with 1-5 rooms); posts of 4-18 Zipf words, 10% in secret rooms by their members.`,
        `the matcher alone: app.feeds.matcher.match (index, constraints, permission through the directory snapshot) on ${SAMPLE_POSTS} posts after 2,000 warm-up.`,
        `the post path: app.messages.post at ${RATE}/s (SQLite synchronous=FULL, group commit, shared event log) for ${BASELINE_SECONDS} s without and ${SECONDS} s with the matcher (hits stored in batches and published); CPU = this process's user+system time over wall time.`,
        'index memory = heap after loading the filters minus before (after full GCs): the index and the rules, not the store.',
      ],
      details: { perPost, baseline, withFeeds, published },
    });
  } finally {
    data.remove();
  }
}

function sampleMessage(i: number, p: { roomId: number; authorId: number; text: string }): Message {
  return { id: i + 1, roomId: p.roomId, seq: i + 1, authorId: p.authorId, kind: 'text', title: null, text: p.text, createdAt: Date.now(), clientId: null, origin: null };
}

await main();
