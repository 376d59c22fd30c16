import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/core/model.js';
import { LocalEventBus } from '../../src/delivery/eventBus.js';
import { Hub, type Subscriber } from '../../src/delivery/hub.js';
import type { DomainEvent, PostedEvent } from '../../src/ports/events.js';

const posted = (roomId: number, seq: number): PostedEvent => ({
  type: 'message.posted',
  roomId,
  live: false,
  message: { id: roomId * 100 + seq, roomId, seq, authorId: 1, kind: 'text', title: null, text: `m${seq}`, createdAt: 0, clientId: null, origin: null } satisfies Message,
});

/** Records what the hub hands it: single events as seqs, batches as arrays of seqs. */
function recorder(userId: number, batches: boolean): Subscriber & { got: (number | number[])[] } {
  const got: (number | number[])[] = [];
  const seqOf = (e: DomainEvent) => (e.type === 'message.posted' ? e.message.seq : -1);
  return {
    userId,
    got,
    onRoomEvent: (e) => void got.push(seqOf(e)),
    ...(batches && { onRoomPosts: (events: readonly PostedEvent[]) => void got.push(events.map(seqOf)) }),
    onAccessChange: () => undefined,
    onPresence: () => undefined,
  };
}

describe('Hub: the posts of one commit', () => {
  it('go to each room as runs, in order: as one batch to a subscriber that takes them so, one by one to the others', async () => {
    const bus = new LocalEventBus();
    const hub = new Hub(bus);
    const inA = recorder(1, true);
    const inAOneByOne = recorder(2, false);
    const inB = recorder(3, true);
    hub.join(10, inA);
    hub.join(10, inAOneByOne);
    hub.join(20, inB);
    // Room 10, 10, 20, 10: three runs.
    await bus.publishAll([posted(10, 1), posted(10, 2), posted(20, 1), posted(10, 3)]);
    assert.deepEqual(inA.got, [[1, 2], [3]]);
    assert.deepEqual(inAOneByOne.got, [1, 2, 3]);
    assert.deepEqual(inB.got, [[1]]);
  });

  it('reach listeners without a batch listener one event at a time, and a failing listener harms no other', async () => {
    const errors: string[] = [];
    const bus = new LocalEventBus({ error: (_obj, msg) => void errors.push(msg) });
    const seen: number[] = [];
    bus.subscribe((e) => {
      if (e.type === 'message.posted' && e.message.seq === 2) throw new Error('boom');
      if (e.type === 'message.posted') seen.push(e.message.seq);
    });
    const batches: number[][] = [];
    bus.subscribe(
      () => assert.fail('a listener of batches gets posts in batches'),
      (events) => void batches.push(events.map((e) => e.message.seq)),
    );
    await bus.publishAll([posted(10, 1), posted(10, 2), posted(10, 3)]);
    assert.deepEqual(seen, [1, 3]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(errors, ['event listener failed']);
  });
});
