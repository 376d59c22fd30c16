import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import type { PostedEvent } from '../../src/ports/events.js';
import { deliverRuns, type LiveRoom } from '../../src/protocols/liveRoom.js';

const post = (seq: number, authorId = 1): PostedEvent => ({ type: 'message.posted', roomId: 7, live: true, message: { seq, authorId } as Message }) as PostedEvent;
const batch = (...seqs: number[]) => seqs.map((seq) => post(seq));

/** What a recipient writes for a batch: runs as "from-to", posts taken aside as "aside seq". */
function delivered(room: LiveRoom, events: readonly PostedEvent[], aside?: (e: PostedEvent, before: () => void) => boolean): string[] {
  const out: string[] = [];
  deliverRuns(room, events, (from, to) => out.push(`${from}-${to}`), aside);
  return out;
}

describe('deliverRuns: a recipient\'s share of a batch of posts, as runs of the shared rendering', () => {
  it('one run for a batch taken whole, and lastSeq moves to its end', () => {
    const room: LiveRoom = { lastSeq: 10, held: null };
    assert.deepEqual(delivered(room, batch(11, 12, 13)), ['0-3']);
    assert.equal(room.lastSeq, 13);
  });

  it('leaves out posts shown already (history read during a join), and the run starts after them', () => {
    const room: LiveRoom = { lastSeq: 12, held: null };
    assert.deepEqual(delivered(room, batch(11, 12, 13, 14)), ['2-4']);
    assert.equal(room.lastSeq, 14);
  });

  it('writes nothing while the join holds events back, and holds them in order', () => {
    const room: LiveRoom = { lastSeq: 0, held: [] };
    const events = batch(1, 2);
    assert.deepEqual(delivered(room, events), []);
    assert.deepEqual(room.held, events);
  });

  it('a post taken aside splits the run, written after what came before it', () => {
    const room: LiveRoom = { lastSeq: 0, held: null };
    const events = [post(1), post(2), post(3, 99), post(4), post(5)];
    const out: string[] = [];
    deliverRuns(
      room,
      events,
      (from, to) => out.push(`${from}-${to}`),
      (e, before) => {
        if (e.message.authorId !== 99) return false;
        before();
        out.push(`aside ${e.message.seq}`);
        return true;
      },
    );
    assert.deepEqual(out, ['0-2', 'aside 3', '3-5']);
  });

  it('a post aside declines after writing what came before it joins the next run', () => {
    const room: LiveRoom = { lastSeq: 0, held: null };
    const events = [post(1), post(2, 99), post(3)];
    assert.deepEqual(
      delivered(room, events, (e, before) => {
        if (e.message.authorId === 99) before();
        return false;
      }),
      ['0-1', '1-3'],
    );
  });
});
