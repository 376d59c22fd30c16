import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ws from 'ws';
import type { PostedEvent } from '../../src/ports/events.js';
import { framedBatch, textFrameHeader } from '../../src/protocols/ws/frames.js';

// ws exports its frame parser and framer at run time; its type declarations leave them out.
interface WsParser extends NodeJS.WritableStream {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
const { Receiver, Sender } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; skipUTF8Validation: boolean }) => WsParser;
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** What ws's own client-side parser makes of `bytes`: the text messages, in order. */
function parseAsClient(bytes: Buffer): Promise<string[]> {
  const receiver = new Receiver({ isServer: false, skipUTF8Validation: false });
  const messages: string[] = [];
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    assert.equal(isBinary, false, 'a text frame');
    messages.push(data.toString());
  });
  return new Promise((resolve, reject) => {
    receiver.on('error', reject);
    receiver.end(bytes, () => resolve(messages));
  });
}

const SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
const payloadOf = (n: number) => Buffer.from('x'.repeat(n));
// The frames only look at a post's identity (the batch) and what `payloadOf` makes of it.
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'message.posted', roomId: 1, i }) as unknown as PostedEvent);

describe('WebSocket text frames made once for a batch of posts', () => {
  it('frames each length as ws itself does: 7, 16 and 64-bit lengths, unmasked', () => {
    for (const size of SIZES) {
      const [header] = Sender.frame(payloadOf(size), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
      assert.deepEqual(textFrameHeader(size), header, `a payload of ${size} bytes`);
    }
  });

  it('a batch parses, as a client parses it, into every payload in order; so does each slice between offsets', async () => {
    const batch = events(SIZES.length);
    const payload = (e: PostedEvent) => payloadOf(SIZES[(e as unknown as { i: number }).i] as number);
    const framed = framedBatch(batch, payload);
    assert.deepEqual(await parseAsClient(framed.bytes), SIZES.map((n) => 'x'.repeat(n)));
    assert.equal(framed.offsets[SIZES.length], framed.bytes.length);
    const slice = framed.bytes.subarray(framed.offsets[2], framed.offsets[5]);
    assert.deepEqual(await parseAsClient(slice), SIZES.slice(2, 5).map((n) => 'x'.repeat(n)));
    assert.equal(framedBatch(batch, payload), framed, 'the same batch is framed once, for all its recipients');
    assert.notEqual(framedBatch(events(1), () => payloadOf(3)), framed, 'another batch is framed anew');
  });
});
