import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/app/context.js';
import { type Application, createApplication } from '../../src/app/index.js';
import { PchatError } from '../../src/core/errors.js';
import type { Message } from '../../src/core/model.js';
import type { Actor } from '../../src/core/permissions.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import type { DomainEvent } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from '../../src/storage/sqlite/index.js';

/**
 * An application on a fresh SQLite database with the message tests' usual cast: Alice and Bob
 * members of room "desk" in category "Desk", Eve a user outside it, an administrator, and Alice's
 * secret room "hidden" in the same category.
 */
export interface DeskApp {
  readonly app: Application;
  readonly store: Store;
  readonly ids: Readonly<Record<'alice' | 'bob' | 'eve' | 'admin', number>>;
  readonly room: number;
  readonly secret: number;
  actor(name: keyof DeskApp['ids']): Promise<Actor>;
  /** Posts `text` as `name`, through the application. */
  say(name: keyof DeskApp['ids'], roomId: number, text: string): Promise<Message>;
  close(): Promise<void>;
}

export async function openDeskApp(options: { now: () => number; onEvent?: (event: DomainEvent) => void }): Promise<DeskApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pchat-desk-app-'));
  const store = createSqliteStore(join(dir, 'pchat.db'), { synchronous: 'normal' });
  const bus = new LocalEventBus();
  if (options.onEvent) bus.subscribe(options.onEvent);
  const app = createApplication({ store, bus, clock: { now: options.now } });
  const ids = {} as Record<keyof DeskApp['ids'], number>;
  for (const name of ['alice', 'bob', 'eve', 'admin'] as const) {
    ids[name] = (await app.users.create(SYSTEM_ACTOR, { login: `${name}@example.com`, displayName: name, isAdmin: name === 'admin' })).id;
  }
  const member = (name: keyof DeskApp['ids']) => ({ kind: 'user' as const, id: ids[name] });
  const category = await app.categories.create(SYSTEM_ACTOR, { name: 'Desk', allowed: [member('alice'), member('bob')] });
  const room = (await app.rooms.create(SYSTEM_ACTOR, { name: 'desk', categoryId: category.id, members: [member('alice'), member('bob')] })).room.id;
  const secret = (await app.rooms.create(SYSTEM_ACTOR, { name: 'hidden', categoryId: category.id, privacy: 'secret', members: [member('alice')] })).room.id;
  const actor = (name: keyof DeskApp['ids']) => app.sessions.actorFor(ids[name]);
  return {
    app,
    store,
    ids,
    room,
    secret,
    actor,
    say: async (name, roomId, text) => (await app.messages.post(await actor(name), roomId, { text })).message,
    close: async () => {
      await app.flush();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For assert.rejects: a PchatError with this code and, when given, this rule (details.rule), field and words. */
export const refusal =
  (code: string, extra: { rule?: string; field?: string; words?: RegExp } = {}) =>
  (error: unknown): boolean => {
    assert.ok(error instanceof PchatError, String(error));
    assert.equal(error.code, code, error.message);
    if (extra.rule !== undefined) assert.equal((error.details as { rule?: string } | undefined)?.rule, extra.rule, error.message);
    if (extra.field !== undefined) assert.equal(error.field, extra.field, error.message);
    if (extra.words) assert.match(error.message, extra.words);
    return true;
  };
