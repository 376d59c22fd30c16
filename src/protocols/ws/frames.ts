import type { PostedEvent } from '../../ports/events.js';
import type { SharedBatch } from '../liveRoom.js';

/**
 * Server-to-client text frames, made here so that a batch of posts is framed once for all its
 * recipients (RFC 6455 5.2: FIN and opcode 1, then the payload length in 7, 16 or 64 bits; a
 * server never masks). Each recipient then writes the shared bytes, or slices of them, to its
 * socket: no framing and no `ws.send` per message and recipient. With permessage-deflate off
 * (ws/server.ts) ws's own sender writes each frame to the socket at once, keeping no queue, so
 * frames written here and frames it sends leave in the order they were made.
 */
export function textFrameHeader(payloadBytes: number): Buffer {
  if (payloadBytes < 126) return Buffer.from([0x81, payloadBytes]);
  if (payloadBytes < 0x10000) {
    const header = Buffer.allocUnsafe(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(payloadBytes, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payloadBytes), 2);
  return header;
}

// The hub hands a batch to all its recipients in a row: the last one's frames are kept at hand.
let lastBatch: readonly PostedEvent[] | null = null;
let lastFramed: SharedBatch | null = null;

/** The batch's posts as text frames, one after another, each payload as `payloadOf` renders it. */
export function framedBatch(events: readonly PostedEvent[], payloadOf: (event: PostedEvent) => Buffer): SharedBatch {
  if (events === lastBatch && lastFramed) return lastFramed;
  const parts: Buffer[] = [];
  const offsets = new Uint32Array(events.length + 1);
  for (let i = 0; i < events.length; i++) {
    const payload = payloadOf(events[i] as PostedEvent);
    const header = textFrameHeader(payload.length);
    parts.push(header, payload);
    offsets[i + 1] = (offsets[i] as number) + header.length + payload.length;
  }
  lastBatch = events;
  lastFramed = { bytes: Buffer.concat(parts, offsets[events.length]), offsets };
  return lastFramed;
}
