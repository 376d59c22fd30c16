// A generated RecordSource for the interchange benchmark: a few hundred users, about a thousand
// rooms whose sizes follow a Zipf law (a few huge rooms, a long tail of small ones), and N
// messages of 20–300 characters of Zipf-distributed words, with about 1% stories (a title and
// a few paragraphs) and some non-ASCII text. Deterministic for a given seed.
import type { CategoryRecord, MessageRecord, RecordOf, RecordType, RoomRecord, UserRecord } from '../../src/interchange/archive/records.js';
import type { RecordSource } from '../../src/interchange/source.js';
import { rng, vocabulary } from './words.js';

export interface GeneratedShape {
  readonly users: number;
  readonly rooms: number;
  readonly categories: number;
  /** Messages per room, in room order. */
  readonly roomSizes: readonly number[];
}

const DAY = 86_400_000;
const START = Date.UTC(2015, 0, 1);
const SPAN = 10 * 365 * DAY;
const UNICODE = ['café', 'naïve', 'Zürich', 'señor', 'déjà', 'über', 'smörgåsbord', '日本語', 'Привет', '👍', '🎉', '✅'];
const iso = (ms: number) => new Date(ms).toISOString();

/** Room sizes ∝ 1/(rank+1)^s that add up to exactly `messages`, each room at least 1. */
export function roomSizes(messages: number, rooms: number, s = 1): number[] {
  const weights = Array.from({ length: rooms }, (_, r) => 1 / Math.pow(r + 1, s));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((messages * w) / sum)));
  let left = messages - sizes.reduce((a, b) => a + b, 0);
  for (let r = 0; left !== 0; r = (r + 1) % rooms) {
    if (left > 0) {
      sizes[r]! += 1;
      left -= 1;
    } else if (sizes[r]! > 1) {
      sizes[r]! -= 1;
      left += 1;
    }
  }
  return sizes;
}

export function generatedSource(messages: number, seed = 11, shape: { users?: number; rooms?: number; categories?: number } = {}): { source: RecordSource; shape: GeneratedShape } {
  const users = shape.users ?? 300;
  const rooms = shape.rooms ?? 1000;
  const categories = shape.categories ?? 12;
  const sizes = roomSizes(messages, rooms);
  const random = rng(seed);
  const vocab = vocabulary(20_000, random);
  const pick = () => vocab.words[vocab.draw()] as string;

  /** A chat line of about `length` characters, capitalised, sometimes with punctuation or a non-ASCII word. */
  const sentence = (length: number): string => {
    let text = pick();
    text = text.charAt(0).toUpperCase() + text.slice(1);
    while (text.length < length) {
      const r = random();
      text += r < 0.02 ? ` ${UNICODE[Math.floor(random() * UNICODE.length)]}` : r < 0.08 ? `, ${pick()}` : ` ${pick()}`;
    }
    const end = random();
    return end < 0.6 ? text : end < 0.85 ? `${text}.` : `${text}?`;
  };
  const lineLength = () => 20 + Math.floor(280 * Math.pow(random(), 2.2)); // mostly short, up to 300

  const userRecords = (): UserRecord[] =>
    Array.from({ length: users }, (_, i) => ({
      id: `u${i + 1}`,
      login: `user${i + 1}@example.com`,
      displayName: `User ${i + 1}`,
      email: `user${i + 1}@example.com`,
      disabled: i % 50 === 49,
      isAdmin: i === 0,
      origin: null,
    }));
  const categoryRecords = (): CategoryRecord[] =>
    Array.from({ length: categories }, (_, i) => ({
      id: `c${i + 1}`,
      name: `Category ${i + 1}`,
      description: `generated category ${i + 1}`,
      allowed: [{ kind: 'group', id: 'g1' }],
      denied: [],
      creators: [{ kind: 'user', id: 'u1' }],
      invitations: true,
      fileUpload: false,
      chatHistory: true,
      origin: null,
    }));
  /** Each room's authors: 3–40 users, chosen by the room's number. */
  const authorsOf = (room: number): string[] => {
    const n = 3 + ((room * 7919) % 38);
    return Array.from({ length: n }, (_, k) => `u${1 + ((room * 31 + k * 17) % users)}`);
  };
  const roomRecords = (): RoomRecord[] =>
    Array.from({ length: rooms }, (_, i) => ({
      id: `r${i + 1}`,
      name: `room-${i + 1}`,
      description: i % 3 === 0 ? '' : `talk about ${vocab.words[100 + (i % 200)]}`,
      category: `c${1 + (i % categories)}`,
      privacy: i % 10 === 0 ? 'closed' : 'open',
      type: i % 50 === 0 ? 'auditorium' : 'normal',
      members: i % 10 === 0 ? authorsOf(i).map((id) => ({ kind: 'user' as const, id })) : [],
      managers: [{ kind: 'user', id: authorsOf(i)[0]! }],
      presenters: i % 50 === 0 ? [{ kind: 'user', id: authorsOf(i)[1]! }] : [],
      invitations: 'inherit',
      addin: null,
      disabled: false,
      createdAt: iso(START - DAY),
      origin: null,
    }));

  async function* messageRecords(): AsyncGenerator<MessageRecord> {
    let id = 0;
    for (let room = 0; room < rooms; room++) {
      const count = sizes[room]!;
      const authors = authorsOf(room);
      const step = SPAN / count;
      for (let seq = 1; seq <= count; seq++) {
        id += 1;
        const story = random() < 0.01;
        const text = story
          ? Array.from({ length: 2 + Math.floor(random() * 4) }, () => sentence(80 + Math.floor(random() * 300))).join('\n\n')
          : sentence(lineLength());
        yield {
          id: String(id),
          room: `r${room + 1}`,
          seq,
          author: authors[Math.floor(random() * authors.length)]!,
          at: iso(START + Math.floor((seq - 1) * step + random() * step * 0.5)),
          kind: story ? 'story' : 'text',
          title: story ? sentence(10 + Math.floor(random() * 40)) : null,
          text,
          origin: null,
        };
      }
    }
  }

  const from = <T>(list: () => T[]) =>
    async function* () {
      yield* list();
    };
  const generators: { [T in RecordType]: () => AsyncIterable<RecordOf[T]> } = {
    users: from(userRecords),
    groups: from(() => [
      { id: 'g1', name: 'Everyone', description: 'all generated users', origin: null },
      { id: 'g2', name: 'Admins', description: '', origin: null },
    ]),
    memberships: from(() => [
      ...Array.from({ length: users }, (_, i) => ({ group: 'g1', member: { kind: 'user' as const, id: `u${i + 1}` } })),
      { group: 'g2', member: { kind: 'user' as const, id: 'u1' } },
    ]),
    addins: from(() => []),
    categories: from(categoryRecords),
    rooms: from(roomRecords),
    policies: from(() => [{ scope: 'global' as const, target: null, enabled: true }]),
    messages: messageRecords,
    notes: from(() => []),
  };
  return {
    source: {
      description: { system: 'bench-gen', version: '1', instance: 'generated' },
      records: <T extends RecordType>(type: T) => generators[type]() as AsyncIterable<RecordOf[T]>,
      close: async () => {},
    },
    shape: { users, rooms, categories, roomSizes: sizes },
  };
}
