import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/protocols/irc/commands/index.js';
import { adminApi, createCategory, createRoom, createUser, PASSWORD, user } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../irc/clients.js';
// mulberry32: a tiny seeded RNG, so a failing run reproduces with the printed seed.
import { rng } from '../../bench/lib/words.js';

const SEED = Number(process.env.PCHAT_FUZZ_SEED ?? 20240501);
const CONNECTIONS = 8;
const LINES_PER_CONNECTION = 600;

describe(`IRC endpoint under random and malformed input (seed ${SEED})`, () => {
  let server: TestServer;
  let port: number;

  before(async () => {
    // The server's own IRC endpoint, as `pchat serve` starts it from the configuration.
    server = await startTestServer({ 'irc.registrationTimeoutSeconds': 60 });
    port = server.irc[0]?.port ?? 0;
    const admin = await adminApi(server.url);
    const fuzzer = await createUser(admin, 'fuzzer@example.com');
    const cat = await createCategory(admin, 'Fuzz', { allowed: [user(fuzzer.id)] });
    await createRoom(admin, 'fuzz room', cat, { members: [user(fuzzer.id)], managers: [user(fuzzer.id)] });
    await createRoom(admin, 'stage', cat, { privacy: 'open', type: 'auditorium' });
  });
  after(async () => {
    await server.stop();
  });

  it('survives thousands of hostile lines and then serves a well-behaved client', async () => {
    const random = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const int = (n: number) => Math.floor(random() * n);
    const names = [...Object.keys(COMMANDS), 'FOO', '001', 'privmsg', 'Join', ''];
    const words = ['#fuzz_room', '#stage', '#nope', '#', '*', '0', ':', '::', 'fuzzer', 'nobody', '+o', '-s+im', '+b', 'msgid=1-1', 'timestamp=2020-01-01T00:00:00Z', 'LATEST', 'BEFORE', 'BETWEEN', 'PLAIN', '+', 'é', '🎉', '\u0000', '\u0007', ',,,', '#a,#b,#fuzz_room', 'x'.repeat(300)];
    const randomBytes = () => Buffer.from(Array.from({ length: int(600) }, () => int(256)));
    const tags = () => pick(['@', '@;', '@a', '@a=b;c=d\\', '@+x=' + 'v'.repeat(int(9000)), '@label=' + 'l'.repeat(int(100)), '@=x', '@time=now;msgid=;batch=b', '@bad key=1']);
    const line = (): Buffer => {
      switch (int(7)) {
        case 0:
          return randomBytes();
        case 1:
          return Buffer.from('PRIVMSG #fuzz_room :' + 'z'.repeat(400 + int(9000)) + '\r\n');
        case 2:
          return Buffer.from(`${tags()} ${pick(names)} ${pick(words)}\r\n`);
        case 3: {
          // Every command with too few, enough and too many parameters.
          const params = Array.from({ length: int(18) }, () => pick(words));
          if (random() < 0.5 && params.length > 0) params[params.length - 1] = `:${params.at(-1)} trailing words`;
          return Buffer.from(`${pick(names)} ${params.join(' ')}\r\n`);
        }
        case 4:
          return Buffer.from(`${pick([':src ', ':', ''])}${pick(names)}${pick(['\r', '\n', '\r\n', '\n\n', ' \r\n', ''])}`);
        case 5:
          return Buffer.from(`AUTHENTICATE ${pick(['PLAIN', '+', '*', 'x'.repeat(int(500)), Buffer.from(`\0fuzzer@example.com\0${pick([PASSWORD, 'wrong'])}`).toString('base64')])}\r\n`);
        default:
          return Buffer.from(`CAP ${pick(['LS 302', 'REQ :batch echo-message', 'REQ :nonsense', 'END', 'LIST', 'BOGUS'])}\r\n`);
      }
    };

    let sent = 0;
    const worker = async (n: number) => {
      // Half the connections register first, so commands run both before and after registration.
      let c = n % 2 === 0 ? await RawClient.register(port, 'fuzzer@example.com', PASSWORD, ['batch', 'labeled-response', 'echo-message', 'message-tags', 'draft/chathistory']) : await RawClient.connect(port);
      for (let i = 0; i < LINES_PER_CONNECTION; i++) {
        if (c.closed) c = await RawClient.connect(port); // QUIT, a failed PASS, …: start over
        c.socket.write(line());
        sent++;
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      c.socket.write('\r\n');
      // It may close meanwhile (QUIT, bad password); the server must live on either way.
      await c.settle();
      c.close();
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(n)));
    assert.ok(sent >= CONNECTIONS * LINES_PER_CONNECTION);

    // From another address: the fuzzers' wrong passwords may have slowed sign-ins from theirs (the throttle at work).
    const fresh = await RawClient.register(port, 'fuzzer@example.com', PASSWORD, [], '127.0.0.2');
    fresh.send('JOIN #fuzz_room', 'PRIVMSG #fuzz_room :still alive');
    const out = await fresh.sync();
    assert.ok(out.some((l) => / 366 fuzzer #fuzz_room /.test(l)), out.join('\n'));
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    fresh.close();
  });
});
