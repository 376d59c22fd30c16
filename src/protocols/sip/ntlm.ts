/**
 * Server side of NTLM ([MS-NLMP]) in connectionless ("datagram") mode, as [MS-SIPAE] uses it for
 * SIP: there is no NEGOTIATE message; the server sends a CHALLENGE, the client answers with an
 * AUTHENTICATE carrying an NTLMv2 response, and from then on both sides sign SIP messages with
 * NTLMSSP_MESSAGE_SIGNATUREs (extended session security, HMAC-MD5 checksum sealed with RC4).
 *
 * Only NTLMv2 is accepted. NTLMv1 and LM-only responses are refused, as are contexts without
 * extended session security or signing (SIP needs both).
 *
 * What pidgin-sipe 1.25 (the client we test with) does, and this module matches:
 * - It requires the CHALLENGE to offer UNICODE, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY,
 *   TARGET_INFO and, for connectionless mode, SIGN, DATAGRAM, IDENTIFY and KEY_EXCH ("incompatible
 *   NegotiateFlags" otherwise). Its AUTHENTICATE flags are (ours & its set) | REQUEST_TARGET, with
 *   NEGOTIATE_56 dropped when NEGOTIATE_128 is set.
 * - It computes NTOWFv2 with an ASCII-only upper-casing of the user name and the domain as
 *   configured (often empty), sends a 24-byte LMv2 response and no MIC.
 * - It signs with SeqNum = 100 on every message, both directions (see `sipae.ts`). With DATAGRAM the
 *   RC4 handle is fresh for each message: RC4Init(MD5(SealingKey ‖ LE32(SeqNum))). So `sign` and
 *   `verify` are pure functions of (keys, data, seq) in that mode.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** NegotiateFlags of [MS-NLMP] 2.2.2.5. */
export const NTLM_FLAGS = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  DATAGRAM: 0x00000040,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  IDENTIFY: 0x00100000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

const F = NTLM_FLAGS;

/**
 * The flags of our CHALLENGE (0xE0998255): those of the CHALLENGE that pidgin-sipe accepted in
 * traces/fakesip-ntlm.log (0xE0998271), plus REQUEST_TARGET because we do send a TargetName, minus
 * SEAL because we never seal (sipe masks SEAL out of what it negotiates and does not require it).
 */
export const CHALLENGE_FLAGS =
  (F.UNICODE | F.REQUEST_TARGET | F.SIGN | F.DATAGRAM | F.NTLM | F.ALWAYS_SIGN | F.TARGET_TYPE_DOMAIN |
    F.EXTENDED_SESSIONSECURITY | F.IDENTIFY | F.TARGET_INFO | F.NEGOTIATE_128 | F.KEY_EXCH | F.NEGOTIATE_56) >>> 0;

/** AV_PAIR ids ([MS-NLMP] 2.2.2.1). */
const AV = { EOL: 0, NB_COMPUTER: 1, NB_DOMAIN: 2, DNS_COMPUTER: 3, DNS_DOMAIN: 4, FLAGS: 6, TIMESTAMP: 7 } as const;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** Fixed part of an AUTHENTICATE message up to and including NegotiateFlags. */
const AUTH_HEADER = 64;
/** Offset of the MIC when present: after the 8-byte Version field. */
const MIC_OFFSET = 72;
const MIC_END = 88;
/** NTProofStr (16) + the NTLMv2_CLIENT_CHALLENGE header up to its AvPairs (28). */
const NTV2_MIN = 16 + 28;
/** Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
const FILETIME_EPOCH_MS = 11644473600000n;

/** Any malformed NTLM input. The message says what was wrong; it never contains secrets. */
export class NtlmError extends Error {
  override readonly name = 'NtlmError';
}

// ---------------------------------------------------------------------------------------------
// Primitives

/** RC4 as a stream: successive `update` calls continue the key stream (an RC4 "handle"). */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      const sk = s[k] ?? 0;
      j = (j + sk + (key[k % key.length] ?? 0)) & 0xff;
      s[k] = s[j] ?? 0;
      s[j] = sk;
    }
  }

  update(data: Uint8Array): Buffer {
    const s = this.s;
    const out = Buffer.alloc(data.length);
    let { i, j } = this;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      const si = s[i] ?? 0;
      j = (j + si) & 0xff;
      const sj = s[j] ?? 0;
      s[i] = sj;
      s[j] = si;
      out[k] = (data[k] ?? 0) ^ (s[(si + sj) & 0xff] ?? 0);
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** RC4K(key, data) of [MS-NLMP] 6: a fresh handle, one message. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}

const hmacMd5 = (key: Uint8Array, ...data: Uint8Array[]): Buffer => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};
const md5 = (...data: Uint8Array[]): Buffer => {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return h.digest();
};
const le32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};

/** Upper-casing as pidgin-sipe does it (g_ascii_toupper): ASCII letters only. */
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());

/** NTOWFv2 = HMAC_MD5(NT hash, UNICODE(Uppercase(user) ‖ domain)). */
export function ntowfV2(ntHash: Uint8Array, user: string, domain: string, upper: (s: string) => string = (s) => s.toUpperCase()): Buffer {
  return hmacMd5(ntHash, Buffer.from(upper(user) + domain, 'utf16le'));
}

const SIGN_MAGIC = {
  client: 'session key to client-to-server signing key magic constant\0',
  server: 'session key to server-to-client signing key magic constant\0',
};
const SEAL_MAGIC = {
  client: 'session key to client-to-server sealing key magic constant\0',
  server: 'session key to server-to-client sealing key magic constant\0',
};

/** SIGNKEY ([MS-NLMP] 3.4.5.2). */
export function signKey(exportedSessionKey: Uint8Array, mode: 'client' | 'server'): Buffer {
  return md5(exportedSessionKey, Buffer.from(SIGN_MAGIC[mode], 'latin1'));
}

/**
 * SEALKEY ([MS-NLMP] 3.4.5.3) with extended session security: 128-bit key if NEGOTIATE_128,
 * else 56-bit (7 bytes) if NEGOTIATE_56, else 40-bit (5 bytes), then MD5 with the magic constant.
 */
export function sealKey(flags: number, exportedSessionKey: Uint8Array, mode: 'client' | 'server'): Buffer {
  const length = flags & F.NEGOTIATE_128 ? 16 : flags & F.NEGOTIATE_56 ? 7 : 5;
  return md5(exportedSessionKey.subarray(0, length), Buffer.from(SEAL_MAGIC[mode], 'latin1'));
}

/**
 * MAC with extended session security ([MS-NLMP] 3.4.4.2): Version 1, Checksum =
 * HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..7], RC4-encrypted with `handle` when KEY_EXCH was
 * negotiated (pass `undefined` otherwise), SeqNum.
 */
export function macEss(signingKey: Uint8Array, handle: Rc4 | undefined, seq: number, data: Uint8Array): Buffer {
  const checksum = hmacMd5(signingKey, le32(seq), data).subarray(0, 8);
  return Buffer.concat([le32(1), handle ? handle.update(checksum) : checksum, le32(seq)]);
}

// ---------------------------------------------------------------------------------------------
// CHALLENGE

export interface ChallengeOptions {
  /** NetBIOS domain name: the CHALLENGE TargetName and MsvAvNbDomainName (e.g. `PCHAT`). */
  netbiosDomain: string;
  /** NetBIOS computer name (MsvAvNbComputerName, e.g. `SRV`). */
  netbiosHost: string;
  /** DNS domain name (MsvAvDnsDomainName, e.g. `pchat.test`). */
  dnsDomain: string;
  /** DNS computer name (MsvAvDnsComputerName, e.g. `srv.pchat.test`). */
  dnsHost: string;
  /** Clock in ms since the epoch, for `issuedAt` and the optional timestamp. */
  now?: () => number;
  /**
   * Add an MsvAvTimestamp. Off by default, as in the CHALLENGE that pidgin-sipe accepted: with a
   * timestamp, Windows clients add a MIC (which `acceptAuthenticate` then verifies).
   */
  timestamp?: boolean;
  /** Source of the 8-byte server challenge (tests only); defaults to crypto.randomBytes. */
  random?: (size: number) => Buffer;
}

export interface NtlmChallenge {
  /** The CHALLENGE_MESSAGE, to be sent base64-encoded in `gssapi-data`. */
  message: Buffer;
  /** Its 8-byte ServerChallenge. Use each challenge for one AUTHENTICATE only. */
  serverChallenge: Buffer;
  /** Its NegotiateFlags. */
  flags: number;
  /** When it was made (ms), so the caller can expire it. */
  issuedAt: number;
}

const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');

function avPair(id: number, value: Buffer): Buffer {
  if (value.length > 0xffff) throw new NtlmError(`AV_PAIR ${id} value too long`);
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** Builds a CHALLENGE_MESSAGE for connectionless NTLM (no NEGOTIATE came before it). */
export function createChallenge(opts: ChallengeOptions): NtlmChallenge {
  for (const key of ['netbiosDomain', 'netbiosHost', 'dnsDomain', 'dnsHost'] as const) {
    const value = opts[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
      throw new NtlmError(`createChallenge: ${key} must be a non-empty name of at most 255 characters`);
    }
  }
  const issuedAt = (opts.now ?? Date.now)();
  const serverChallenge = Buffer.from((opts.random ?? randomBytes)(8));
  if (serverChallenge.length !== 8) throw new NtlmError('createChallenge: the random source must give 8 bytes');

  const pairs = [
    avPair(AV.NB_DOMAIN, utf16(opts.netbiosDomain)),
    avPair(AV.NB_COMPUTER, utf16(opts.netbiosHost)),
    avPair(AV.DNS_DOMAIN, utf16(opts.dnsDomain)),
    avPair(AV.DNS_COMPUTER, utf16(opts.dnsHost)),
  ];
  if (opts.timestamp) {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE((BigInt(Math.floor(issuedAt)) + FILETIME_EPOCH_MS) * 10000n, 0);
    pairs.push(avPair(AV.TIMESTAMP, stamp));
  }
  pairs.push(avPair(AV.EOL, Buffer.alloc(0)));
  const targetInfo = Buffer.concat(pairs);
  const targetName = utf16(opts.netbiosDomain);

  const header = Buffer.alloc(48);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(48, 16);
  header.writeUInt32LE(CHALLENGE_FLAGS, 20);
  serverChallenge.copy(header, 24);
  // 32..39: Reserved, zero.
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(48 + targetName.length, 44);
  return { message: Buffer.concat([header, targetName, targetInfo]), serverChallenge, flags: CHALLENGE_FLAGS, issuedAt };
}

// ---------------------------------------------------------------------------------------------
// AUTHENTICATE

export interface AuthenticateMessage {
  user: string;
  domain: string;
  workstation: string;
  lmResponse: Buffer;
  /** NtChallengeResponse: 24 bytes for NTLMv1, NTProofStr ‖ NTLMv2_CLIENT_CHALLENGE for NTLMv2. */
  ntResponse: Buffer;
  /** 16 bytes when KEY_EXCH is set, else usually empty. */
  encryptedRandomSessionKey: Buffer;
  flags: number;
  /** The MIC, when the NTLMv2 response's MsvAvFlags announces one (bit 0x2). */
  mic?: Buffer;
  /** The NTLMv2 blob's timestamp (FILETIME, 100 ns since 1601), when NTLMv2. */
  timestamp?: bigint;
  /** The message as received (for MIC verification). */
  raw: Buffer;
}

function field(message: Buffer, at: number, name: string): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (length === 0) return Buffer.alloc(0);
  if (offset < AUTH_HEADER) throw new NtlmError(`AUTHENTICATE ${name} overlaps the message header (offset ${offset})`);
  if (offset + length > message.length) {
    throw new NtlmError(`AUTHENTICATE ${name} runs past the end of the message (offset ${offset}, length ${length}, message ${message.length})`);
  }
  return Buffer.from(message.subarray(offset, offset + length));
}

function text(bytes: Buffer, unicode: boolean, name: string): string {
  if (!unicode) return bytes.toString('latin1');
  if (bytes.length % 2 !== 0) throw new NtlmError(`AUTHENTICATE ${name} has an odd UTF-16 length`);
  return bytes.toString('utf16le');
}

/** Walks the AV_PAIRs of an NTLMv2 response; returns MsvAvFlags (0 if absent). */
function ntV2AvFlags(ntResponse: Buffer): number {
  let at = NTV2_MIN;
  let avFlags = 0;
  for (;;) {
    if (at + 4 > ntResponse.length) throw new NtlmError('NTLMv2 response AV_PAIR list is not terminated');
    const id = ntResponse.readUInt16LE(at);
    const length = ntResponse.readUInt16LE(at + 2);
    at += 4;
    if (id === AV.EOL) return avFlags;
    if (at + length > ntResponse.length) throw new NtlmError('NTLMv2 response AV_PAIR runs past the end of the response');
    if (id === AV.FLAGS) {
      if (length !== 4) throw new NtlmError('NTLMv2 response MsvAvFlags must be 4 bytes');
      avFlags = ntResponse.readUInt32LE(at);
    }
    at += length;
  }
}

/**
 * Parses an AUTHENTICATE_MESSAGE. Throws `NtlmError` (and nothing else) on any malformed input:
 * wrong signature or type, security buffers outside the message or overlapping its header, odd
 * UTF-16 lengths, a session key that is not 16 bytes under KEY_EXCH, a truncated NTLMv2 response.
 */
export function parseAuthenticate(message: Buffer): AuthenticateMessage {
  if (!Buffer.isBuffer(message)) throw new NtlmError('AUTHENTICATE must be a Buffer');
  if (message.length < AUTH_HEADER) throw new NtlmError(`AUTHENTICATE too short (${message.length} bytes)`);
  if (!message.subarray(0, 8).equals(SIGNATURE)) throw new NtlmError('not an NTLMSSP message (bad signature)');
  const type = message.readUInt32LE(8);
  if (type !== 3) throw new NtlmError(`expected an AUTHENTICATE message (type 3), got type ${type}`);

  const flags = message.readUInt32LE(60);
  const unicode = (flags & F.UNICODE) !== 0;
  const lmResponse = field(message, 12, 'LmChallengeResponse');
  const ntResponse = field(message, 20, 'NtChallengeResponse');
  const domain = text(field(message, 28, 'DomainName'), unicode, 'DomainName');
  const user = text(field(message, 36, 'UserName'), unicode, 'UserName');
  const workstation = text(field(message, 44, 'Workstation'), unicode, 'Workstation');
  const encryptedRandomSessionKey = field(message, 52, 'EncryptedRandomSessionKey');
  if (flags & F.KEY_EXCH && encryptedRandomSessionKey.length !== 16) {
    throw new NtlmError(`KEY_EXCH is set but EncryptedRandomSessionKey is ${encryptedRandomSessionKey.length} bytes, not 16`);
  }

  const result: AuthenticateMessage = {
    user, domain, workstation, lmResponse, ntResponse, encryptedRandomSessionKey, flags, raw: Buffer.from(message),
  };
  if (ntResponse.length > 24) {
    if (ntResponse.length < NTV2_MIN + 4) throw new NtlmError(`NTLMv2 response too short (${ntResponse.length} bytes)`);
    if (ntResponse[16] !== 1 || ntResponse[17] !== 1) throw new NtlmError('NTLMv2 response has an unknown version');
    result.timestamp = ntResponse.readBigUInt64LE(24);
    if (ntV2AvFlags(ntResponse) & 0x2) {
      const payloadStart = [12, 20, 28, 36, 44, 52]
        .filter((at) => message.readUInt16LE(at) > 0)
        .reduce((min, at) => Math.min(min, message.readUInt32LE(at + 4)), message.length);
      if (payloadStart < MIC_END) throw new NtlmError('a MIC is announced but the message has no room for it');
      result.mic = Buffer.from(message.subarray(MIC_OFFSET, MIC_END));
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Accepting

export interface AcceptOptions {
  /** Reject NTLMv2 responses whose timestamp is further than this from `now` (off by default). */
  maxClockSkewMs?: number;
  now?: () => number;
  /** Told why a response was refused (for logs; never contains secrets). */
  onReject?: (reason: string) => void;
}

/** What `acceptAuthenticate` needs from the challenge it answers. */
export type ChallengeState = Pick<NtlmChallenge, 'serverChallenge'> & { message?: Buffer };

/**
 * Verifies an NTLMv2 AUTHENTICATE against the challenge it answers and the account's NT hash
 * (`ntHash()` of the password). Returns the session, or `null` when the response does not verify
 * or is refused: NTLMv1/LM-only/anonymous responses, no extended session security, no signing, a
 * MIC that does not verify (or cannot be, without `challenge.message`), a stale timestamp.
 *
 * NTOWFv2 is tried with the domain as given and with an empty domain (clients differ: sipe uses
 * its configured domain, often empty; Windows uses the user's domain), and with Unicode and ASCII
 * upper-casing of the user name; every candidate is computed and compared in constant time.
 *
 * Replay protection is the caller's: use each challenge for one AUTHENTICATE only.
 */
export function acceptAuthenticate(
  auth: AuthenticateMessage,
  challenge: ChallengeState,
  ntHash: Buffer,
  opts: AcceptOptions = {},
): NtlmContext | null {
  if (ntHash.length !== 16) throw new TypeError('ntHash must be 16 bytes');
  if (challenge.serverChallenge.length !== 8) throw new TypeError('serverChallenge must be 8 bytes');
  const reject = (reason: string): null => {
    opts.onReject?.(reason);
    return null;
  };
  if (auth.ntResponse.length === 0) return reject('anonymous or LM-only response');
  if (auth.ntResponse.length <= 24) return reject('NTLMv1 response');
  if (auth.ntResponse.length < NTV2_MIN) return reject('malformed NTLMv2 response');
  if (!(auth.flags & F.EXTENDED_SESSIONSECURITY)) return reject('extended session security not negotiated');
  if (!(auth.flags & F.SIGN)) return reject('signing not negotiated');
  if (auth.flags & F.KEY_EXCH && auth.encryptedRandomSessionKey.length !== 16) return reject('bad encrypted session key');

  const proof = auth.ntResponse.subarray(0, 16);
  const blob = auth.ntResponse.subarray(16);
  const users = [...new Set([auth.user.toUpperCase(), asciiUpper(auth.user)])];
  const domains = [...new Set([auth.domain, ''])];
  let responseKey: Buffer | undefined;
  for (const user of users) {
    for (const domain of domains) {
      const key = ntowfV2(ntHash, user, domain, (s) => s);
      const expected = hmacMd5(key, challenge.serverChallenge, blob);
      if (timingSafeEqual(expected, proof) && !responseKey) responseKey = key;
    }
  }
  if (!responseKey) return reject('NTLMv2 response does not verify (wrong password or user)');

  if (opts.maxClockSkewMs !== undefined && auth.timestamp !== undefined) {
    const nowMs = BigInt(Math.floor((opts.now ?? Date.now)()));
    const stampMs = auth.timestamp / 10000n - FILETIME_EPOCH_MS;
    const skew = stampMs > nowMs ? stampMs - nowMs : nowMs - stampMs;
    if (skew > BigInt(opts.maxClockSkewMs)) return reject('NTLMv2 timestamp out of range');
  }

  // NTLMv2: KeyExchangeKey = SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr).
  const keyExchangeKey = hmacMd5(responseKey, proof);
  const exportedSessionKey = auth.flags & F.KEY_EXCH ? rc4(keyExchangeKey, auth.encryptedRandomSessionKey) : keyExchangeKey;

  if (auth.mic) {
    if (!challenge.message) return reject('MIC present but the CHALLENGE message is not available');
    const zeroed = Buffer.from(auth.raw);
    zeroed.fill(0, MIC_OFFSET, MIC_END);
    // Connectionless: there is no NEGOTIATE_MESSAGE, so the MIC covers CHALLENGE ‖ AUTHENTICATE.
    const mic = hmacMd5(exportedSessionKey, challenge.message, zeroed);
    if (!timingSafeEqual(mic, auth.mic)) return reject('MIC does not verify');
  }
  return new NtlmContext(auth, exportedSessionKey);
}

/**
 * An established NTLM session: the client's identity and the four keys. Holds secrets; never log it.
 *
 * `sign`/`verify` implement MAC() with extended session security. In DATAGRAM mode (what SIP uses)
 * the RC4 handle is re-initialised per message from MD5(SealingKey ‖ LE32(seq)), so calls are
 * independent. Without DATAGRAM one RC4 handle per direction runs across all messages, so calls
 * must follow the message order.
 */
export class NtlmContext {
  readonly user: string;
  readonly domain: string;
  readonly workstation: string;
  readonly flags: number;
  readonly exportedSessionKey: Buffer;
  readonly clientSigningKey: Buffer;
  readonly serverSigningKey: Buffer;
  readonly clientSealingKey: Buffer;
  readonly serverSealingKey: Buffer;
  private clientHandle: Rc4 | undefined;
  private serverHandle: Rc4 | undefined;

  constructor(auth: Pick<AuthenticateMessage, 'user' | 'domain' | 'workstation' | 'flags'>, exportedSessionKey: Buffer) {
    this.user = auth.user;
    this.domain = auth.domain;
    this.workstation = auth.workstation;
    this.flags = auth.flags >>> 0;
    this.exportedSessionKey = exportedSessionKey;
    this.clientSigningKey = signKey(exportedSessionKey, 'client');
    this.serverSigningKey = signKey(exportedSessionKey, 'server');
    this.clientSealingKey = sealKey(this.flags, exportedSessionKey, 'client');
    this.serverSealingKey = sealKey(this.flags, exportedSessionKey, 'server');
  }

  /** Our NTLMSSP_MESSAGE_SIGNATURE (16 bytes) of `data` with sequence number `seq`. */
  sign(data: Buffer, seq: number): Buffer {
    return macEss(this.serverSigningKey, this.handle('server', seq), seq, data);
  }

  /** Whether `signature` is the client's valid signature of `data` with sequence number `seq`. */
  verify(data: Buffer, signature: Buffer, seq: number): boolean {
    if (!Buffer.isBuffer(signature) || signature.length !== 16) return false;
    const expected = macEss(this.clientSigningKey, this.handle('client', seq), seq, data);
    return timingSafeEqual(expected, signature);
  }

  private handle(side: 'client' | 'server', seq: number): Rc4 | undefined {
    if (!(this.flags & F.KEY_EXCH)) return undefined;
    const key = side === 'client' ? this.clientSealingKey : this.serverSealingKey;
    if (this.flags & F.DATAGRAM) return new Rc4(md5(key, le32(seq)));
    if (side === 'client') return (this.clientHandle ??= new Rc4(key));
    return (this.serverHandle ??= new Rc4(key));
  }
}
