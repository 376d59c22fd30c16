import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Framed, SipFramer } from '../../src/protocols/sip/framer.js';
import { addressOf, cseqOf, header, headers, paramOf, parseMessage, responseHeaders, serialize, type SipRequest, SipParseError, uriOf } from '../../src/protocols/sip/message.js';
import { rng } from '../../bench/lib/words.js';

const REGISTER = [
  'REGISTER sip:pchat.test SIP/2.0',
  'Via: SIP/2.0/tcp 127.0.0.1:49522;branch=z9hG4bKCA9A04A4AFFC951D98C0',
  'From: <sip:alice@pchat.test>;tag=4804454578;epid=7bee7a619b14',
  'To: <sip:alice@pchat.test>',
  'Max-Forwards: 70',
  'CSeq: 1 REGISTER',
  'Call-ID: 17A2gA738aBD10i7F88mDD9At6CF3bF4E8x25F7x',
  'Supported: gruu-10, adhoclist',
  'Supported: msrtc-event-categories',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function frame(input: string | Buffer | (string | Buffer)[], max = 65536): Framed[] {
  const framer = new SipFramer(max);
  const out: Framed[] = [];
  for (const chunk of Array.isArray(input) ? input : [input]) framer.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), (f) => out.push(f));
  return out;
}

describe('SIP messages', () => {
  it('parses a request from the real client, with repeated and compact headers', () => {
    const [framed] = frame(REGISTER);
    assert.equal(framed?.type, 'message');
    const message = (framed as { message: SipRequest }).message;
    assert.equal(message.method, 'REGISTER');
    assert.equal(message.uri, 'sip:pchat.test');
    assert.deepEqual(headers(message, 'supported'), ['gruu-10, adhoclist', 'msrtc-event-categories']);
    assert.deepEqual(cseqOf(message), { number: 1, method: 'REGISTER' });
    assert.equal(paramOf(header(message, 'from') as string, 'tag'), '4804454578');
    assert.equal(paramOf(header(message, 'to') as string, 'tag'), undefined);
    assert.equal(addressOf(uriOf(header(message, 'to') as string)), 'alice@pchat.test');
    const compact = parseMessage('OPTIONS sip:x@pchat.test SIP/2.0\r\nv: SIP/2.0/TCP h\r\nf: <sip:a@b>;tag=1\r\nt: <sip:x@pchat.test>\r\ni: abc\r\nCSeq: 2 OPTIONS\r\nl: 0', Buffer.alloc(0));
    assert.equal(header(compact, 'call-id'), 'abc');
    assert.equal(header(compact, 'From'), '<sip:a@b>;tag=1');
  });

  it('frames messages split anywhere and glued together, with bodies, and answers keep-alive pings', () => {
    const body = '<xccos ver="1" envid="1"><cmd id="cmd:requri" seqid="1"><data/></cmd></xccos>';
    const info = REGISTER.replace('REGISTER sip:pchat.test', 'INFO sip:ocschat@pchat.test').replace('1 REGISTER', '2 INFO').replace('Content-Length: 0', `Content-Length: ${Buffer.byteLength(body)}`) + body;
    const stream = Buffer.from(`\r\n\r\n${REGISTER}${info}\r\n`);
    for (const cut of [1, 7, 100, 300, stream.length - 3]) {
      const out = frame([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(out.map((f) => f.type), ['ping', 'message', 'message'], `cut at ${cut}`);
      const last = out[2] as { message: SipRequest };
      assert.equal(last.message.body.toString(), body);
    }
  });

  it('refuses bad framing: no or malformed Content-Length, oversized heads and bodies (fatal: the stream is out of step)', () => {
    const cases: [string, RegExp][] = [
      [REGISTER.replace('Content-Length: 0\r\n', ''), /Content-Length is mandatory/],
      [REGISTER.replace('Content-Length: 0', 'Content-Length: -4'), /Malformed Content-Length/],
      [REGISTER.replace('Content-Length: 0', 'Content-Length: 999999999'), /exceeds the limit of 65536 bytes/],
      [`REGISTER sip:x SIP/2.0\r\nX-Long: ${'a'.repeat(70_000)}`, /head exceeds/],
    ];
    for (const [input, reason] of cases) {
      const out = frame(input);
      assert.equal(out.length, 1);
      const bad = out[0] as Extract<Framed, { type: 'bad' }>;
      assert.equal(bad.type, 'bad');
      assert.equal(bad.fatal, true);
      assert.match(bad.reason, reason);
    }
  });

  it('refuses a framed message with a bad start line or missing headers, and keeps reading the next one', () => {
    const noCallId = REGISTER.replace(/Call-ID:[^\r]*\r\n/, '');
    const badStart = REGISTER.replace('REGISTER sip:pchat.test SIP/2.0', 'HELLO THERE');
    const badHeader = REGISTER.replace('Max-Forwards: 70', 'Max Forwards 70');
    const out = frame(noCallId + badStart + badHeader + REGISTER);
    assert.deepEqual(out.map((f) => f.type), ['bad', 'bad', 'bad', 'message']);
    assert.match((out[0] as { reason: string }).reason, /Missing mandatory header Call-ID/);
    assert.match((out[1] as { reason: string }).reason, /Malformed start line/);
    assert.match((out[2] as { reason: string }).reason, /Malformed header line/);
    assert.throws(() => parseMessage(REGISTER.split('\r\n\r\n')[0]?.replace('CSeq: 1 REGISTER', 'CSeq: one') ?? '', Buffer.alloc(0)), SipParseError);
  });

  it('serialises responses that copy the request’s Via, From, To (tagged), Call-ID and CSeq, and never lets a value add a header', () => {
    const request = parseMessage(REGISTER.split('\r\n\r\n')[0] as string, Buffer.alloc(0)) as SipRequest;
    const wire = serialize({ status: 200, reason: 'OK', headers: [...responseHeaders(request, 'srv1'), ['X-Evil', 'a\r\nInjected: yes']], body: 'é' }).toString();
    assert.match(wire, /^SIP\/2\.0 200 OK\r\n/);
    assert.match(wire, /\r\nTo: <sip:alice@pchat\.test>;tag=srv1\r\n/);
    assert.match(wire, /\r\nVia: SIP\/2\.0\/tcp 127\.0\.0\.1:49522;branch=z9hG4bKCA9A04A4AFFC951D98C0\r\n/);
    assert.doesNotMatch(wire, /\r\nInjected/);
    assert.match(wire, /Content-Length: 2\r\n\r\né$/);
  });

  it('survives arbitrary bytes without throwing', () => {
    const random = rng(7);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 400) }, () => (random() < 0.3 ? [13, 10, 58, 32][Math.floor(random() * 4)] : Math.floor(random() * 256)) as number));
      assert.doesNotThrow(() => frame([bytes, Buffer.from(REGISTER)]));
    }
  });
});
