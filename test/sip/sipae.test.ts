import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rng } from '../../bench/lib/words.js';
import { ntHash } from '../../src/core/ntHash.js';
import { acceptAuthenticate, createChallenge, parseAuthenticate } from '../../src/protocols/sip/ntlm.js';
import {
  AuthParamError, SIPAE_NTLM_SEQ, assertedIdentity, authenticationInfo, cseqParts, parseAuthParams, signMessage, signatureBuffer,
  uriAndTag, verifySignature, wwwAuthenticate, type SignatureFields,
} from '../../src/protocols/sip/sipae.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const isAuthParamError = (error: unknown) => error instanceof AuthParamError;

// traces/fakesip-ntlm.log (pidgin-sipe 1.25, password Secret123)
const TRACE_CHALLENGE_B64 = 'TlRMTVNTUAACAAAACgAKADAAAABxgpngAQIDBAUGBwgAAAAAAAAAAFQAVAA6AAAAUABDAEgAQQBUAAIACgBQAEMASABBAFQAAQAGAFMAUgBWAAQAFABwAGMAaABhAHQALgB0AGUAcwB0AAMAHABzAHIAdgAuAHAAYwBoAGEAdAAuAHQAZQBzAHQAAAAAAA==';
const TRACE_AUTH_B64 = 'TlRMTVNTUAADAAAAGAAYAGwAAACEAIQAhAAAAAAAAABIAAAAIAAgAEgAAAAEAAQAaAAAABAAEAAIAQAAVYKYYAAAAAAAAAAAYQBsAGkAYwBlAEAAcABjAGgAYQB0AC4AdABlAHMAdABWAE0ALAkeRB3j36TUH2lNB40UsMyKP0e47Jyf2PS7nzk+lLYlBJrQxTLHdwEBAAAAAAAAgCbAeGaF3QHMij9HuOycnwAAAAACAAoAUABDAEgAQQBUAAEABgBTAFIAVgAEABQAcABjAGgAYQB0AC4AdABlAHMAdAADABwAcwByAHYALgBwAGMAaABhAHQALgB0AGUAcwB0AAAAAAAAAAAAmEHspBIvgajLt8+qx3j66A==';
const TRACE = {
  first401: 'NTLM realm="SIP Communications Service", targetname="pchat.test", version=4',
  emptyAuthorization: 'NTLM qop="auth", realm="SIP Communications Service", targetname="pchat.test", gssapi-data="", version=4',
  second401: `NTLM opaque="0123ABCD", gssapi-data="${TRACE_CHALLENGE_B64}", targetname="pchat.test", realm="SIP Communications Service", version=4`,
  authorization: `NTLM qop="auth", opaque="0123ABCD", realm="SIP Communications Service", targetname="pchat.test", gssapi-data="${TRACE_AUTH_B64}", version=4, crand="f1622d57", cnum="1", response="010000006254B9B85023B4DC64000000"`,
  register: {
    method: 'REGISTER',
    from: '<sip:alice@pchat.test>;tag=4831334237;epid=7bee7a619b14',
    to: '<sip:alice@pchat.test>',
    cseq: '3 REGISTER',
    callId: '17A2gA738aBD10i7F88mDD9At6CF3bF4E8x25F7x',
  },
};

// sip-sec-ntlm-tests.c: Office Communicator 2007 R2 / OCS 2007 R2 (password Pa$$word)
const OC2007 = {
  challenge: hex('4E544C4D53535000020000000000000038000000F38298E2DD1BAAF4E7E218D1000000000000000096009600380000000502CE0E0000000F02000A0043004F0053004D004F000100180043004F0053004D004F002D004F00430053002D00520032000400160063006F0073006D006F002E006C006F00630061006C000300300063006F0073006D006F002D006F00630073002D00720032002E0063006F0073006D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C006F00630061006C0000000000'),
  authenticate: hex('4E544C4D53535000030000001800180072000000C600C6008A0000000A000A00480000000800080052000000180018005A0000001000100050010000558298620502CE0E0000000F43004F0053004D004F00550073006500720043004F0053004D004F002D004F00430053002D0052003200A1E92EFE4E078BF7C5C0049ACC6166C2D6AE875CB0FDAA418DC0C800AE76ECA606D2B9FBEBD04731010100000000000059519A1727B9CA01D6AE875CB0FDAA410000000002000A0043004F0053004D004F000100180043004F0053004D004F002D004F00430053002D00520032000400160063006F0073006D006F002E006C006F00630061006C000300300063006F0073006D006F002D006F00630073002D00720032002E0063006F0073006D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C006F00630061006C00000000000000000031CB739E1CA80A498591E8AE797115E4'),
  proxyAuthorization: 'NTLM qop="auth", realm="SIP Communications Service", opaque="2BDBAC9D", targetname="cosmo-ocs-r2.cosmo.local", version=4, gssapi-data="x", crand="13317733", cnum="1", response="0100000029618e9651b65a7764000000"',
  request: {
    method: 'REGISTER',
    from: '<sip:user@cosmo.local>;tag=3e49177a52;epid=c8ca638a15',
    to: '<sip:user@cosmo.local>',
    callId: '4037df9284354df39065195bd57a4b14',
    cseq: '3 REGISTER',
  },
  requestString: '<NTLM><13317733><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local><4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52><sip:user@cosmo.local><><><><>',
  authenticationInfo: 'NTLM rspauth="01000000E615438A917661BE64000000", srand="9616454F", snum="1", opaque="2BDBAC9D", qop="auth", targetname="cosmo-ocs-r2.cosmo.local", realm="SIP Communications Service"',
  response: {
    code: '200',
    from: '"User"<sip:user@cosmo.local>;tag=3e49177a52;epid=c8ca638a15',
    to: '<sip:user@cosmo.local>;tag=5E61CCD925D17E043D9A74835A88F664',
    callId: '4037df9284354df39065195bd57a4b14',
    cseq: '3 REGISTER',
    expires: '7200',
  },
  responseString: '<NTLM><9616454F><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local><4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52><sip:user@cosmo.local><5E61CCD925D17E043D9A74835A88F664><><><7200><200>',
};

interface MessageHeaders {
  method?: string;
  code?: string;
  from: string;
  to: string;
  callId: string;
  cseq: string;
  expires?: string;
  pAssertedIdentity?: string;
}

/** What the SIP layer is meant to do: fill the fields from header values with the sipae helpers. */
function fieldsOf(message: MessageHeaders, auth: { rand: string; num: string; realm: string; targetName: string; version: number }): SignatureFields {
  const from = uriAndTag(message.from);
  const to = uriAndTag(message.to);
  const cseq = cseqParts(message.cseq);
  const pai = message.pAssertedIdentity === undefined ? {} : assertedIdentity(message.pAssertedIdentity);
  return {
    protocol: 'NTLM', ...auth, callId: message.callId, cseqNumber: cseq.number,
    cseqMethod: message.method ?? cseq.method, fromUri: from.uri, fromTag: from.tag, toUri: to.uri, toTag: to.tag,
    pAssertedIdentitySip: pai.sip, pAssertedIdentityTel: pai.tel, expires: message.expires, responseCode: message.code,
  };
}

describe('auth-param parsing', () => {
  it('reads the Authorization headers pidgin-sipe sent', () => {
    const empty = parseAuthParams(TRACE.emptyAuthorization);
    assert.equal(empty.scheme, 'NTLM');
    assert.deepEqual([...empty.params], [
      ['qop', 'auth'], ['realm', 'SIP Communications Service'], ['targetname', 'pchat.test'], ['gssapi-data', ''], ['version', '4'],
    ]);
    const full = parseAuthParams(TRACE.authorization);
    assert.equal(full.params.get('opaque'), '0123ABCD');
    assert.equal(full.params.get('gssapi-data'), TRACE_AUTH_B64);
    assert.equal(full.params.get('crand'), 'f1622d57');
    assert.equal(full.params.get('cnum'), '1');
    assert.equal(full.params.get('response'), '010000006254B9B85023B4DC64000000');
    assert.equal(full.params.size, 9);
  });

  it('reads the WWW-Authenticate values sipe accepted and an OCS Authentication-Info', () => {
    assert.deepEqual(parseAuthParams(TRACE.first401).params.get('version'), '4');
    assert.equal(parseAuthParams(TRACE.second401).params.get('gssapi-data'), TRACE_CHALLENGE_B64);
    const info = parseAuthParams(OC2007.authenticationInfo);
    assert.equal(info.params.get('rspauth'), '01000000E615438A917661BE64000000');
    assert.equal(info.params.get('srand'), '9616454F');
  });

  it('handles commas and escaped quotes inside quoted values, spacing, case, and bare schemes', () => {
    const parsed = parseAuthParams('  Kerberos Realm = "a, b=c" ,x="say \\"hi\\"",  n=12  ');
    assert.equal(parsed.scheme, 'Kerberos');
    assert.equal(parsed.params.get('realm'), 'a, b=c');
    assert.equal(parsed.params.get('x'), 'say "hi"');
    assert.equal(parsed.params.get('n'), '12');
    assert.equal(parseAuthParams('NTLM').params.size, 0);
  });

  const malformed = [
    '', '   ', 'NTLM realm', 'NTLM realm="x', 'NTLM realm="x" targetname="y"', 'NTLM realm=', 'NTLM realm= ,a="b"',
    'NTLM realm="a", realm="b"', 'NTLM ,realm="x"', 'NTLM realm="x",', 'NTLM re alm="x"', 'NTLM realm="x"\r\nEvil: 1',
    'NTLM realm=a"b', 'NTLM realm==x', '"NTLM" realm="x"', 'NTLM realm="x\\', 'NTLM =x', 'NTLM realm="x" junk',
  ];
  for (const value of malformed) {
    it(`rejects ${JSON.stringify(value)} with a clear error`, () => {
      assert.throws(() => parseAuthParams(value), (e: unknown) => isAuthParamError(e) && (e as Error).message.length > 10);
    });
  }

  it('never throws anything but AuthParamError on random input', () => {
    const alphabet = 'NTLM a=",\\ \t\r\nx5';
    const next = rng(7);
    for (let round = 0; round < 3000; round++) {
      const s = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      try {
        parseAuthParams(s);
      } catch (error) {
        assert.ok(error instanceof AuthParamError, `${JSON.stringify(s)}: ${String(error)}`);
      }
    }
  });
});

describe('authentication headers we send', () => {
  it('writes the first and second 401 exactly as in the trace sipe accepted', () => {
    assert.equal(wwwAuthenticate({ targetname: 'pchat.test' }), TRACE.first401);
    assert.equal(wwwAuthenticate({ targetname: 'pchat.test', opaque: '0123ABCD', gssapiData: Buffer.from(TRACE_CHALLENGE_B64, 'base64') }), TRACE.second401);
  });

  it('writes Authentication-Info as OCS does, optionally with the version', () => {
    const opts = {
      rspauth: '01000000E615438A917661BE64000000', srand: '9616454F', snum: '1', opaque: '2BDBAC9D',
      targetname: 'cosmo-ocs-r2.cosmo.local',
    };
    assert.equal(authenticationInfo(opts), OC2007.authenticationInfo);
    const withVersion = authenticationInfo({ ...opts, version: 4 });
    assert.equal(withVersion, `${OC2007.authenticationInfo}, version=4`);
    assert.equal(parseAuthParams(withVersion).params.get('version'), '4');
  });

  it('refuses values that would break out of their quotes', () => {
    assert.throws(() => wwwAuthenticate({ targetname: 'a"b' }), isAuthParamError);
    assert.throws(() => authenticationInfo({ rspauth: 'x', srand: 'y', snum: '1\r\nX: y', opaque: 'o', targetname: 't' }), isAuthParamError);
    assert.throws(() => wwwAuthenticate({ targetname: 't', opaque: 'o' }), isAuthParamError, 'opaque without gssapi-data');
  });
});

describe('signature buffer', () => {
  it("builds sipe's v4 string for a client request and an OCS response", () => {
    const request = fieldsOf(OC2007.request, { rand: '13317733', num: '1', realm: 'SIP Communications Service', targetName: 'cosmo-ocs-r2.cosmo.local', version: 4 });
    assert.equal(signatureBuffer(request).toString(), OC2007.requestString);
    const info = parseAuthParams(OC2007.authenticationInfo).params;
    const response = fieldsOf(OC2007.response, {
      rand: info.get('srand')!, num: info.get('snum')!, realm: info.get('realm')!, targetName: info.get('targetname')!, version: 4,
    });
    assert.equal(signatureBuffer(response).toString(), OC2007.responseString);
  });

  it('builds the v4 string of a response with P-Asserted-Identity (sipe Symbian vector)', () => {
    const fields = fieldsOf({
      code: '180',
      from: '"Sender"<sip:sender@company.com>;tag=2420628112;epid=54392f1bbf01',
      to: '"recipient"<sip:recipient@company.com>;tag=7aee15546a;epid=3102EB8BD1',
      cseq: '1 INVITE',
      callId: '41CEg82ECa0AC8i3DD7mE673t9CF4b19DAxF780x',
      pAssertedIdentity: '"recipient"<SIP:recipient@company.com>',
    }, { rand: '1B6D47A1', num: '11', realm: 'SIP Communications Service', targetName: 'LOC-COMPANYT-FE03.COMPANY.COM', version: 4 });
    assert.equal(signatureBuffer(fields).toString(),
      '<NTLM><1B6D47A1><11><SIP Communications Service><LOC-COMPANYT-FE03.COMPANY.COM><41CEg82ECa0AC8i3DD7mE673t9CF4b19DAxF780x><1><INVITE><sip:sender@company.com><2420628112><sip:recipient@company.com><7aee15546a><SIP:recipient@company.com><><><180>');
  });

  it('builds the version 2 layout (no To URI, no P-Asserted-Identity)', () => {
    const fields = fieldsOf({
      code: '200',
      from: '"Gabriel Burt"<sip:gabriel@ocs.provo.novell.com>;tag=2947328781;epid=1234567890',
      to: '<sip:gabriel@ocs.provo.novell.com>;tag=B816D65C2300A32CFA6D371F2AF537FD',
      callId: '8592g5DCBa1694i5887m0D0Bt2247b3F38xAE9Fx',
      cseq: '3 REGISTER',
      expires: '900',
    }, { rand: '0878F41B', num: '1', realm: 'SIP Communications Service', targetName: 'ocs1.ocs.provo.novell.com', version: 2 });
    assert.equal(signatureBuffer(fields).toString(),
      '<NTLM><0878F41B><1><SIP Communications Service><ocs1.ocs.provo.novell.com><8592g5DCBa1694i5887m0D0Bt2247b3F38xAE9Fx><3><REGISTER><sip:gabriel@ocs.provo.novell.com><2947328781><B816D65C2300A32CFA6D371F2AF537FD><900><200>');
  });

  it('extracts URIs, tags, P-Asserted-Identity and CSeq as sipe does', () => {
    assert.deepEqual(uriAndTag('"A, B" <sip:a@b;transport=tcp>;tag=x1;epid=9'), { uri: 'sip:a@b;transport=tcp', tag: 'x1' });
    assert.deepEqual(uriAndTag('<sip:a@b>;tag=last'), { uri: 'sip:a@b', tag: 'last' });
    assert.deepEqual(uriAndTag('sip:a@b'), { uri: '', tag: '' });
    assert.deepEqual(uriAndTag('<sip:a@b'), { uri: 'sip:a@b', tag: '' });
    assert.deepEqual(assertedIdentity('tel:+14085264000'), { tel: 'tel:+14085264000' });
    assert.deepEqual(assertedIdentity('"C J" <sip:fluffy@cisco.com>, <tel:+1408>'), { sip: 'sip:fluffy@cisco.com', tel: 'tel:+1408' });
    assert.deepEqual(assertedIdentity('<mailto:x@y>'), {});
    assert.deepEqual(cseqParts('42 INFO'), { number: '42', method: 'INFO' });
  });

  it('needs a realm', () => {
    const fields = fieldsOf(OC2007.request, { rand: '1', num: '1', realm: '', targetName: 't', version: 4 });
    assert.throws(() => signatureBuffer(fields), isAuthParamError);
  });
});

describe('message signatures end to end', () => {
  it("verifies pidgin-sipe's AUTHENTICATE REGISTER from the trace, from its headers", () => {
    const { scheme, params } = parseAuthParams(TRACE.authorization);
    assert.equal(scheme, 'NTLM');
    const auth = parseAuthenticate(Buffer.from(params.get('gssapi-data')!, 'base64'));
    const challenge = { serverChallenge: hex('0102030405060708'), message: Buffer.from(TRACE_CHALLENGE_B64, 'base64') };
    assert.equal(acceptAuthenticate(auth, challenge, ntHash('wrong')), null);
    const ctx = acceptAuthenticate(auth, challenge, ntHash('Secret123'));
    assert.ok(ctx);
    const authFields = { rand: params.get('crand')!, num: params.get('cnum')!, realm: params.get('realm')!, targetName: params.get('targetname')!, version: Number(params.get('version')) };
    const fields = fieldsOf(TRACE.register, authFields);
    assert.ok(verifySignature(ctx, fields, params.get('response')!));
    assert.ok(verifySignature(ctx, fields, params.get('response')!.toLowerCase()));
    assert.equal(verifySignature(ctx, { ...fields, num: '2' }, params.get('response')!), false);
    assert.equal(verifySignature(ctx, { ...fields, toTag: 'x' }, params.get('response')!), false);
    assert.equal(verifySignature(ctx, fields, 'not hex'), false);
    assert.equal(verifySignature(ctx, fields, '0100'), false);
  });

  it('verifies the OC 2007 R2 request and produces the rspauth OCS sent (which sipe verifies)', () => {
    const ctx = acceptAuthenticate(parseAuthenticate(OC2007.authenticate), { serverChallenge: OC2007.challenge.subarray(24, 32) }, ntHash('Pa$$word'));
    assert.ok(ctx);
    const params = parseAuthParams(OC2007.proxyAuthorization).params;
    const request = fieldsOf(OC2007.request, { rand: params.get('crand')!, num: params.get('cnum')!, realm: params.get('realm')!, targetName: params.get('targetname')!, version: 4 });
    assert.ok(verifySignature(ctx, request, params.get('response')!));
    const response = fieldsOf(OC2007.response, { rand: '9616454F', num: '1', realm: 'SIP Communications Service', targetName: 'cosmo-ocs-r2.cosmo.local', version: 4 });
    const rspauth = signMessage(ctx, response);
    assert.equal(rspauth, '01000000E615438A917661BE64000000');
    assert.ok(rspauth.endsWith('64000000'), `SeqNum ${SIPAE_NTLM_SEQ}`);
    assert.notEqual(signMessage(ctx, { ...response, num: '2' }), rspauth);
  });

  it('a fresh server context signs what it verifies only with the right direction keys', () => {
    // Our own signatures must not verify as the client's (different keys per direction).
    const challenge = createChallenge({ netbiosDomain: 'P', netbiosHost: 'S', dnsDomain: 'p.test', dnsHost: 's.p.test' });
    assert.equal(challenge.message.subarray(0, 8).toString('latin1'), 'NTLMSSP\0');
    const ctx = acceptAuthenticate(parseAuthenticate(OC2007.authenticate), { serverChallenge: OC2007.challenge.subarray(24, 32) }, ntHash('Pa$$word'));
    assert.ok(ctx);
    const fields = fieldsOf(OC2007.request, { rand: '1', num: '5', realm: 'SIP Communications Service', targetName: 't', version: 4 });
    assert.equal(verifySignature(ctx, fields, signMessage(ctx, fields)), false);
  });
});
