/**
 * MD4 (RFC 1320) and the NT password hash of [MS-NLMP] (NTOWFv1 = MD4(UNICODE(password))).
 *
 * Pure code on purpose: OpenSSL 3, which Node links, leaves MD4 in the "legacy" provider that is
 * usually not loaded, so `createHash('md4')` throws. MD4 is broken as a general hash; it is used
 * here only because NTLM is defined on it. `Buffer` is Node's global (core imports nothing).
 */

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  const bitLength = data.length * 8;
  // Message + 0x80 + zero padding to 56 mod 64 + 64-bit little-endian bit length.
  const padded = Buffer.alloc((((data.length + 8) >>> 6) + 1) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  padded.writeUInt32LE(bitLength >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(data.length / 0x20000000), padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16).fill(0);
  const F = (p: number, q: number, r: number): number => (p & q) | (~p & r);
  const G = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
  const H = (p: number, q: number, r: number): number => p ^ q ^ r;

  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(block + i * 4);
    const w = (i: number): number => x[i] ?? 0;
    const [aa, bb, cc, dd] = [a, b, c, d];

    // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s
    for (const k of [0, 4, 8, 12]) {
      a = rotl((a + F(b, c, d) + w(k)) | 0, 3);
      d = rotl((d + F(a, b, c) + w(k + 1)) | 0, 7);
      c = rotl((c + F(d, a, b) + w(k + 2)) | 0, 11);
      b = rotl((b + F(c, d, a) + w(k + 3)) | 0, 19);
    }
    // Round 2: a = (a + G(b,c,d) + X[k] + 5A827999) <<< s
    for (const k of [0, 1, 2, 3]) {
      a = rotl((a + G(b, c, d) + w(k) + 0x5a827999) | 0, 3);
      d = rotl((d + G(a, b, c) + w(k + 4) + 0x5a827999) | 0, 5);
      c = rotl((c + G(d, a, b) + w(k + 8) + 0x5a827999) | 0, 9);
      b = rotl((b + G(c, d, a) + w(k + 12) + 0x5a827999) | 0, 13);
    }
    // Round 3: a = (a + H(b,c,d) + X[k] + 6ED9EBA1) <<< s
    for (const k of [0, 2, 1, 3]) {
      a = rotl((a + H(b, c, d) + w(k) + 0x6ed9eba1) | 0, 3);
      d = rotl((d + H(a, b, c) + w(k + 8) + 0x6ed9eba1) | 0, 9);
      c = rotl((c + H(d, a, b) + w(k + 4) + 0x6ed9eba1) | 0, 11);
      b = rotl((b + H(c, d, a) + w(k + 12) + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}

/** The NT hash of a password: MD4 of its UTF-16LE encoding (16 bytes). */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}
