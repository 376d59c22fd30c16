import { newBranch, newTag } from './dialogs.js';
import type { OutgoingRequest } from './message.js';
import { element } from './xml.js';

/**
 * The parts of an OCS/Lync front end a group chat client needs before it settles in: the
 * REGISTER answer it expects and in-band provisioning ([MS-SIPREGE]) that names the
 * persistent chat pool. Everything else it subscribes to gets a polite, empty answer.
 */

/** Events a client may subscribe to; the 200 to REGISTER lists them in Allow-Events. */
export const ALLOWED_EVENTS = [
  'vnd-microsoft-provisioning',
  'vnd-microsoft-roaming-contacts',
  'vnd-microsoft-roaming-ACL',
  'presence',
  'presence.wpending',
  'vnd-microsoft-roaming-self',
  'vnd-microsoft-provisioning-v2',
];

export const ALLOWED_METHODS = 'INVITE, ACK, BYE, CANCEL, INFO, UPDATE, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, SERVICE, PUBLISH, MESSAGE, BENOTIFY';

/** The headers of a successful REGISTER's 200 (besides those copied from the request). */
export function registeredHeaders(opts: { contact: string; address: string; expires: number; serverName: string; keepAliveSeconds: number }): [string, string][] {
  const instance = /\+sip\.instance="<urn:uuid:([^>]+)>"/.exec(opts.contact)?.[1];
  const gruu = `sip:${opts.address};opaque=user:epid:${instance ?? 'pchat'};gruu`;
  return [
    ['Contact', `${opts.contact};expires=${opts.expires};gruu="${gruu}"`],
    ['Expires', String(opts.expires)],
    ['Allow-Events', ALLOWED_EVENTS.join(',')],
    // msrtc-event-categories puts the client in its "OCS 2007+" mode, the only one with group chat.
    ['Supported', 'adhoclist'],
    ['Supported', 'msrtc-event-categories'],
    ['Server', `RTC/4.0 pchat (${opts.serverName})`],
    ['ms-keep-alive', `UAS; tcp=no; hop-hop=yes; end-end=no; timeout=${opts.keepAliveSeconds}`],
  ];
}

/** The vnd-microsoft-provisioning-v2 document: persistent chat on, and the pool's lookup address. */
export function provisioningBody(poolUri: string): string {
  const properties = element('property', { name: 'EnablePersistentChat' }, 'true') + element('property', { name: 'DefaultPersistentChatPoolUri' }, poolUri);
  return element(
    'provisionGroupList',
    { xmlns: 'http://schemas.microsoft.com/2006/09/sip/provisiongrouplist' },
    element('provisionGroup', { name: 'ServerConfiguration' }, '<ServerConfiguration/>') +
      element('provisionGroup', { name: 'persistentChatConfiguration' }, `<propertyEntryList>${properties}</propertyEntryList>`),
  );
}

export const PROVISIONING_TYPE = 'application/vnd-microsoft-roaming-provisioning-v2+xml';

/**
 * The server-side deregistration of a Lync front end: a BENOTIFY of the `registration-notify`
 * event, `deregistered;event=rejected`, with the reason in ms-diagnostics. pidgin-sipe reports
 * it as "You have been rejected by the server: <reason>" and does not reconnect by itself.
 */
export function deregistration(options: { selfUri: string; via: string; serverName: string; reason: string }): OutgoingRequest {
  const { selfUri, via, serverName, reason } = options;
  return {
    method: 'BENOTIFY',
    uri: selfUri,
    headers: [
      ['Via', `${via};branch=${newBranch()}`],
      ['Max-Forwards', '70'],
      ['From', `<${selfUri}>;tag=${newTag()}`],
      ['To', `<${selfUri}>`],
      ['Call-ID', `${newTag()}${newTag()}@${serverName}`],
      ['CSeq', '1 BENOTIFY'],
      ['Event', 'registration-notify'],
      ['Content-Type', 'text/registration-event'],
      ['ms-diagnostics', `4140;reason="${reason.replace(/["\\\r\n]/g, ' ')}";source="${serverName}"`],
    ],
    body: 'deregistered;event=rejected',
  };
}
