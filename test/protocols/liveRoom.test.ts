import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import type { PostedEvent } from '../../src/ports/events.js';
import { deliverRuns, type LiveRoom, type SharedBatch } from '../../src/protocols/liveRoom.js';

const post = (seq: number, authorId = 1): PostedEvent => ({ type: 'message.posted', roomId: 7, live: true, message: { seq, authorId } as Message }) as PostedEvent;
const batch = (...seqs: number[]) => seqs.map((seq) => post(seq));

/** The batch's shared rendering: each post as `<seq>;`, so posts differ in length as real ones do. */
function rendering(events: readonly PostedEvent[]): SharedBatch {
  const parts = events.map((e) => `${e.message.seq};`);
  const offsets = new Uint32Array(events.length + 1);
  parts.forEach((part, i) => (offsets[i + 1] = (offsets[i] as number) + part.length));
  return { bytes: Buffer.from(parts.join('')), offsets };
}

/** What a recipient writes for a batch, write by write ("aside <seq>" for a post taken aside), and how often the batch was rendered. */
function delivered(room: LiveRoom, events: readonly PostedEvent[], aside?: (e: PostedEvent, before: () => void, out: string[]) => boolean): { out: string[]; renders: number } {
  const out: string[] = [];
  let renders = 0;
  deliverRuns(
    room,
    events,
    () => (renders++, rendering(events)),
    (bytes) => out.push(bytes.toString()),
    aside && ((e, before) => aside(e, before, out)),
  );
  return { out, renders };
}

describe('deliverRuns: a recipient\'s share of a batch of posts, as slices of the shared rendering', () => {
  it('writes a batch taken whole at once, rendered once, and moves lastSeq to its end', () => {
    const room: LiveRoom = { lastSeq: 10, held: null };
    assert.deepEqual(delivered(room, batch(11, 12, 13)), { out: ['11;12;13;'], renders: 1 });
    assert.equal(room.lastSeq, 13);
  });

  it('leaves out posts shown already (history read during a join): the slice starts after them', () => {
    const room: LiveRoom = { lastSeq: 12, held: null };
    assert.deepEqual(delivered(room, batch(9, 11, 12, 13, 140)).out, ['13;140;']);
    assert.equal(room.lastSeq, 140);
  });

  it('writes nothing and renders nothing while the join holds events back, and holds them in order', () => {
    const room: LiveRoom = { lastSeq: 0, held: [] };
    const events = batch(1, 2);
    assert.deepEqual(delivered(room, events), { out: [], renders: 0 });
    assert.deepEqual(room.held, events);
  });

  it('a post taken aside splits the slices, and is written after what came before it', () => {
    const room: LiveRoom = { lastSeq: 0, held: null };
    const events = [post(1), post(22), post(300, 99), post(4444), post(55555)];
    const { out, renders } = delivered(room, events, (e, before, written) => {
      if (e.message.authorId !== 99) return false;
      before();
      written.push(`aside ${e.message.seq}`);
      return true;
    });
    assert.deepEqual(out, ['1;22;', 'aside 300', '4444;55555;']);
    assert.equal(renders, 1, 'both slices come from one rendering');
  });

  it('a post that aside declines after writing what came before it starts the next slice', () => {
    const room: LiveRoom = { lastSeq: 0, held: null };
    const events = [post(1), post(2, 99), post(3)];
    const { out } = delivered(room, events, (e, before) => {
      if (e.message.authorId === 99) before();
      return false;
    });
    assert.deepEqual(out, ['1;', '2;3;']);
  });
});
