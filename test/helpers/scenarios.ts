import assert from 'node:assert/strict';
import type { Api } from './http.js';
import { WsClient } from './wsClient.js';

/**
 * A reader re-joins a room (with `since`) while a burst of posts is being committed, and must
 * see every sequence number exactly once, in order. On an asynchronous store (PostgreSQL) the
 * join's history read and live delivery truly interleave, so this guards the hand-over in
 * WsSession.join; the same scenario runs on SQLite, where a join happens in one event-loop turn.
 */
export async function rejoinDuringBurst(baseUrl: string, poster: Api, reader: Api, roomId: number, burst = 300): Promise<void> {
  const first = await poster.post(`/api/v1/rooms/${roomId}/messages`, { text: 'before the burst' });
  const start = first.body.message.seq as number;
  const posterWs = await WsClient.connect(baseUrl, poster.token);
  await posterWs.next((f) => f.type === 'ready');
  const readerWs = await WsClient.connect(baseUrl, reader.token);
  await readerWs.next((f) => f.type === 'ready');
  const acks: Promise<any>[] = [];
  for (let i = 0; i < burst; i++) acks.push(posterWs.call({ type: 'post', roomId, text: `burst ${i}`, clientId: `burst-${start}-${i}` }, 30_000));
  // Join repeatedly while the burst is committed, each time from the last seq seen; take the
  // live frames that arrive before a ping's answer, then part. Frames that arrived before a
  // `joined` (a broken hand-over) would show up as repeats or disorder.
  const seen: number[] = [];
  let joins = 0;
  let done = false;
  const settled = Promise.all(acks).then((all) => {
    done = true;
    return Math.max(...all.map((a) => a.message.seq));
  });
  for (;;) {
    const finished = done;
    // Read frames strictly in arrival order until `joined`: a room message before it would be
    // a broken hand-over, and shows up below as a repeat or disorder.
    const ref = `join-${joins}`;
    readerWs.send({ type: 'join', roomId, since: seen.at(-1) ?? start, ref });
    let joined: any;
    while (!joined) {
      const frame = await readerWs.next((f) => f.ref === ref || (f.type === 'message' && f.roomId === roomId), 30_000);
      if (frame.ref === ref) joined = frame;
      else seen.push(frame.message.seq);
    }
    assert.equal(joined.type, 'joined', JSON.stringify(joined));
    joins += 1;
    seen.push(...joined.messages.map((m: any) => m.seq));
    await readerWs.call({ type: 'ping' });
    seen.push(...readerWs.frames.splice(0).filter((f) => f.type === 'message').map((f) => f.message.seq));
    await readerWs.call({ type: 'part', roomId });
    readerWs.frames.splice(0); // delivered after the ping: the next join's `since` covers them
    if (finished && (seen.at(-1) ?? start) >= (await settled)) break;
  }
  const end = await settled;
  assert.ok(joins > 1, 'the reader re-joined during the burst');
  assert.deepEqual(seen, Array.from({ length: end - start }, (_, i) => start + 1 + i), 'every seq exactly once, in order');
  posterWs.close();
  readerWs.close();
}
