/**
 * [MS-SIPAE] for NTLM, server side, as pidgin-sipe 1.25 speaks it: the authentication headers and
 * the message signatures. Independent of the SIP parser: header values and plain objects in,
 * strings and buffers out.
 *
 * ## The exchange (one TCP/TLS connection)
 *
 * 1. REGISTER without credentials → `401` with
 *    `WWW-Authenticate: ` + `wwwAuthenticate({ targetname })`
 *    (`NTLM realm="SIP Communications Service", targetname="<server FQDN>", version=4`).
 * 2. REGISTER with `Authorization: NTLM qop="auth", realm=…, targetname=…, gssapi-data="", version=4`
 *    (connectionless NTLM: empty gssapi-data, no NEGOTIATE) → make a CHALLENGE (`createChallenge`
 *    in `ntlm.ts`) and a fresh `opaque` (8 hex digits), remember both for this connection, answer
 *    `401` with `WWW-Authenticate: ` + `wwwAuthenticate({ targetname, opaque, gssapiData: challenge.message })`.
 * 3. REGISTER with `Authorization: NTLM qop="auth", opaque=…, realm=…, targetname=…,
 *    gssapi-data="<AUTHENTICATE>", version=4, crand="…", cnum="…", response="…"` →
 *    `parseAuthParams`; check scheme NTLM, opaque = the pending one, realm/targetname = ours;
 *    `parseAuthenticate(base64 gssapi-data)`; look the account up by `auth.user` (sipe sends its
 *    sign-in name, e.g. `alice@pchat.test`, and usually an empty domain);
 *    `acceptAuthenticate(auth, challenge, account NT hash)`; drop the challenge (single use);
 *    then this REGISTER's own signature must verify: `verifySignature(ctx, fields, response)`
 *    with `rand = crand`, `num = cnum`. Any failure → `401` (unsigned; sipe then reports
 *    "Authentication failed" and stops). Success → `200 OK` signed (below).
 *
 * ## After that, every message in both directions is signed
 *
 * - **We sign everything we send** (responses and our own requests: INFO, BENOTIFY, NOTIFY,
 *   INVITE, BYE…, and the 200 OK of step 3 and of later REGISTER refreshes) with ONE header
 *   `Authentication-Info: ` + `authenticationInfo({ opaque, srand, snum, rspauth, targetname, realm, version: 4 })`,
 *   `rspauth = signMessage(ctx, fields)` where `fields.rand = srand` (8 random hex digits, fresh per
 *   message) and `fields.num = snum` (our counter per security association: 1 for the first signed
 *   message, +1 each). sipe checks every message that carries `rspauth`: a bad one ends the
 *   connection ("Invalid message signature received"). Messages without `Authentication-Info` are
 *   silently dropped, except responses to REGISTER and 401s (and 1xx, which sipe ignores anyway).
 *   sipe takes the signed string's protocol/realm/targetname/srand/snum from that header, so build
 *   `fields` from exactly the values you put in it.
 * - **We verify everything the client sends** (its requests and its responses to our requests):
 *   they carry `Authorization: NTLM qop="auth", opaque=…, realm=…, targetname=…, crand=…, cnum=…,
 *   response=…`; build `fields` from the message with `rand = crand`, `num = cnum`, realm and
 *   targetname ours, and call `verifySignature`. Reject (drop, or answer 401) unsigned or badly
 *   signed messages. sipe's cnum counts its signed messages from 1 (the AUTHENTICATE REGISTER) and
 *   only grows; accept a cnum only if it is greater than the last accepted one (replay protection:
 *   the NTLM sequence number is constant, see below).
 * - **Sequence numbers.** Neither cnum nor snum is the NTLM SeqNum: pidgin-sipe (and Office
 *   Communicator / OCS, see sipe's test vectors) always sign and verify with SeqNum = 100
 *   (`SIPAE_NTLM_SEQ`), the last 4 bytes of every signature are `64000000`. cnum/snum only appear
 *   inside the signed string.
 * - sipe re-authenticates from step 1 (unsigned REGISTER) after about 8 hours, and refreshes
 *   registration with signed REGISTERs (Authorization without gssapi-data) after `Expires`: verify
 *   those like any request and answer 200 OK signed.
 * - Header names: sipe finds `From`, `To`, `Call-ID`, `CSeq`, `Expires`, `P-Asserted-Identity`
 *   by full name (case-insensitive), first instance; do not use compact forms (`f:`, `t:`, `i:`)
 *   in messages we sign. Never send `Proxy-Authorization` or `Proxy-Authentication-Info`: sipe
 *   would take the signed string's parameters from them instead of `Authentication-Info`.
 */
import type { NtlmContext } from './ntlm.js';

/** The NTLM SeqNum every MS-SIPAE signature uses (client and server, every message). */
export const SIPAE_NTLM_SEQ = 100;
/** The realm every Lync/OCS deployment and client uses. */
export const SIPAE_REALM = 'SIP Communications Service';
/** The authentication protocol version we speak (4: signatures include To URI and P-Asserted-Identity). */
export const SIPAE_VERSION = 4;

/** A malformed authentication header. */
export class AuthParamError extends Error {
  override readonly name = 'AuthParamError';
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Parses an `Authorization`, `Proxy-Authorization`, `WWW-Authenticate` or `Authentication-Info`
 * value: a scheme, then comma-separated `name=value` pairs, values quoted (commas allowed inside,
 * backslash escapes) or plain tokens. Names are returned lower-cased. Throws `AuthParamError` on an
 * empty value, a bad scheme, a missing `=`, an unterminated quote, an empty unquoted value,
 * junk after a value, a duplicate parameter or CR/LF.
 */
export function parseAuthParams(headerValue: string): { scheme: string; params: Map<string, string> } {
  if (typeof headerValue !== 'string') throw new AuthParamError('authentication header value must be a string');
  if (/[\r\n\0]/.test(headerValue)) throw new AuthParamError('authentication header contains CR, LF or NUL');
  const s = headerValue;
  let i = 0;
  const skipSpace = (): void => {
    while (isSpace(s[i])) i++;
  };
  skipSpace();
  const schemeStart = i;
  while (i < s.length && !isSpace(s[i]) && s[i] !== ',') i++;
  const scheme = s.slice(schemeStart, i);
  if (scheme.length === 0) throw new AuthParamError('authentication header is empty');
  if (!TOKEN.test(scheme)) throw new AuthParamError(`bad authentication scheme "${scheme}"`);
  const params = new Map<string, string>();
  skipSpace();
  if (i < s.length && s[i] === ',') throw new AuthParamError('authentication header has a comma right after the scheme');

  while (i < s.length) {
    const nameStart = i;
    while (i < s.length && s[i] !== '=' && s[i] !== ',' && !isSpace(s[i])) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    if (!TOKEN.test(name)) throw new AuthParamError(`bad parameter name near "${s.slice(nameStart, nameStart + 20)}"`);
    skipSpace();
    if (s[i] !== '=') throw new AuthParamError(`parameter "${name}" has no value`);
    i++;
    skipSpace();
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i];
        if (c === '\\') {
          if (i + 1 >= s.length) break;
          value += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw new AuthParamError(`parameter "${name}" has an unterminated quoted value`);
    } else {
      const valueStart = i;
      while (i < s.length && s[i] !== ',' && !isSpace(s[i])) i++;
      value = s.slice(valueStart, i);
      if (value.length === 0) throw new AuthParamError(`parameter "${name}" has an empty value`);
      if (value.includes('"') || value.includes('=')) throw new AuthParamError(`parameter "${name}" has a malformed value`);
    }
    if (params.has(name)) throw new AuthParamError(`duplicate parameter "${name}"`);
    params.set(name, value);
    skipSpace();
    if (i >= s.length) break;
    if (s[i] !== ',') throw new AuthParamError(`expected a comma after parameter "${name}"`);
    i++;
    skipSpace();
    if (i >= s.length) throw new AuthParamError('authentication header ends with a comma');
  }
  return { scheme, params };
}

/** A value we put between double quotes: refuse anything that could break out of them. */
function quoted(name: string, value: string): string {
  if (typeof value !== 'string' || /["\\\r\n\0]/.test(value)) {
    throw new AuthParamError(`${name} must be a string without quotes, backslashes or line breaks`);
  }
  return `${name}="${value}"`;
}

function versionParam(version: number): string {
  if (!Number.isInteger(version) || version < 0 || version > 99) throw new AuthParamError('version must be a small integer');
  return `version=${version}`;
}

export interface WwwAuthenticateOptions {
  /** Our FQDN as the client should name it (sipe echoes it; it is part of every signed string). */
  targetname: string;
  realm?: string;
  version?: number;
  /** Second 401 only: the security association's handle, echoed by the client. */
  opaque?: string;
  /** Second 401 only: the CHALLENGE_MESSAGE, sent base64-encoded. */
  gssapiData?: Buffer;
}

/**
 * `WWW-Authenticate` value of our 401s. Without `opaque`/`gssapiData` (first 401):
 * `NTLM realm="SIP Communications Service", targetname="srv.pchat.test", version=4`.
 * With them (second 401; this form and order is what pidgin-sipe accepted):
 * `NTLM opaque="…", gssapi-data="<base64 CHALLENGE>", targetname="…", realm="…", version=4`.
 */
export function wwwAuthenticate(opts: WwwAuthenticateOptions): string {
  const realm = opts.realm ?? SIPAE_REALM;
  const version = versionParam(opts.version ?? SIPAE_VERSION);
  if ((opts.opaque === undefined) !== (opts.gssapiData === undefined)) {
    throw new AuthParamError('wwwAuthenticate: opaque and gssapiData go together (second 401) or not at all (first 401)');
  }
  if (opts.opaque === undefined || opts.gssapiData === undefined) {
    return `NTLM ${quoted('realm', realm)}, ${quoted('targetname', opts.targetname)}, ${version}`;
  }
  return `NTLM ${quoted('opaque', opts.opaque)}, ${quoted('gssapi-data', opts.gssapiData.toString('base64'))}, ` +
    `${quoted('targetname', opts.targetname)}, ${quoted('realm', realm)}, ${version}`;
}

export interface AuthenticationInfoOptions {
  opaque: string;
  /** 8 random hex digits, fresh for each message; also `fields.rand` of the signed string. */
  srand: string;
  /** Our per-association message counter (decimal, from 1); also `fields.num`. */
  snum: string;
  /** `signMessage(ctx, fields)`: 32 hex digits. */
  rspauth: string;
  targetname: string;
  realm?: string;
  version?: number;
}

/**
 * `Authentication-Info` value for every message we send after authentication, in the order OCS
 * uses: `NTLM rspauth="…", srand="…", snum="…", opaque="…", qop="auth", targetname="…",
 * realm="…", version=4`. It must start with `NTLM ` (sipe takes the signed protocol name from the
 * text before the first space).
 */
export function authenticationInfo(opts: AuthenticationInfoOptions): string {
  const parts = [
    quoted('rspauth', opts.rspauth),
    quoted('srand', opts.srand),
    quoted('snum', opts.snum),
    quoted('opaque', opts.opaque),
    'qop="auth"',
    quoted('targetname', opts.targetname),
    quoted('realm', opts.realm ?? SIPAE_REALM),
  ];
  if (opts.version !== undefined) parts.push(versionParam(opts.version));
  return `NTLM ${parts.join(', ')}`;
}

/** The pieces of a SIP message that MS-SIPAE signs. */
export interface SignatureFields {
  protocol: 'NTLM';
  /** crand (client's messages) or srand (ours), as written in the header. */
  rand: string;
  /** cnum (client's messages) or snum (ours), as written in the header. */
  num: string;
  /** The realm (`SIP Communications Service`), as in the auth header. */
  realm: string;
  /** The targetname, as in the auth header. */
  targetName: string;
  /** `Call-ID` header value. */
  callId: string;
  /** `CSeq` header: the number, the text before the first space (`3` of `3 REGISTER`). */
  cseqNumber: string;
  /** Requests: the request-line method. Responses: the method of the `CSeq` header. */
  cseqMethod: string;
  /** `From` header: the URI between the first `<` and the next `>` (`''` if no `<`); see `uriAndTag`. */
  fromUri: string;
  /** `From` header: the value after the first `;tag=` up to the next `;` or the end (`''` if none). */
  fromTag: string;
  /** `To` header: URI as for `fromUri`. Signed from version 3 on. */
  toUri: string;
  /** `To` header: tag as for `fromTag` (`''` in requests outside a dialog). */
  toTag: string;
  /** `P-Asserted-Identity` (or else `P-Preferred-Identity`) sip: URI; see `assertedIdentity`. v3+. */
  pAssertedIdentitySip?: string;
  /** Same header's tel: URI. v3+. */
  pAssertedIdentityTel?: string;
  /** `Expires` header value, verbatim (`''` or absent when there is none). */
  expires?: string;
  /** Responses only: the status code (`200`). Absent for requests. */
  responseCode?: string;
  /** The auth header's `version` (4 for sipe; absent/0–2 selects the old layout). */
  version: number;
}

/**
 * The exact bytes MS-SIPAE signs (what sipe's `sipmsg_breakdown_get_string` builds), UTF-8:
 *
 * - version ≥ 3: `<NTLM><rand><num><realm><targetname><call-id><cseq#><method><from-uri><from-tag>`
 *   `<to-uri><to-tag><pai-sip><pai-tel><expires>` then `<code>` for responses only;
 * - version < 3: `<NTLM><rand><num><realm><targetname><call-id><cseq#><method><from-uri><from-tag>`
 *   `<to-tag><expires>` then `<code>` for responses only.
 *
 * Missing values are written as empty `<>`. Values are inserted verbatim.
 */
export function signatureBuffer(fields: SignatureFields): Buffer {
  if (!fields.realm) throw new AuthParamError('signatureBuffer: realm is required (sipe does not sign without one)');
  const w = (value: string | undefined): string => `<${value ?? ''}>`;
  const head = [fields.protocol, fields.rand, fields.num, fields.realm, fields.targetName, fields.callId,
    fields.cseqNumber, fields.cseqMethod, fields.fromUri, fields.fromTag];
  const tail = fields.version >= 3
    ? [fields.toUri, fields.toTag, fields.pAssertedIdentitySip, fields.pAssertedIdentityTel, fields.expires]
    : [fields.toTag, fields.expires];
  const code = fields.responseCode !== undefined && fields.responseCode !== '' ? `<${fields.responseCode}>` : '';
  return Buffer.from([...head, ...tail].map(w).join('') + code, 'utf8');
}

/** `rspauth` for a message we send: our signature of its fields, 32 upper-case hex digits. */
export function signMessage(ctx: Pick<NtlmContext, 'sign'>, fields: SignatureFields): string {
  return ctx.sign(signatureBuffer(fields), SIPAE_NTLM_SEQ).toString('hex').toUpperCase();
}

/** Whether `response` (the client's 32 hex digits, any case) is its valid signature of `fields`. */
export function verifySignature(ctx: Pick<NtlmContext, 'verify'>, fields: SignatureFields, response: string): boolean {
  if (typeof response !== 'string' || !/^[0-9A-Fa-f]{32}$/.test(response)) return false;
  return ctx.verify(signatureBuffer(fields), Buffer.from(response, 'hex'), SIPAE_NTLM_SEQ);
}

/**
 * URI and tag of a `From`/`To` value, extracted exactly as sipe does: URI = between the first `<`
 * and the next `>` (rest of the value if no `>`, `''` if no `<`); tag = after the first `;tag=`
 * up to the next `;` (or the end), `''` if none.
 */
export function uriAndTag(headerValue: string): { uri: string; tag: string } {
  const lt = headerValue.indexOf('<');
  let uri = '';
  if (lt >= 0) {
    const gt = headerValue.indexOf('>', lt + 1);
    uri = gt >= 0 ? headerValue.slice(lt + 1, gt) : headerValue.slice(lt + 1);
  }
  const at = headerValue.indexOf(';tag=');
  let tag = '';
  if (at >= 0) {
    const start = at + ';tag='.length;
    const end = headerValue.indexOf(';', start);
    tag = end >= 0 ? headerValue.slice(start, end) : headerValue.slice(start);
  }
  return { uri, tag };
}

/**
 * sip: and tel: URIs of a `P-Asserted-Identity` (or `P-Preferred-Identity`) value, as sipe reads
 * it: a value starting with `tel:` is the tel URI as a whole; otherwise each comma-separated part's
 * `<…>` URI, the first starting with `sip:`/`tel:` (any case) of each kind.
 */
export function assertedIdentity(headerValue: string): { sip?: string; tel?: string } {
  if (headerValue.slice(0, 4).toLowerCase() === 'tel:') return { tel: headerValue };
  const result: { sip?: string; tel?: string } = {};
  for (const part of headerValue.split(',')) {
    const lt = part.indexOf('<');
    if (lt < 0) continue;
    const gt = part.indexOf('>', lt + 1);
    const uri = gt >= 0 ? part.slice(lt + 1, gt) : part.slice(lt + 1);
    const scheme = uri.slice(0, 4).toLowerCase();
    if (scheme === 'sip:' && result.sip === undefined) result.sip = uri;
    else if (scheme === 'tel:' && result.tel === undefined) result.tel = uri;
  }
  return result;
}

/** `CSeq` value → number and method (sipe: number = text before the first space). */
export function cseqParts(headerValue: string): { number: string; method: string } {
  const sp = headerValue.indexOf(' ');
  if (sp < 0) return { number: headerValue, method: '' };
  return { number: headerValue.slice(0, sp), method: headerValue.slice(sp + 1).trim() };
}
