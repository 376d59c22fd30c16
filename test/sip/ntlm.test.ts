import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { rng } from '../../bench/lib/words.js';
import { md4, ntHash } from '../../src/core/ntHash.js';
import {
  CHALLENGE_FLAGS, NTLM_FLAGS as F, NtlmError, Rc4, acceptAuthenticate, createChallenge, macEss, parseAuthenticate, rc4,
} from '../../src/protocols/sip/ntlm.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b64 = (s: string) => Buffer.from(s, 'base64');
const isNtlmError = (error: unknown) => error instanceof NtlmError;

// ---------------------------------------------------------------------------------------------
// Vectors

/** [MS-NLMP] 4.2.4: NTLMv2, user "User", domain "Domain", password "Password", as in sipe's tests. */
const NLMP = {
  serverChallenge: hex('0123456789abcdef'),
  authenticate: hex(`4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000100010005c00000010001000d8000000358288e20501280a0000000f44006f006d00610069006e00550073006500720043004f004d0050005500540045005200
    86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa
    68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000
    c5dad2544fc9799094ce1ce90bc9d03e`),
  plaintext: Buffer.from('Plaintext', 'utf16le'),
};

/** traces/fakesip-ntlm.log: pidgin-sipe 1.25 against a fake server, password Secret123. */
const TRACE = {
  challenge: b64('TlRMTVNTUAACAAAACgAKADAAAABxgpngAQIDBAUGBwgAAAAAAAAAAFQAVAA6AAAAUABDAEgAQQBUAAIACgBQAEMASABBAFQAAQAGAFMAUgBWAAQAFABwAGMAaABhAHQALgB0AGUAcwB0AAMAHABzAHIAdgAuAHAAYwBoAGEAdAAuAHQAZQBzAHQAAAAAAA=='),
  authenticate: b64('TlRMTVNTUAADAAAAGAAYAGwAAACEAIQAhAAAAAAAAABIAAAAIAAgAEgAAAAEAAQAaAAAABAAEAAIAQAAVYKYYAAAAAAAAAAAYQBsAGkAYwBlAEAAcABjAGgAYQB0AC4AdABlAHMAdABWAE0ALAkeRB3j36TUH2lNB40UsMyKP0e47Jyf2PS7nzk+lLYlBJrQxTLHdwEBAAAAAAAAgCbAeGaF3QHMij9HuOycnwAAAAACAAoAUABDAEgAQQBUAAEABgBTAFIAVgAEABQAcABjAGgAYQB0AC4AdABlAHMAdAADABwAcwByAHYALgBwAGMAaABhAHQALgB0AGUAcwB0AAAAAAAAAAAAmEHspBIvgajLt8+qx3j66A=='),
  serverChallenge: hex('0102030405060708'),
  /** The signed string of the AUTHENTICATE REGISTER (CSeq 3) and its `response`. */
  signedString: '<NTLM><f1622d57><1><SIP Communications Service><pchat.test><17A2gA738aBD10i7F88mDD9At6CF3bF4E8x25F7x><3><REGISTER><sip:alice@pchat.test><4831334237><sip:alice@pchat.test><><><><>',
  response: hex('010000006254B9B85023B4DC64000000'),
};

/** sip-sec-ntlm-tests.c: Office Communicator 2007 R2 against OCS 2007 R2, password Pa$$word. */
const OC2007 = {
  challenge: hex('4E544C4D53535000020000000000000038000000F38298E2DD1BAAF4E7E218D1000000000000000096009600380000000502CE0E0000000F02000A0043004F0053004D004F000100180043004F0053004D004F002D004F00430053002D00520032000400160063006F0073006D006F002E006C006F00630061006C000300300063006F0073006D006F002D006F00630073002D00720032002E0063006F0073006D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C006F00630061006C0000000000'),
  authenticate: hex('4E544C4D53535000030000001800180072000000C600C6008A0000000A000A00480000000800080052000000180018005A0000001000100050010000558298620502CE0E0000000F43004F0053004D004F00550073006500720043004F0053004D004F002D004F00430053002D0052003200A1E92EFE4E078BF7C5C0049ACC6166C2D6AE875CB0FDAA418DC0C800AE76ECA606D2B9FBEBD04731010100000000000059519A1727B9CA01D6AE875CB0FDAA410000000002000A0043004F0053004D004F000100180043004F0053004D004F002D004F00430053002D00520032000400160063006F0073006D006F002E006C006F00630061006C000300300063006F0073006D006F002D006F00630073002D00720032002E0063006F0073006D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C006F00630061006C00000000000000000031CB739E1CA80A498591E8AE797115E4'),
  requestString: '<NTLM><13317733><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local><4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52><sip:user@cosmo.local><><><><>',
  requestSignature: hex('0100000029618e9651b65a7764000000'),
  responseString: '<NTLM><9616454F><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local><4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52><sip:user@cosmo.local><5E61CCD925D17E043D9A74835A88F664><><><7200><200>',
  responseSignature: hex('01000000E615438A917661BE64000000'),
};

// ---------------------------------------------------------------------------------------------
// An independent client, written from [MS-NLMP] for these tests (it shares no code with ntlm.ts).

const hmac = (key: Buffer, ...data: Buffer[]) => createHmac('md5', key).update(Buffer.concat(data)).digest();
const md5 = (...data: Buffer[]) => createHash('md5').update(Buffer.concat(data)).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

function clientRc4(key: Buffer): (data: Buffer) => Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) % 256;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  let i = 0;
  let j = 0;
  return (data) => Buffer.from(data.map((byte) => {
    i = (i + 1) % 256;
    j = (j + s[i]!) % 256;
    [s[i], s[j]] = [s[j]!, s[i]!];
    return byte ^ s[(s[i]! + s[j]!) % 256]!;
  }));
}

interface ClientOptions {
  user: string;
  domain: string;
  password: string;
  workstation?: string;
  /** Domain used inside NTOWFv2, when it differs from the one written in the message. */
  ntowfDomain?: string;
  /** Flags the client keeps from the challenge (default: sipe's connectionless set). */
  mask?: number;
  withMic?: boolean;
  ntlmV1?: boolean;
}

interface Client {
  message: Buffer;
  flags: number;
  exportedSessionKey: Buffer;
  sign(data: Buffer, seq: number): Buffer;
  verifyServer(data: Buffer, signature: Buffer, seq: number): boolean;
  keys: { clientSign: Buffer; clientSeal: Buffer; serverSign: Buffer; serverSeal: Buffer };
}

const SIPE_MASK = F.UNICODE | F.NTLM | F.ALWAYS_SIGN | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO | F.VERSION |
  F.NEGOTIATE_128 | F.NEGOTIATE_56 | F.REQUEST_TARGET | F.SIGN | F.DATAGRAM | F.IDENTIFY | F.KEY_EXCH;

function authenticateAs(challenge: Buffer, opts: ClientOptions): Client {
  const challengeFlags = challenge.readUInt32LE(20);
  const serverChallenge = challenge.subarray(24, 32);
  const infoLength = challenge.readUInt16LE(40);
  const infoOffset = challenge.readUInt32LE(44);
  let targetInfo = challenge.subarray(infoOffset, infoOffset + infoLength);
  let flags = ((challengeFlags & (opts.mask ?? SIPE_MASK)) | F.REQUEST_TARGET) >>> 0;
  if (flags & F.NEGOTIATE_128) flags = (flags & ~F.NEGOTIATE_56) >>> 0;

  if (opts.withMic) {
    // Insert MsvAvFlags = 0x2 (MIC present) before MsvAvEOL.
    targetInfo = Buffer.concat([targetInfo.subarray(0, targetInfo.length - 4), hex('0600040002000000'), hex('00000000')]);
  }
  const key = hmac(md4(Buffer.from(opts.password, 'utf16le')),
    Buffer.from(opts.user.toUpperCase() + (opts.ntowfDomain ?? opts.domain), 'utf16le'));
  const clientChallenge = randomBytes(8);
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64LE((BigInt(Date.now()) + 11644473600000n) * 10000n);
  const temp = Buffer.concat([hex('0101000000000000'), stamp, clientChallenge, Buffer.alloc(4), targetInfo, Buffer.alloc(4)]);
  const proof = hmac(key, serverChallenge, temp);
  const ntResponse = opts.ntlmV1 ? randomBytes(24) : Buffer.concat([proof, temp]);
  const lmResponse = Buffer.concat([hmac(key, serverChallenge, clientChallenge), clientChallenge]);
  const sessionBaseKey = hmac(key, proof);
  const exportedSessionKey = flags & F.KEY_EXCH ? randomBytes(16) : sessionBaseKey;
  const encrypted = flags & F.KEY_EXCH ? clientRc4(sessionBaseKey)(exportedSessionKey) : Buffer.alloc(0);

  const payload = [
    Buffer.from(opts.domain, 'utf16le'),
    Buffer.from(opts.user, 'utf16le'),
    Buffer.from(opts.workstation ?? 'WS', 'utf16le'),
    lmResponse,
    ntResponse,
    encrypted,
  ];
  const headerLength = opts.withMic ? 88 : 72;
  const header = Buffer.alloc(headerLength);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(3, 8);
  // Security buffer slots: Lm 12, Nt 20, Domain 28, User 36, Workstation 44, SessionKey 52.
  const slots = [28, 36, 44, 12, 20, 52];
  let offset = headerLength;
  payload.forEach((data, k) => {
    const at = slots[k]!;
    header.writeUInt16LE(data.length, at);
    header.writeUInt16LE(data.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += data.length;
  });
  header.writeUInt32LE(flags, 60);
  let message = Buffer.concat([header, ...payload]);
  if (opts.withMic) {
    const mic = hmac(exportedSessionKey, challenge, message);
    mic.copy(message, 72);
    message = Buffer.from(message);
  }

  const magic = (text: string) => Buffer.from(`session key to ${text} key magic constant\0`, 'latin1');
  const sealLength = flags & F.NEGOTIATE_128 ? 16 : flags & F.NEGOTIATE_56 ? 7 : 5;
  const keys = {
    clientSign: md5(exportedSessionKey, magic('client-to-server signing')),
    serverSign: md5(exportedSessionKey, magic('server-to-client signing')),
    clientSeal: md5(exportedSessionKey.subarray(0, sealLength), magic('client-to-server sealing')),
    serverSeal: md5(exportedSessionKey.subarray(0, sealLength), magic('server-to-client sealing')),
  };
  const mac = (signKey: Buffer, sealKey: Buffer, data: Buffer, seq: number) => {
    const checksum = hmac(signKey, u32(seq), data).subarray(0, 8);
    const sealed = flags & F.KEY_EXCH ? clientRc4(md5(sealKey, u32(seq)))(checksum) : checksum;
    return Buffer.concat([u32(1), sealed, u32(seq)]);
  };
  return {
    message,
    flags,
    exportedSessionKey,
    keys,
    sign: (data, seq) => mac(keys.clientSign, keys.clientSeal, data, seq),
    verifyServer: (data, signature, seq) => mac(keys.serverSign, keys.serverSeal, data, seq).equals(signature),
  };
}

const SERVER = { netbiosDomain: 'PCHAT', netbiosHost: 'SRV', dnsDomain: 'pchat.test', dnsHost: 'srv.pchat.test' };


// ---------------------------------------------------------------------------------------------

describe('MD4 and the NT hash', () => {
  it('matches the RFC 1320 test suite', () => {
    const suite: Array<[string, string]> = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
      ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
    ];
    for (const [input, digest] of suite) assert.equal(md4(Buffer.from(input)).toString('hex'), digest, JSON.stringify(input));
  });

  it('pads correctly around the 56- and 64-byte block boundaries', () => {
    // 'a' repeated n times; digests from OpenSSL's legacy provider (`openssl dgst -md4 -provider legacy`).
    const reference: Array<[number, string]> = [
      [55, 'c889c81dd86c4d2e025778944ea02881'],
      [56, 'd5f9a9e9257077a5f08b0b92f348b0ad'],
      [57, '872097e6f78e3b53f890459d03bc6fb7'],
      [63, '7ea3da77432d44c323671097d1348fc8'],
      [64, '52f5076fabd22680234a3fa9f9dc5732'],
      [65, '330e377bf231f3cacfecc2c182fe7e5b'],
      [119, 'e65dd227ccef97fa1d34d70189120f76'],
      [120, 'b03ddbd470b47c013e0c7ab2ddd763db'],
      [128, 'cb4a20a561558e29460190c91dced59f'],
      [1000, '5f1bf26a8067c9159b91f1440f7c9e8a'],
    ];
    for (const [n, digest] of reference) assert.equal(md4(Buffer.alloc(n, 0x61)).toString('hex'), digest, `length ${n}`);
  });

  it('gives the [MS-NLMP] NTOWFv1 of "Password", and hashes UTF-16LE (non-ASCII too)', () => {
    assert.equal(ntHash('Password').toString('hex'), 'a4f49c406510bdcab6824ee7c30fd852');
    assert.equal(ntHash('').toString('hex'), '31d6cfe0d16ae931b73c59d7e0c089c0');
    // `printf 'Pässwörd' | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy`
    assert.equal(ntHash('Pässwörd').toString('hex'), 'aed9375ba569c9f0216eea5c0c7bf463');
  });
});

describe('RC4 and MAC primitives ([MS-NLMP] 4.2.4)', () => {
  it('encrypts the random session key and "Plaintext" as in the spec', () => {
    const sessionBaseKey = hex('8de40ccadbc14a82f15cb0ad0de95ca3');
    assert.equal(rc4(sessionBaseKey, Buffer.alloc(16, 0x55)).toString('hex'), 'c5dad2544fc9799094ce1ce90bc9d03e');
    const clientSealKey = hex('59f600973cc4960a25480a7c196e4c58');
    assert.equal(rc4(clientSealKey, NLMP.plaintext).toString('hex'), '54e50165bf1936dc996020c1811b0f06fb5f');
  });

  it('computes the signature of "Plaintext" with and without key exchange', () => {
    const signKey = hex('4788dc861b4782f35d43fd98fe1a2d39');
    const sealKey = hex('59f600973cc4960a25480a7c196e4c58');
    assert.equal(macEss(signKey, undefined, 0, NLMP.plaintext).toString('hex'), '0100000070352851f256430900000000');
    // In the spec the handle first sealed the message, then encrypts the checksum.
    const handle = new Rc4(sealKey);
    assert.equal(handle.update(NLMP.plaintext).toString('hex'), '54e50165bf1936dc996020c1811b0f06fb5f');
    assert.equal(macEss(signKey, handle, 0, NLMP.plaintext).toString('hex'), '010000007fb38ec5c55d497600000000');
  });
});

describe('NTLM CHALLENGE', () => {
  it('is laid out as the CHALLENGE pidgin-sipe accepted, with the flags it requires', () => {
    const challenge = createChallenge({ ...SERVER, random: () => hex('0102030405060708'), now: () => 1234 });
    const expected = Buffer.from(TRACE.challenge);
    expected.writeUInt32LE(CHALLENGE_FLAGS, 20);
    assert.deepEqual(challenge.message, expected);
    assert.equal(challenge.issuedAt, 1234);
    assert.equal(challenge.serverChallenge.toString('hex'), '0102030405060708');
    const required = F.UNICODE | F.NTLM | F.ALWAYS_SIGN | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO | F.SIGN |
      F.DATAGRAM | F.IDENTIFY | F.KEY_EXCH | F.NEGOTIATE_128 | F.NEGOTIATE_56;
    assert.equal((challenge.flags & required) >>> 0, required >>> 0);
    assert.equal(challenge.message.readUInt32LE(20), challenge.flags);
    // Only REQUEST_TARGET (we send a TargetName) and SEAL (we never seal) differ from the trace's flags.
    assert.equal((challenge.flags ^ TRACE.challenge.readUInt32LE(20)) >>> 0, F.REQUEST_TARGET | F.SEAL);
    assert.equal(challenge.flags, 0xe0998255);
  });

  it('uses a fresh random server challenge each time and can carry a timestamp', () => {
    const a = createChallenge(SERVER);
    const b = createChallenge(SERVER);
    assert.notDeepEqual(a.serverChallenge, b.serverChallenge);
    const stamped = createChallenge({ ...SERVER, timestamp: true, now: () => Date.UTC(2025, 0, 1) });
    const info = stamped.message.subarray(stamped.message.readUInt32LE(44));
    const at = info.indexOf(hex('07000800'));
    assert.ok(at >= 0, 'MsvAvTimestamp present');
    assert.equal(info.readBigUInt64LE(at + 4), (BigInt(Date.UTC(2025, 0, 1)) + 11644473600000n) * 10000n);
  });

  it('refuses empty names', () => {
    assert.throws(() => createChallenge({ ...SERVER, dnsHost: '' }), isNtlmError);
  });
});

describe('NTLM AUTHENTICATE parsing', () => {
  it('reads the [MS-NLMP] 4.2.4 message', () => {
    const auth = parseAuthenticate(NLMP.authenticate);
    assert.equal(auth.user, 'User');
    assert.equal(auth.domain, 'Domain');
    assert.equal(auth.workstation, 'COMPUTER');
    assert.equal(auth.flags, 0xe2888235);
    assert.equal(auth.encryptedRandomSessionKey.toString('hex'), 'c5dad2544fc9799094ce1ce90bc9d03e');
    assert.equal(auth.lmResponse.toString('hex'), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    assert.equal(auth.ntResponse.length, 84);
    assert.equal(auth.mic, undefined);
  });

  it("reads pidgin-sipe's message from the trace", () => {
    const auth = parseAuthenticate(TRACE.authenticate);
    assert.equal(auth.user, 'alice@pchat.test');
    assert.equal(auth.domain, '');
    assert.equal(auth.workstation, 'VM');
    assert.equal(auth.flags, 0x60988255);
    assert.equal(auth.lmResponse.length, 24);
  });

  const malformed: Array<[string, (m: Buffer) => Buffer]> = [
    ['empty', () => Buffer.alloc(0)],
    ['a bare header prefix', (m) => m.subarray(0, 63)],
    ['a bad signature', (m) => { const c = Buffer.from(m); c[7] = 0x41; return c; }],
    ['type 2', (m) => { const c = Buffer.from(m); c.writeUInt32LE(2, 8); return c; }],
    ['type 1', (m) => { const c = Buffer.from(m); c.writeUInt32LE(1, 8); return c; }],
    ['an NT response past the end', (m) => { const c = Buffer.from(m); c.writeUInt16LE(0xffff, 20); return c; }],
    ['a user name offset past the end', (m) => { const c = Buffer.from(m); c.writeUInt32LE(0xfffffff0, 40); return c; }],
    ['a domain offset inside the header', (m) => { const c = Buffer.from(m); c.writeUInt16LE(4, 28); c.writeUInt32LE(8, 32); return c; }],
    ['an odd UTF-16 user name', (m) => { const c = Buffer.from(m); c.writeUInt16LE(c.readUInt16LE(36) - 1, 36); return c; }],
    ['a 15-byte session key under KEY_EXCH', (m) => { const c = Buffer.from(m); c.writeUInt16LE(15, 52); return c; }],
    ['an NTLMv2 response cut inside its header', (m) => { const c = Buffer.from(m); c.writeUInt16LE(40, 20); return c; }],
    ['an unknown NTLMv2 blob version', (m) => { const c = Buffer.from(m); c[c.readUInt32LE(24) + 16] = 2; return c; }],
  ];
  for (const [what, mangle] of malformed) {
    it(`throws NtlmError on ${what}`, () => {
      assert.throws(() => parseAuthenticate(mangle(TRACE.authenticate)), isNtlmError);
    });
  }

  it('throws NtlmError on an AV_PAIR list that runs past the response', () => {
    const c = Buffer.from(TRACE.authenticate);
    const nt = c.readUInt32LE(24);
    // First AV_PAIR of the blob (at NTProofStr 16 + header 28) gets a huge length.
    c.writeUInt16LE(0xfff0, nt + 44 + 2);
    assert.throws(() => parseAuthenticate(c), (e: unknown) => isNtlmError(e) && /AV_PAIR/.test((e as Error).message));
  });

  it('throws NtlmError on every truncation of a valid message', () => {
    for (let n = 0; n < TRACE.authenticate.length; n++) {
      assert.throws(() => parseAuthenticate(TRACE.authenticate.subarray(0, n)), isNtlmError, `length ${n}`);
    }
  });

  it('never throws anything but NtlmError on random or mutated bytes, and accepting never throws', () => {
    const seed = Number(process.env.NTLM_FUZZ_SEED ?? 20240601);
    const random = rng(seed);
    const byte = () => Math.floor(random() * 256);
    const header = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), hex('03000000')]);
    const hash = ntHash('Secret123');
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      let input: Buffer;
      const kind = round % 3;
      if (kind === 0) {
        input = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, byte));
      } else if (kind === 1) {
        input = Buffer.concat([header, Buffer.from(Array.from({ length: Math.floor(random() * 300) }, byte))]);
      } else {
        input = Buffer.from(TRACE.authenticate);
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) input[Math.floor(random() * input.length)] = byte();
      }
      try {
        const auth = parseAuthenticate(input);
        parsed++;
        assert.doesNotThrow(() => acceptAuthenticate(auth, { serverChallenge: TRACE.serverChallenge, message: TRACE.challenge }, hash),
          `seed ${seed} round ${round}`);
      } catch (error) {
        assert.ok(error instanceof NtlmError, `seed ${seed} round ${round}: ${String(error)}`);
      }
    }
    assert.ok(parsed > 100, 'some mutated messages still parse, so acceptAuthenticate was exercised');
  });
});

describe('NTLMv2 verification and keys', () => {
  it('verifies the [MS-NLMP] 4.2.4 response and derives its keys', () => {
    const ctx = acceptAuthenticate(parseAuthenticate(NLMP.authenticate), { serverChallenge: NLMP.serverChallenge }, ntHash('Password'));
    assert.ok(ctx);
    assert.equal(ctx.exportedSessionKey.toString('hex'), '55'.repeat(16));
    assert.equal(ctx.clientSigningKey.toString('hex'), '4788dc861b4782f35d43fd98fe1a2d39');
    assert.equal(ctx.clientSealingKey.toString('hex'), '59f600973cc4960a25480a7c196e4c58');
    // Connection-oriented (no DATAGRAM): the client's handle starts fresh for the first message.
    const keystream = rc4(ctx.clientSealingKey, Buffer.alloc(8));
    const checksum = hex('70352851f2564309').map((b, k) => b ^ keystream[k]!);
    assert.ok(ctx.verify(NLMP.plaintext, Buffer.concat([hex('01000000'), checksum, hex('00000000')]), 0));
  });

  it("verifies pidgin-sipe's response and the signature of its REGISTER (trace)", () => {
    const auth = parseAuthenticate(TRACE.authenticate);
    const ctx = acceptAuthenticate(auth, { serverChallenge: TRACE.serverChallenge, message: TRACE.challenge }, ntHash('Secret123'));
    assert.ok(ctx);
    assert.equal(ctx.user, 'alice@pchat.test');
    assert.ok(ctx.verify(Buffer.from(TRACE.signedString), TRACE.response, 100));
    assert.equal(ctx.verify(Buffer.from(TRACE.signedString), TRACE.response, 1), false, 'sipe uses SeqNum 100, not cnum');
    assert.equal(ctx.verify(Buffer.from(TRACE.signedString.replace('<1>', '<2>')), TRACE.response, 100), false);
    assert.equal(ctx.verify(Buffer.from(TRACE.signedString), TRACE.response.subarray(0, 15), 100), false);
  });

  it('verifies Office Communicator 2007 R2 and signs as OCS 2007 R2 did (sipe vectors)', () => {
    const serverChallenge = OC2007.challenge.subarray(24, 32);
    const auth = parseAuthenticate(OC2007.authenticate);
    assert.deepEqual([auth.user, auth.domain, auth.workstation], ['User', 'COSMO', 'COSMO-OCS-R2']);
    const ctx = acceptAuthenticate(auth, { serverChallenge, message: OC2007.challenge }, ntHash('Pa$$word'));
    assert.ok(ctx);
    assert.ok(ctx.verify(Buffer.from(OC2007.requestString), OC2007.requestSignature, 100));
    assert.deepEqual(ctx.sign(Buffer.from(OC2007.responseString), 100), OC2007.responseSignature);
    assert.notDeepEqual(ctx.sign(Buffer.from(OC2007.responseString), 101), OC2007.responseSignature);
  });

  it('returns null for a wrong password, another challenge, or another user', () => {
    const auth = parseAuthenticate(TRACE.authenticate);
    const reasons: string[] = [];
    const onReject = (reason: string) => reasons.push(reason);
    assert.equal(acceptAuthenticate(auth, { serverChallenge: TRACE.serverChallenge }, ntHash('Secret124'), { onReject }), null);
    assert.equal(acceptAuthenticate(auth, { serverChallenge: hex('0102030405060709') }, ntHash('Secret123')), null);
    assert.equal(acceptAuthenticate({ ...auth, user: 'bob@pchat.test' }, { serverChallenge: TRACE.serverChallenge }, ntHash('Secret123')), null);
    assert.match(reasons[0] ?? '', /does not verify/);
  });

  it('round-trips with an independent client, both signing directions', () => {
    const challenge = createChallenge(SERVER);
    const client = authenticateAs(challenge.message, { user: 'alice@pchat.test', domain: '', password: 'Secret123' });
    const ctx = acceptAuthenticate(parseAuthenticate(client.message), challenge, ntHash('Secret123'));
    assert.ok(ctx);
    assert.deepEqual(ctx.exportedSessionKey, client.exportedSessionKey);
    assert.equal(ctx.flags & F.NEGOTIATE_56, 0, 'the client dropped 56 because 128 is set');
    assert.deepEqual(ctx.serverSealingKey, client.keys.serverSeal);
    const data = Buffer.from('<NTLM><1a2b3c4d><2><SIP Communications Service><srv.pchat.test><call><4><INFO><sip:a@b><t1><sip:c@d><t2><><><>');
    assert.ok(ctx.verify(data, client.sign(data, 100), 100));
    assert.ok(ctx.verify(data, client.sign(data, 100), 100), 'datagram mode: verification has no state');
    assert.equal(ctx.verify(data, client.sign(data, 99), 100), false);
    assert.equal(ctx.verify(Buffer.concat([data, Buffer.from('x')]), client.sign(data, 100), 100), false);
    assert.ok(client.verifyServer(data, ctx.sign(data, 100), 100));
    assert.equal(client.verifyServer(data, ctx.sign(data, 100), 101), false);
  });

  it('derives 56-bit sealing keys when 128 is not negotiated', () => {
    const challenge = createChallenge(SERVER);
    const client = authenticateAs(challenge.message, {
      user: 'alice', domain: 'PCHAT', password: 'pw', mask: SIPE_MASK & ~F.NEGOTIATE_128,
    });
    assert.equal(client.flags & F.NEGOTIATE_128, 0);
    const ctx = acceptAuthenticate(parseAuthenticate(client.message), challenge, ntHash('pw'));
    assert.ok(ctx);
    assert.deepEqual(ctx.clientSealingKey, client.keys.clientSeal);
    assert.notDeepEqual(ctx.clientSealingKey, md5(ctx.exportedSessionKey, Buffer.from('session key to client-to-server sealing key magic constant\0')));
    const data = Buffer.from('hello');
    assert.ok(ctx.verify(data, client.sign(data, 100), 100));
  });

  it('tries the domain as given and the empty domain', () => {
    const challenge = createChallenge(SERVER);
    const emptyInside = authenticateAs(challenge.message, { user: 'alice', domain: 'PCHAT', ntowfDomain: '', password: 'pw' });
    assert.ok(acceptAuthenticate(parseAuthenticate(emptyInside.message), challenge, ntHash('pw')));
    const asGiven = authenticateAs(challenge.message, { user: 'alice', domain: 'PCHAT', password: 'pw' });
    assert.ok(acceptAuthenticate(parseAuthenticate(asGiven.message), challenge, ntHash('pw')));
    const other = authenticateAs(challenge.message, { user: 'alice', domain: 'PCHAT', ntowfDomain: 'OTHER', password: 'pw' });
    assert.equal(acceptAuthenticate(parseAuthenticate(other.message), challenge, ntHash('pw')), null);
  });

  it('verifies a MIC when one is announced', () => {
    const challenge = createChallenge(SERVER);
    const client = authenticateAs(challenge.message, { user: 'alice', domain: '', password: 'pw', withMic: true });
    const auth = parseAuthenticate(client.message);
    assert.ok(auth.mic);
    assert.ok(acceptAuthenticate(auth, challenge, ntHash('pw')));
    assert.equal(acceptAuthenticate(auth, { serverChallenge: challenge.serverChallenge }, ntHash('pw')), null, 'needs the CHALLENGE');
    const tampered = Buffer.from(client.message);
    tampered[80] = (tampered[80] ?? 0) ^ 1;
    assert.equal(acceptAuthenticate(parseAuthenticate(tampered), challenge, ntHash('pw')), null);
  });

  it('refuses NTLMv1, LM-only, and sessions without extended session security or signing', () => {
    const challenge = createChallenge(SERVER);
    const v1 = authenticateAs(challenge.message, { user: 'alice', domain: '', password: 'pw', ntlmV1: true });
    const reasons: string[] = [];
    assert.equal(acceptAuthenticate(parseAuthenticate(v1.message), challenge, ntHash('pw'), { onReject: (r) => reasons.push(r) }), null);
    assert.match(reasons[0] ?? '', /NTLMv1/);
    const good = parseAuthenticate(authenticateAs(challenge.message, { user: 'alice', domain: '', password: 'pw' }).message);
    assert.ok(acceptAuthenticate(good, challenge, ntHash('pw')));
    assert.equal(acceptAuthenticate({ ...good, ntResponse: Buffer.alloc(0) }, challenge, ntHash('pw')), null);
    assert.equal(acceptAuthenticate({ ...good, flags: good.flags & ~F.EXTENDED_SESSIONSECURITY }, challenge, ntHash('pw')), null);
    assert.equal(acceptAuthenticate({ ...good, flags: good.flags & ~F.SIGN }, challenge, ntHash('pw')), null);
  });

  it('can refuse stale NTLMv2 timestamps', () => {
    const challenge = createChallenge(SERVER);
    const auth = parseAuthenticate(authenticateAs(challenge.message, { user: 'alice', domain: '', password: 'pw' }).message);
    assert.ok(acceptAuthenticate(auth, challenge, ntHash('pw'), { maxClockSkewMs: 60_000 }));
    assert.equal(acceptAuthenticate(auth, challenge, ntHash('pw'), { maxClockSkewMs: 60_000, now: () => Date.now() + 3_600_000 }), null);
  });
});
