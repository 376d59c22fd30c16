// mentions: what @mentions cost. Completion's people in a room open to 20,000 people and in a
// closed room of 10; appending messages with and without mentions (the rows written in the same
// transaction); deciding whom a text mentions; a heavily mentioned user's unread counts and list.
import { loadConfig } from '../src/config/load.js';
import { mentionedUsers } from '../src/app/mentions.js';
import { openApplication } from '../src/main.js';
import type { NewMessage, Store } from '../src/ports/store.js';
import { createCategoryFor, createRooms, openBenchStore, tempDir } from './lib/fixture.js';
import { nowMs, percentiles, progress, report, round } from './lib/report.js';
import { rng } from './lib/words.js';

const NAME = 'mentions';
const USERS = Number(process.env.BENCH_USERS ?? 20_000);
const PEOPLE_QUERIES = 3000;
const BATCH = 500;
const BATCHES = 20;
const MENTIONS_OF_ONE = 10_000;
const log = progress(NAME);

const FIRST = ['Ada', 'Bruno', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivo', 'Jana', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Pia'];
const LAST = ['Archer', 'Bloggs', 'Clark', 'Dvořák', 'Evans', 'Fischer', 'García', 'Horvat', 'Ito', 'Jensen', 'Kowalski', 'López', 'Müller', 'Novak'];

async function createPeople(store: Store, count: number, random: () => number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const displayName = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
    const user = await store.users.create({ login: `${displayName.split(' ')[0]!.toLowerCase()}${i}`, displayName, email: null, isAdmin: false, disabled: false, origin: null, passwordHash: null });
    ids.push(user.id);
    if (i % 5000 === 4999) log(`${i + 1} users`);
  }
  return ids;
}

const post = (roomId: number, authorId: number, text: string, mentions: readonly number[] = []): NewMessage => ({
  roomId,
  authorId,
  kind: 'text',
  title: null,
  text,
  createdAt: Date.now(),
  clientId: null,
  origin: null,
  keep: true,
  ...(mentions.length > 0 && { mentions }),
});

async function main(): Promise<void> {
  const data = tempDir(NAME);
  const random = rng(7);
  try {
    const store = openBenchStore(data.dir);
    const ids = await createPeople(store, USERS, random);
    const categoryId = await createCategoryFor(store, 'Everyone', ids.map((id) => ({ kind: 'user' as const, id })));
    const [lobby] = (await createRooms(store, categoryId, 1, 'lobby')) as [number];
    const small = await store.rooms.create({
      name: 'small',
      description: '',
      categoryId,
      privacy: 'closed',
      type: 'normal',
      members: ids.slice(0, 10).map((id) => ({ kind: 'user' as const, id })),
      managers: [],
      presenters: [],
      invitations: 'inherit',
      addinId: null,
      disabled: false,
      origin: null,
      legacyUri: null,
    });
    await store.close();

    const config = loadConfig({ env: {}, overrides: { dataDir: data.dir, 'log.level': 'silent' } });
    const local = await openApplication(config, 'bench');
    const { app } = local;
    const author = ids[0]!;
    const actor = await app.sessions.actorFor(author);

    // 1. Completion: the first query builds the snapshot's sorted index; the rest are binary searches.
    const t = nowMs();
    await app.mentions.people(actor, lobby, { prefix: 'a' });
    const indexMs = nowMs() - t;
    const letters = 'abcdefghijklmnoprstuvz';
    const prefix = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => letters[Math.floor(random() * letters.length)]).join('');
    const time = async (n: number, run: () => Promise<unknown>): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = nowMs();
        await run();
        times.push(nowMs() - start);
      }
      return times;
    };
    const open = percentiles(await time(PEOPLE_QUERIES, () => app.mentions.people(actor, lobby, { prefix: prefix(), limit: 10 })));
    // The worst case: an empty prefix in a closed room of 10 checks the readers among every user in order.
    const closedAll = percentiles(await time(200, () => app.mentions.people(actor, small.id, { prefix: '', limit: 10 })));

    // 2. Appending: the same batches without and with one mention per message (rows in the same transaction).
    const appendRate = async (withMentions: boolean): Promise<number> => {
      const start = nowMs();
      for (let b = 0; b < BATCHES; b++) {
        await local.store.messages.append(
          Array.from({ length: BATCH }, (_, i) => {
            const target = ids[1 + ((b * BATCH + i) % (ids.length - 1))]!;
            return withMentions ? post(lobby, author, `hello @x${i}, see this`, [target]) : post(lobby, author, `hello x${i}, see this`);
          }),
        );
      }
      return (BATCHES * BATCH) / ((nowMs() - start) / 1000);
    };
    await appendRate(false); // warm-up
    const plainRate = await appendRate(false);
    const mentionRate = await appendRate(true);

    // 3. Deciding whom a text mentions (per post, in the application).
    const snapshot = await app.directory.snapshot();
    const found = snapshot.roomWithCategory(lobby)!;
    const decide = (text: string, n: number): number => {
      const start = nowMs();
      for (let i = 0; i < n; i++) mentionedUsers(snapshot, found.room, found.category, text, author);
      return ((nowMs() - start) * 1e6) / n;
    };
    const noAtNs = decide('a plain message of some length, without any mention in it at all', 200_000);
    const twoNs = decide(`lunch @${snapshot.users.get(ids[5]!)!.login} and @${snapshot.users.get(ids[6]!)!.login}?`, 100_000);

    // 4. One user mentioned MENTIONS_OF_ONE times across 10 rooms: unread counts and a page of the list.
    const rooms = await createRooms(local.store, categoryId, 10, 'busy');
    const target = ids[9]!;
    for (let b = 0; b < MENTIONS_OF_ONE / BATCH; b++) {
      await local.store.messages.append(Array.from({ length: BATCH }, (_, i) => post(rooms[i % rooms.length]!, author, `@someone ${i}`, [target])));
    }
    const counts = percentiles(await time(300, () => local.store.mentions.unreadCounts(target)));
    const pages = percentiles(await time(1000, () => local.store.mentions.list(target, { limit: 30, beforeId: 1 + Math.floor(random() * 1e6) })));
    await local.close();

    report({
      name: NAME,
      figures: {
        users: USERS,
        'people index build, first query (ms)': round(indexMs, 1),
        'people by prefix, open room of all users, p50 (ms)': round(open.p50, 3),
        'people by prefix, open room of all users, p99 (ms)': round(open.p99, 3),
        'people, empty prefix, closed room of 10, p50 (ms)': round(closedAll.p50, 2),
        'people, empty prefix, closed room of 10, p99 (ms)': round(closedAll.p99, 2),
        'append without mentions (msgs/s)': Math.round(plainRate),
        'append, one mention each (msgs/s)': Math.round(mentionRate),
        'decide mentions, text without @ (ns)': Math.round(noAtNs),
        'decide mentions, two @logins (ns)': Math.round(twoNs),
        [`unread mention counts, user mentioned ${MENTIONS_OF_ONE} times, p50 (ms)`]: round(counts.p50, 3),
        [`unread mention counts, user mentioned ${MENTIONS_OF_ONE} times, p99 (ms)`]: round(counts.p99, 3),
        'mentions list page of 30, p50 (ms)': round(pages.p50, 3),
      },
      targets: [{ metric: 'people by prefix p99 (open room of all users)', value: open.p99, op: '<=', target: 5, unit: 'ms' }],
      notes: [
        `${USERS} users in one category; "lobby" is open to all of them, "small" is closed with 10 members. ${PEOPLE_QUERIES} completion queries of 1-3 random letters, limit 10.`,
        `append: ${BATCHES} store batches of ${BATCH} (synchronous=FULL, as the server), plain texts, then the same with one mention row each.`,
        'decide: mentionedUsers() (parse, login lookup in the snapshot, permission check) per call.',
        `counts: the ${MENTIONS_OF_ONE} mention rows of one user in 10 rooms, no read position (all unread): a covering-index scan of the user's rows.`,
      ],
    });
  } finally {
    data.remove();
  }
}

await main();
