import { randomBytes } from 'node:crypto';
import type { Application } from '../../app/index.js';
import { PchatError } from '../../core/errors.js';
import { retryAfterOf } from '../errors.js';
import type { MessageSecurity, RegisterOutcome, SipAuthenticator } from './auth.js';
import { cseqOf, header, type OutgoingRequest, type OutgoingResponse, type SipMessage, type SipRequest } from './message.js';
import { acceptAuthenticate, createChallenge, type NtlmChallenge, type NtlmContext, NtlmError, parseAuthenticate } from './ntlm.js';
import {
  assertedIdentity,
  AuthParamError,
  authenticationInfo,
  parseAuthParams,
  SIPAE_REALM,
  SIPAE_VERSION,
  type SignatureFields,
  signMessage,
  uriAndTag,
  verifySignature,
  wwwAuthenticate,
} from './sipae.js';

/**
 * [MS-SIPAE] NTLM sign-in for one connection (the recipe is in sipae.ts): 401 with the realm,
 * 401 with a CHALLENGE and an opaque, then the AUTHENTICATE checked against the account's NT
 * hash (NTLMv2 only). From then on every message is signed both ways.
 */
export function ntlmAuthentication(app: Application, serverName: string): SipAuthenticator {
  let pending: { opaque: string; challenge: NtlmChallenge } | null = null;
  const realm = (): [string, string] => ['WWW-Authenticate', wwwAuthenticate({ targetname: serverName })];
  // A failed sign-in is a 401 that starts over (the client reports "Authentication failed"); the reason is only a Warning.
  const failed = (reason: string): RegisterOutcome => ({ kind: 'challenge', headers: [realm(), ['Warning', `399 ${serverName} "${reason}"`]] });

  return {
    async register(request, account, source): Promise<RegisterOutcome> {
      const authorization = header(request, 'authorization');
      if (!authorization) return { kind: 'challenge', headers: [realm()] };
      let params: Map<string, string>;
      try {
        const parsed = parseAuthParams(authorization);
        if (parsed.scheme.toUpperCase() !== 'NTLM') return failed('Only NTLM is offered');
        params = parsed.params;
      } catch (error) {
        if (error instanceof AuthParamError) return { kind: 'refused', status: 400, reason: `Bad Request (${error.message})` };
        throw error;
      }
      const gssapi = params.get('gssapi-data') ?? '';
      if (gssapi === '') {
        // Connectionless NTLM: no NEGOTIATE, the server speaks first.
        const domain = serverName.split('.')[0]?.toUpperCase().slice(0, 15) || 'PCHAT';
        const challenge = createChallenge({ netbiosDomain: domain, netbiosHost: domain, dnsDomain: serverName, dnsHost: serverName });
        pending = { opaque: randomBytes(4).toString('hex').toUpperCase(), challenge };
        return { kind: 'challenge', headers: [['WWW-Authenticate', wwwAuthenticate({ targetname: serverName, opaque: pending.opaque, gssapiData: challenge.message })]] };
      }
      const state = pending;
      pending = null; // a challenge is good for one answer
      if (!state || params.get('opaque') !== state.opaque) return failed('Unknown or used challenge');
      if (params.get('targetname') !== serverName || params.get('realm') !== SIPAE_REALM) return failed('Wrong realm or target name');
      // Wrong passwords count against (address, login) and the address exactly as on the web and IRC.
      const throttleKey = account.login;
      try {
        app.sessions.throttle.guard(source, throttleKey);
      } catch (error) {
        if (!(error instanceof PchatError)) throw error;
        // 403, which the client reports and does not retry at once; Retry-After says when it may.
        const wait = retryAfterOf(error);
        return { kind: 'refused', status: 403, reason: `Forbidden (${error.message})`, ...(wait !== undefined && { headers: [['Retry-After', String(wait)]] }) };
      }
      let context: NtlmContext | null = null;
      try {
        const auth = parseAuthenticate(Buffer.from(gssapi, 'base64'));
        // The NTLM user is the sign-in name (alice@example.com), sometimes without the domain part.
        const login = account.login.toLowerCase().replace(/^sips?:/, '');
        const named = auth.user.toLowerCase();
        const sameUser = named === login || (!named.includes('@') && login.startsWith(`${named}@`));
        const ntHash = account.userId > 0 && sameUser ? await app.sip.ntHashOf(account.userId) : null;
        // Without a hash the check still runs (on a random one), so both failures take as long.
        context = acceptAuthenticate(auth, state.challenge, ntHash ?? randomBytes(16));
        if (!ntHash) context = null;
      } catch (error) {
        if (!(error instanceof NtlmError)) throw error;
        context = null;
      }
      const security = context && new NtlmSecurity(context, serverName, state.opaque);
      const ok = security !== null && security.verify(request);
      app.sessions.throttle.outcome(source, throttleKey, ok);
      if (!security || !ok) return failed('Authentication failed');
      return { kind: 'ok', security };
    },
  };
}

/** The signatures of a signed-in connection: the client's checked, ours added. */
class NtlmSecurity implements MessageSecurity {
  private lastClientNum = 0;
  private serverNum = 0;

  constructor(
    private readonly context: NtlmContext,
    private readonly serverName: string,
    private readonly opaque: string,
  ) {}

  verify(message: SipMessage): boolean {
    const value = header(message, 'authorization') ?? header(message, 'proxy-authorization');
    // A new sign-in (sipe starts over after about 8 hours) is a REGISTER without a signature, or
    // with an AUTHENTICATE: the authenticator checks those itself.
    if (message.kind === 'request' && message.method === 'REGISTER' && (!value || !/response=/i.test(value) || /gssapi-data="[^"]/i.test(value))) return true;
    if (!value) return false;
    let params: Map<string, string>;
    try {
      params = parseAuthParams(value).params;
    } catch {
      return false;
    }
    const rand = params.get('crand');
    const num = Number(params.get('cnum'));
    const response = params.get('response');
    if (!rand || !response || !Number.isInteger(num) || num <= this.lastClientNum) return false;
    const ok = verifySignature(this.context, fieldsOf(message, { rand, num: params.get('cnum') as string, targetName: this.serverName }), response);
    if (ok) this.lastClientNum = num;
    return ok;
  }

  sign(message: OutgoingRequest | OutgoingResponse): void {
    // A 401 is never signed: it starts a new security association.
    if ('status' in message && message.status === 401) return;
    const srand = randomBytes(4).toString('hex');
    const snum = String(++this.serverNum);
    const fields = fieldsOf(outgoingView(message), { rand: srand, num: snum, targetName: this.serverName });
    const rspauth = signMessage(this.context, fields);
    message.headers.push(['Authentication-Info', authenticationInfo({ opaque: this.opaque, srand, snum, rspauth, targetname: this.serverName, realm: SIPAE_REALM, version: SIPAE_VERSION })]);
  }
}

/** What MS-SIPAE signs of a message (the header values are read as the client reads them). */
function fieldsOf(message: SipMessage, auth: { rand: string; num: string; targetName: string }): SignatureFields {
  const from = uriAndTag(header(message, 'from') ?? '');
  const to = uriAndTag(header(message, 'to') ?? '');
  const identity = assertedIdentity(header(message, 'p-asserted-identity') ?? header(message, 'p-preferred-identity') ?? '');
  const cseq = cseqOf(message);
  const expires = header(message, 'expires');
  return {
    protocol: 'NTLM',
    rand: auth.rand,
    num: auth.num,
    realm: SIPAE_REALM,
    targetName: auth.targetName,
    callId: header(message, 'call-id') ?? '',
    cseqNumber: String(cseq?.number ?? ''),
    cseqMethod: message.kind === 'request' ? message.method : (cseq?.method ?? ''),
    fromUri: from.uri,
    fromTag: from.tag,
    toUri: to.uri,
    toTag: to.tag,
    ...(identity.sip !== undefined && { pAssertedIdentitySip: identity.sip }),
    ...(identity.tel !== undefined && { pAssertedIdentityTel: identity.tel }),
    ...(expires !== undefined && { expires }),
    ...(message.kind === 'response' && { responseCode: String(message.status) }),
    version: SIPAE_VERSION,
  };
}

/** An outgoing message seen as a parsed one, so both directions use one field extraction. */
function outgoingView(message: OutgoingRequest | OutgoingResponse): SipMessage {
  const headers = message.headers.map(([name, value]) => ({ name, value }));
  return 'status' in message
    ? { kind: 'response', status: message.status, reason: message.reason, headers, body: Buffer.alloc(0) }
    : ({ kind: 'request', method: message.method, uri: message.uri, headers, body: Buffer.alloc(0) } satisfies SipRequest);
}
