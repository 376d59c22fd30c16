import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PchatError } from '../../../core/errors.js';
import type { PrincipalRow } from './load.js';

/**
 * The organisation's SIP domains, which decide who is federated, from the deployment's own facts
 * (docs/groupchat-dump.md, "Which users are federated"), never from a majority:
 *
 * 1. Given (`domains.txt` in the dump directory, or the `domains` option): used as they are.
 * 2. The service identity: the SIP URIs of the deployment's own SystemUser principals (the chat
 *    service, `sip:ocschat@<domain>`). Their domains are the organisation's, provided no user
 *    with an AD path (synchronised from the organisation's directory) sits in another domain.
 * 3. No service identity: when the users' SIP URIs name one domain only, it is the
 *    organisation's (nobody is federated).
 *
 * Anything else (AD-backed users outside the service identity's domains, or several user
 * domains with no service identity) is a conflict: opening the dump stops with every fact and
 * its counts, and asks for `domains.txt`.
 */

export interface DomainEvidence {
  readonly domain: string;
  /** SystemUser (service) SIP URIs in this domain. */
  readonly serviceUris: readonly string[];
  readonly users: number;
  /** Of `users`, those with an AD path. */
  readonly adUsers: number;
  /** Group principals whose `ma-grp://<domain>/…` URI names it (shown, not deciding). */
  readonly groups: number;
}

export interface DomainDecision {
  readonly domains: readonly string[];
  /** Where the domains came from, for the notes and the plan. */
  readonly basis: string;
  readonly evidence: readonly DomainEvidence[];
}

export type GivenDomains = { readonly domains: readonly string[]; readonly from: string } | null;

const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const sipDomainOf = (uri: string): string | null => {
  const login = uri.trim().replace(/^sip:/i, '');
  const at = login.lastIndexOf('@');
  return at === -1 ? null : login.slice(at + 1).toLowerCase();
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Per domain: the service URIs, users, AD-backed users and groups that name it. */
export function domainEvidence(principals: Iterable<PrincipalRow>, kindOf: (p: PrincipalRow) => 'user' | 'system' | 'group'): DomainEvidence[] {
  const byDomain = new Map<string, { serviceUris: string[]; users: number; adUsers: number; groups: number }>();
  const entry = (domain: string) => {
    let e = byDomain.get(domain);
    if (!e) byDomain.set(domain, (e = { serviceUris: [], users: 0, adUsers: 0, groups: 0 }));
    return e;
  };
  for (const p of principals) {
    const kind = kindOf(p);
    if (kind === 'group') {
      const host = /^ma-grp:\/\/([^/]+)\//i.exec(p.uri.trim())?.[1]?.toLowerCase();
      if (host) entry(host).groups++;
      continue;
    }
    if (!/^sip:/i.test(p.uri.trim())) continue;
    const domain = sipDomainOf(p.uri);
    if (!domain) continue;
    if (kind === 'system') entry(domain).serviceUris.push(p.uri.trim());
    else {
      const e = entry(domain);
      e.users++;
      if (p.adPath !== null && p.adPath.trim() !== '') e.adUsers++;
    }
  }
  return [...byDomain].map(([domain, e]) => ({ domain, ...e })).sort((a, b) => b.users - a.users || a.domain.localeCompare(b.domain));
}

/** One line per domain with every fact that names it. */
export function describeEvidence(evidence: readonly DomainEvidence[]): string {
  return evidence
    .map((e) => {
      const facts = [
        ...(e.serviceUris.length > 0 ? [`service identity ${e.serviceUris.join(', ')}`] : []),
        `${plural(e.users, 'user')} (${e.adUsers} with an AD path)`,
        ...(e.groups > 0 ? [`${plural(e.groups, 'group')} ma-grp://${e.domain}/…`] : []),
      ];
      return `  ${e.domain}: ${facts.join('; ')}`;
    })
    .join('\n');
}

const ASK =
  'List the organisation\'s SIP domains in domains.txt in the dump directory, one per line (`#` starts a comment); users of every other domain are then federated. ' +
  'pchat does not guess which users are federated.';

/** The domains to use, or a PchatError naming the conflict. */
export function decideDomains(evidence: readonly DomainEvidence[], given: GivenDomains): DomainDecision {
  if (given) return { domains: given.domains, basis: `given in ${given.from}`, evidence };
  const service = evidence.filter((e) => e.serviceUris.length > 0);
  if (service.length > 0) {
    const domains = service.map((e) => e.domain).sort();
    const outside = evidence.filter((e) => e.serviceUris.length === 0 && e.adUsers > 0);
    if (outside.length === 0) {
      return { domains, basis: `the service identity (${service.flatMap((e) => e.serviceUris).join(', ')})`, evidence };
    }
    throw new PchatError(
      'invalid_dump',
      `The dump's facts disagree on the organisation's SIP domains: the service identity names ${domains.join(', ')}, but ` +
        `${outside.map((e) => `${plural(e.adUsers, 'user')} with an AD path ${e.adUsers === 1 ? 'sits' : 'sit'} in ${e.domain}`).join(', ')}. Every fact:\n${describeEvidence(evidence)}\n${ASK}`,
      { field: 'domains.txt', details: { evidence } },
    );
  }
  const userDomains = evidence.filter((e) => e.users > 0);
  if (userDomains.length <= 1) {
    return { domains: userDomains.map((e) => e.domain), basis: userDomains.length === 1 ? 'the only domain of the users\' SIP URIs (no service identity in the dump)' : 'none: no user has a SIP domain', evidence };
  }
  throw new PchatError(
    'invalid_dump',
    `No fact in the dump decides the organisation's SIP domains: tblPrincipal has no service identity (a SystemUser principal such as sip:ocschat@<domain>), and the users' SIP URIs name ${userDomains.length} domains:\n${describeEvidence(evidence)}\n${ASK}`,
    { field: 'domains.txt', details: { evidence } },
  );
}

/** Domains given as an option: each must be a DNS name (the option's position in the message). */
export function checkGivenDomains(domains: readonly string[], what: string): string[] {
  return domains.map((d, i) => {
    const domain = d.trim().toLowerCase();
    if (!DNS_NAME.test(domain)) throw new PchatError('invalid_input', `${what}: entry ${i + 1} "${d}" is not a SIP domain (a DNS name such as example.com)`, { field: what });
    return domain;
  });
}

/**
 * The organisation's SIP domains from `domains.txt` in the dump directory (one per line, `#`
 * comments), when the administrator wrote one: it travels with the dump, so export, verify and
 * `pchat migrate` all read the same list. Null when the file does not exist; a line that is not
 * a domain, a repeated domain or a file without any is refused with its line number.
 */
export async function domainsFile(dir: string): Promise<string[] | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'domains.txt'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const domains: string[] = [];
  const seen = new Map<string, number>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const value = raw.replace(/#.*/, '').trim().toLowerCase();
      if (value === '') return;
      const fail = (why: string) => new PchatError('invalid_dump', `domains.txt line ${line}: "${raw.trim()}" ${why}`, { field: 'domains.txt' });
      if (/^sip:|@/.test(value)) throw fail('is an address; write only the domain (e.g. example.com for sip:alice@example.com)');
      if (!DNS_NAME.test(value)) throw fail('is not a SIP domain (a DNS name such as example.com; one domain per line)');
      const first = seen.get(value);
      if (first !== undefined) throw fail(`repeats the domain of line ${first}`);
      seen.set(value, line);
      domains.push(value);
    });
  if (domains.length === 0) throw new PchatError('invalid_dump', 'domains.txt lists no domain: write the organisation\'s SIP domains, one per line, or remove the file', { field: 'domains.txt' });
  return domains;
}
