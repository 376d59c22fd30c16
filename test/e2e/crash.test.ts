// Crash safety: the real `pchat serve` process is killed with SIGKILL while WebSocket clients
// have many posts in flight. After a restart on the same data directory every acknowledged post
// must be there exactly once, sequence numbers must be strictly increasing, and re-sending every
// unacknowledged post with its clientId must leave each clientId stored exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ChildServer, spawnServer } from '../helpers/childServer.js';
import { createCategory, createRoom, PASSWORD, user } from '../helpers/fixtures.js';
import { Api, expectStatus } from '../helpers/http.js';
import { ADMIN_PASSWORD } from '../helpers/server.js';

/**
 * Kills per run: 3, or 20 in a loop with PCHAT_STRESS=1 (CI runs that once per run, on its own,
 * under a time bound: see .ci/run).
 */
const STRESS = process.env.PCHAT_STRESS === '1';
const CYCLES = STRESS ? 20 : 3;
const STRESS_HOW = 'stress: 20 kills in a loop; run with PCHAT_STRESS=1 node --test dist/test/e2e/crash.test.js (CI does, once per run)';
const POSTERS = 4;
/** Posts each client keeps in flight (sent, not yet acknowledged). */
const WINDOW = 25;
/** Acknowledgements to wait for in a cycle before pulling the plug. */
const ACKS_BEFORE_KILL = 200;

interface SentPost {
  readonly clientId: string;
  readonly text: string;
  readonly poster: number;
}

interface Poster {
  readonly closed: Promise<void>;
  readonly errors: unknown[];
  stop(): void;
}

describe('crash safety: SIGKILL with posts in flight', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pchat-crash-'));
  let server: ChildServer | null = null;
  let roomId = 0;
  const logins: string[] = [];
  const userIds: number[] = [];
  const sent = new Map<string, SentPost>();
  /** clientId -> the seq its acknowledgement carried. */
  const acked = new Map<string, number>();
  const duplicateAcks: string[] = [];

  /** Starts the server on the data directory (first start or restart) and signs everyone in. */
  const start = async (): Promise<{ admin: Api; posters: Api[] }> => {
    server = await spawnServer(dataDir);
    return signIn(server.url);
  };
  const signIn = async (url: string): Promise<{ admin: Api; posters: Api[] }> => ({
    admin: await Api.login(url, 'admin', ADMIN_PASSWORD),
    posters: await Promise.all(logins.map((login) => Api.login(url, login, PASSWORD))),
  });

  before(async () => {
    server = await spawnServer(dataDir);
    const admin = await Api.login(server.url, 'admin', ADMIN_PASSWORD);
    for (let i = 0; i < POSTERS; i++) {
      const login = `poster${i}@crash.example`;
      userIds.push(expectStatus(await admin.post('/api/v1/users', { login, password: PASSWORD }), 201).id);
      logins.push(login);
    }
    const categoryId = await createCategory(admin, 'Crash', { allowed: userIds.map(user) });
    roomId = await createRoom(admin, 'crash room', categoryId, { members: userIds.map(user) });
  });

  after(async () => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function startPoster(url: string, token: string, poster: number, cycle: number): Poster {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${token}` } });
    const errors: unknown[] = [];
    let n = 0;
    let stopped = false;
    const sendOne = (): void => {
      if (stopped || ws.readyState !== WebSocket.OPEN) return;
      n += 1;
      const clientId = `c${cycle}-p${poster}-${n}`;
      const text = `crash cycle ${cycle} poster ${poster} post ${n}`;
      sent.set(clientId, { clientId, text, poster });
      ws.send(JSON.stringify({ type: 'post', ref: clientId, roomId, text, clientId }));
    };
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'ready') {
        for (let i = 0; i < WINDOW; i++) sendOne();
      } else if (frame.type === 'ack') {
        acked.set(frame.message.clientId, frame.message.seq);
        if (frame.duplicate !== false) duplicateAcks.push(frame.message.clientId);
        sendOne();
      } else if (frame.type === 'error') {
        errors.push(frame);
      }
    });
    ws.on('error', () => undefined); // the server dies under us: expected
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    return { closed, errors, stop: () => (stopped = true) };
  }

  async function history(api: Api): Promise<{ messages: any[]; lastSeq: number }> {
    const messages: any[] = [];
    let afterSeq = 0;
    let lastSeq = 0;
    for (;;) {
      const page = expectStatus(await api.get(`/api/v1/rooms/${roomId}/messages?after=${afterSeq}&limit=500`), 200);
      messages.push(...page.messages);
      lastSeq = page.lastSeq;
      if (!page.moreAfter || page.messages.length === 0) break;
      afterSeq = page.messages.at(-1).seq;
    }
    return { messages, lastSeq };
  }

  /** The invariants that must hold after every restart. Returns clientId -> stored message. */
  function checkHistory(messages: any[], lastSeq: number, label: string): Map<string, any> {
    for (let i = 1; i < messages.length; i++) {
      assert.ok(messages[i].seq > messages[i - 1].seq, `${label}: seq ${messages[i].seq} follows ${messages[i - 1].seq}: not strictly increasing`);
    }
    assert.equal(lastSeq, messages.at(-1)?.seq ?? 0, `${label}: the room's lastSeq is its newest message's seq`);
    const byClientId = new Map<string, any>();
    for (const m of messages) {
      assert.ok(m.clientId, `${label}: message seq ${m.seq} has no clientId`);
      assert.ok(!byClientId.has(m.clientId), `${label}: clientId ${m.clientId} is stored twice (seq ${byClientId.get(m.clientId)?.seq} and ${m.seq})`);
      byClientId.set(m.clientId, m);
      const post = sent.get(m.clientId);
      assert.ok(post, `${label}: message ${m.clientId} was never sent`);
      assert.equal(m.text, post.text, `${label}: text of ${m.clientId}`);
      assert.equal(m.authorId, userIds[post.poster], `${label}: author of ${m.clientId}`);
    }
    for (const [clientId, seq] of acked) {
      const stored = byClientId.get(clientId);
      assert.ok(stored, `${label}: acknowledged post ${clientId} (seq ${seq}) is missing after the crash`);
      assert.equal(stored.seq, seq, `${label}: acknowledged post ${clientId} changed seq`);
    }
    return byClientId;
  }

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    it(`kill cycle ${cycle} of ${CYCLES}: every acked post survives once, seqs strictly increase, retries of unacked posts are stored once`, async (t) => {
      // The server is live: started by `before`, or restarted by the previous cycle.
      const current = server as ChildServer;
      const { posters: apis } = await signIn(current.url);
      const ackedBefore = acked.size;
      const sentBefore = sent.size;

      const posters = apis.map((api, i) => startPoster(current.url, api.token as string, i, cycle));
      const deadline = Date.now() + 60_000;
      while (acked.size - ackedBefore < ACKS_BEFORE_KILL) {
        if (Date.now() > deadline) throw new Error(`only ${acked.size - ackedBefore} acks in 60 s; server output:\n${current.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const inFlightAtKill = sent.size - acked.size;
      await current.kill();
      for (const p of posters) p.stop();
      await Promise.all(posters.map((p) => p.closed));

      assert.ok(inFlightAtKill > 0, 'posts must be in flight when the server is killed');
      for (const p of posters) assert.deepEqual(p.errors, [], 'no post was refused before the kill');
      assert.deepEqual(duplicateAcks, [], 'a first-time clientId is never acknowledged as a duplicate');
      t.diagnostic(`cycle ${cycle}: sent ${sent.size - sentBefore}, acked ${acked.size - ackedBefore}, in flight at kill ${inFlightAtKill}`);

      // Restart on the same data directory and check what survived.
      const { admin, posters: again } = await start();
      const before = await history(admin);
      const stored = checkHistory(before.messages, before.lastSeq, `cycle ${cycle} after restart`);
      const maxSeqBefore = before.lastSeq;

      // Re-send every unacknowledged post with the same clientId, as a client would.
      const unacked = [...sent.values()].filter((p) => !acked.has(p.clientId));
      let wereStored = 0;
      await Promise.all(
        unacked.map(async (post) => {
          const res = await (again[post.poster] as Api).post(`/api/v1/rooms/${roomId}/messages`, { text: post.text, clientId: post.clientId });
          const previous = stored.get(post.clientId);
          if (previous) {
            wereStored += 1;
            assert.equal(res.status, 200, `retry of ${post.clientId}, stored before the crash but unacked: ${JSON.stringify(res.body)}`);
            assert.equal(res.body.duplicate, true);
            assert.equal(res.body.message.seq, previous.seq);
            assert.equal(res.body.message.id, previous.id);
          } else {
            assert.equal(res.status, 201, `retry of ${post.clientId}, lost before commit: ${JSON.stringify(res.body)}`);
            assert.equal(res.body.duplicate, false);
            assert.ok(res.body.message.seq > maxSeqBefore, `a new post gets a seq above every surviving one (${res.body.message.seq} > ${maxSeqBefore})`);
          }
          acked.set(post.clientId, res.body.message.seq);
        }),
      );
      t.diagnostic(`cycle ${cycle}: ${unacked.length} unacked posts retried, ${wereStored} of them had been stored before the kill`);

      const afterRetry = await history(admin);
      const final = checkHistory(afterRetry.messages, afterRetry.lastSeq, `cycle ${cycle} after retries`);
      assert.equal(final.size, sent.size, 'every clientId ever sent is stored exactly once');
      assert.equal(afterRetry.messages.length, sent.size);
    });
  }

  // Not run is not passed: without the switch, the stress run shows as skipped, saying how to run it.
  if (!STRESS) it('kill cycles 4 to 20 (PCHAT_STRESS=1)', { skip: STRESS_HOW }, () => undefined);
});
