import { execFile } from 'node:child_process';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/load.js';
import { openArchive } from '../../src/interchange/archive/reader.js';
import { RECORD_TYPE_NAMES, type RecordOf, type RecordType } from '../../src/interchange/archive/records.js';
import { identityOf } from '../../src/interchange/source.js';
import { type LocalApp, openApplication } from '../../src/main.js';
import { PCHAT_BIN } from './childServer.js';

const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PCHAT_')));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `pchat` executable (without the caller's PCHAT_* environment); never rejects, so
 * tests can check failures. `cwd`: where it runs, e.g. a temp dir, so that no ./pchat.config.json
 * there is read.
 */
export function pchat(args: readonly string[], { timeout = 120_000, cwd }: { timeout?: number; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [PCHAT_BIN, ...args], { env: ENV, timeout, maxBuffer: 64 << 20, ...(cwd !== undefined && { cwd }) }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end('');
  });
}

/** Runs the real `pchat` and fails the test, with its output, unless it exits 0. */
export async function pchatOk(args: readonly string[]): Promise<CliRun> {
  const run = await pchat(args);
  if (run.code !== 0) throw new Error(`pchat ${args.join(' ')}: exit ${run.code}:\n${run.stdout}${run.stderr}`);
  return run;
}

/** Runs `pchat <args> --json --database <database>` (in `cwd`) and returns its JSON answer; a failed command rejects with its stderr. */
export async function pchatJson(database: string, args: readonly string[], options: { timeout?: number; cwd?: string } = {}): Promise<any> {
  const run = await pchat([...args, '--json', '--database', database], options);
  if (run.code !== 0) throw new Error(`pchat ${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

export const openDir = (dataDir: string): Promise<LocalApp> => openApplication(loadConfig({ env: {}, overrides: { dataDir, 'log.level': 'silent' } }), 'test');

/**
 * A database with something of everything: nested groups, a disabled user, an add-in, two
 * categories (one with a denied group), open/closed/secret rooms, an auditorium with
 * presenters, a disabled room, a policy, and `messages` messages spread over the rooms,
 * stories included, with times going back years.
 */
export async function seedDatabase(dataDir: string, messages = 300): Promise<void> {
  const local = await openDir(dataDir);
  const { app, store } = local;
  const a = SYSTEM_ACTOR;
  try {
    const users: { id: number }[] = [];
    for (const login of ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']) {
      users.push(await app.users.create(a, { login, displayName: login.split('@')[0]!.toUpperCase(), email: login, password: 'seed-password-1' }));
    }
    await app.users.update(a, users[3]!.id, { disabled: true });
    const u = (i: number) => ({ kind: 'user' as const, id: users[i]!.id });
    const inner = await app.groups.create(a, { name: 'traders', members: [u(0), u(1)] });
    const outer = await app.groups.create(a, { name: 'front office', members: [{ kind: 'group', id: inner.id }, u(2)] });
    const addin = await app.addins.create(a, { name: 'wiki', url: 'https://wiki.example.com/room' });
    const eng = await app.categories.create(a, { name: 'Engineering', description: 'builders', allowed: [{ kind: 'group', id: outer.id }, u(3)], creators: [u(0)], invitations: false });
    const ann = await app.categories.create(a, { name: 'Announcements', allowed: [u(0), u(1), u(2)], denied: [u(2)], chatHistory: true, fileUpload: false });
    const rooms = [
      await app.rooms.create(a, { name: 'general', categoryId: eng.id, privacy: 'open', addinId: addin.id }),
      await app.rooms.create(a, { name: 'release', categoryId: eng.id, privacy: 'closed', members: [u(0), u(1)], managers: [u(0)] }),
      await app.rooms.create(a, { name: 'incident', categoryId: eng.id, privacy: 'secret', members: [{ kind: 'group', id: inner.id }], invitations: 'false' }),
      await app.rooms.create(a, { name: 'town hall', categoryId: ann.id, type: 'auditorium', privacy: 'open', presenters: [u(0)], managers: [u(1)] }),
    ];
    const old = await app.rooms.create(a, { name: 'old stuff', categoryId: eng.id });
    await app.rooms.update(a, old.room.id, { disabled: true });
    await app.settings.setPolicy(a, { scope: 'user', targetId: users[2]!.id, enabled: true });
    const start = Date.UTC(2019, 0, 1);
    const posts = [];
    for (let i = 0; i < messages; i++) {
      const room = i % 7 === 6 ? old.room : rooms[i % rooms.length]!.room;
      const story = i % 25 === 0;
      posts.push({
        roomId: room.id,
        authorId: users[i % 3]!.id,
        kind: story ? ('story' as const) : ('text' as const),
        title: story ? `Story ${i}` : null,
        text: `message ${i} about ${['deploys', 'coffee', 'the "build"', 'naïve café', 'line\nbreaks'][i % 5]} <b>not html</b>`,
        createdAt: start + i * 3_600_123,
        clientId: null,
        origin: null,
        keep: true,
      });
    }
    for (let i = 0; i < posts.length; i += 500) await store.messages.append(posts.slice(i, i + 500));
  } finally {
    await local.close();
  }
}

/** Every record of an archive, with each id (and reference) replaced by the item's identity, so two pchat databases compare. */
export async function normalisedRecords(file: string): Promise<Record<string, unknown[]>> {
  const source = await openArchive(file);
  try {
    const keys = { user: new Map<string, string>(), group: new Map<string, string>(), addin: new Map<string, string>(), category: new Map<string, string>(), room: new Map<string, string>() };
    const kinds: Partial<Record<RecordType, keyof typeof keys>> = { users: 'user', groups: 'group', categories: 'category', rooms: 'room' };
    const all: Record<string, RecordOf[RecordType][]> = {};
    for (const type of RECORD_TYPE_NAMES) {
      all[type] = [];
      for await (const r of source.records(type)) {
        all[type].push(r);
        const kind = kinds[type];
        if (kind) {
          const o = identityOf(source.description, r as { id: string; origin: null });
          keys[kind].set((r as { id: string }).id, `${o.system}/${o.id}`);
        }
        if (type === 'addins') keys.addin.set((r as RecordOf['addins']).id, (r as RecordOf['addins']).name);
      }
    }
    const ref = (r: { kind: 'user' | 'group'; id: string }) => `${r.kind}:${keys[r.kind].get(r.id)}`;
    const refs = (list: { kind: 'user' | 'group'; id: string }[]) => list.map(ref).sort();
    const out: Record<string, unknown[]> = {};
    for (const [type, list] of Object.entries(all)) {
      out[type] = list
        .map((r: any) => {
          const x: any = { ...r };
          const kind = kinds[type as RecordType];
          if (kind) {
            x.id = keys[kind].get(r.id);
            delete x.origin;
          }
          if (type === 'addins') delete x.id;
          for (const field of ['allowed', 'denied', 'creators', 'members', 'managers', 'presenters']) if (x[field]) x[field] = refs(x[field]);
          if (type === 'rooms') {
            x.category = keys.category.get(r.category);
            x.addin = r.addin === null ? null : keys.addin.get(r.addin);
          }
          if (type === 'memberships') {
            x.group = keys.group.get(r.group);
            x.member = ref(r.member);
          }
          if (type === 'policies' && r.target) x.target = ref(r.target);
          if (type === 'messages') {
            const o = identityOf(source.description, r);
            x.id = `${o.system}/${o.id}`;
            delete x.origin;
            x.room = keys.room.get(r.room);
            x.author = keys.user.get(r.author);
          }
          return x;
        })
        .sort((p: any, q: any) => (JSON.stringify(p) < JSON.stringify(q) ? -1 : 1));
    }
    return out;
  } finally {
    await source.close();
  }
}
