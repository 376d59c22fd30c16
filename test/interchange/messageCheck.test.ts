import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rng } from '../../bench/lib/words.js';
import { checkedMessage } from '../../src/interchange/archive/messageCheck.js';
import { messageRecordSchema } from '../../src/interchange/archive/records.js';

// Deterministic, so a failure names an input that can be replayed.
const random = rng(20261202);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
/** Usually one of the ordinary values, sometimes one on or over an edge. */
const usually = <T>(ordinary: readonly T[], edges: readonly T[]): T => (random() < 0.85 ? pick(ordinary) : pick(edges));
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Strings of a length around the interesting bounds, sometimes with characters outside the BMP. */
function text(ordinary: readonly number[], edges: readonly number[] = []): string {
  const length = usually(ordinary, edges.length > 0 ? edges : ordinary);
  const unit = random() < 0.2 ? '😀' : random() < 0.1 ? 'é' : 'a';
  return unit.repeat(Math.max(0, Math.ceil(length / unit.length))).slice(0, length);
}

/** Timestamps: mostly well-formed, often on the edge of the calendar or the format. */
function timestamp(): string {
  const year = pick(['2024', '2023', '1900', '2000', '2100', '0000', '9999', digits(4)]);
  const month = usually([1, 2, 4, 6, 9, 11, 12].map((m) => pad(m)), ['00', '13', '1']);
  const day = usually([1, 15, 28, 29, 30, 31].map((d) => pad(d)), ['00', '32', '7']);
  const time = `${usually(['00', '09', '23'], ['24', '1'])}:${usually(['00', '59'], ['60'])}:${usually(['00', '59'], ['60'])}`;
  const ms = usually(['.123', '.000'], ['.12', '.1234', '']);
  const zone = usually(['Z'], ['+00:00', 'z', '']);
  return `${year}-${month}-${day}T${time}${ms}${zone}`;
}

function message(): Record<string, unknown> {
  return {
    id: text([1, 5, 512], [0, 513]),
    room: text([1, 3, 512], [0, 513]),
    seq: usually([1, 42, -7, 0, Number.MAX_SAFE_INTEGER], [1.5, 2 ** 53, Number.NaN]),
    author: text([1, 7, 512], [0, 513]),
    at: timestamp(),
    kind: usually(['text', 'story'], ['Text', 'file']),
    title: random() < 0.5 ? null : text([0, 10, 256], [257]),
    text: text([0, 40, 3000]),
    origin: random() < 0.5 ? null : { system: text([1, 128], [0, 129]), id: text([1, 512], [0, 513]) },
    // Version 3's optional fields, now and then, sometimes on or over an edge.
    ...(random() < 0.15 && { replyTo: text([1, 7, 512], [0, 513]) }),
    ...(random() < 0.15 && { editedAt: timestamp() }),
    ...(random() < 0.15 && { reactions: reactions() }),
  };
}

/** Reactions: mostly well-formed, sometimes empty, with a bad emoji or a bad user list. */
function reactions(): unknown {
  const emoji = () => usually(['👍', '🎉', ':party-parrot:', '👨🏻‍❤️‍💋‍👨🏼'], ['', 'two words', 'tab\there', 'x'.repeat(65), 'x'.repeat(64), '\u0007']);
  const users = () => usually([['u1'], ['u1', 'u2']], [[], [''], ['x'.repeat(513)], [1]]);
  const list = Array.from({ length: usually([1, 2, 3], [0]) }, () => (random() < 0.05 ? { emoji: emoji(), users: users(), more: 1 } : { emoji: emoji(), users: users() }));
  return random() < 0.03 ? pick([null, {}, 'x', [null]]) : list;
}

/** One change a broken or hostile archive might make. */
function mutate(m: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...m };
  const field = pick(Object.keys(copy));
  switch (Math.floor(random() * 7)) {
    case 0:
      delete copy[field];
      break;
    case 1:
      copy.extra = 1;
      break;
    case 2:
      copy[field] = pick([null, 1, 'x', true, [], {}, undefined]);
      break;
    case 3:
      copy.origin = pick([{ system: 's' }, { system: 's', id: 'i', more: 1 }, [], 'pchat', { id: 'i', system: 's' }]);
      break;
    case 4:
      return pick([null, [], 'message', 7]) as never;
    default:
      break;
  }
  return copy;
}

describe('the hand check of message records agrees with the schema', () => {
  it('accepts only what the schema accepts, and returns what it returns, for 200,000 generated records', () => {
    let accepted = 0;
    let schemaAccepted = 0;
    for (let i = 0; i < 200_000; i++) {
      const input = random() < 0.5 ? message() : mutate(message());
      // What a line of an archive would hold: through JSON and back.
      const json = JSON.parse(JSON.stringify(input) ?? 'null') as unknown;
      const quick = checkedMessage(json);
      const parsed = messageRecordSchema.safeParse(json);
      if (parsed.success) schemaAccepted += 1;
      if (quick === null) continue;
      accepted += 1;
      assert.ok(parsed.success, `the hand check accepted what the schema refuses: ${JSON.stringify(json).slice(0, 300)}`);
      assert.equal(JSON.stringify(quick), JSON.stringify(parsed.data), 'the same record, fields in the same order');
    }
    // Not a vacuous check: most records the schema takes go the quick way (the rest it decides itself).
    assert.ok(schemaAccepted > 10_000, `enough valid records were generated (${schemaAccepted})`);
    assert.ok(accepted / schemaAccepted > 0.8, `the hand check took ${accepted} of ${schemaAccepted} valid records`);
  });

  it('judges every timestamp exactly as the schema does', () => {
    const base = { id: 'm1', room: 'r1', seq: 1, author: 'u1', kind: 'text', title: null, text: 'hello', origin: null };
    for (let i = 0; i < 50_000; i++) {
      const at = timestamp();
      const record = { ...base, at };
      assert.equal(checkedMessage(record) !== null, messageRecordSchema.safeParse(record).success, `timestamp ${at}`);
    }
  });
});
