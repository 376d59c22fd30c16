import type { GroupRecord, MembershipRecord, PrincipalRefRecord, UserRecord } from '../../archive/records.js';
import type { Dump } from './load.js';
import { decideDomains, describeEvidence, domainEvidence, type DomainDecision, type GivenDomains } from './domains.js';
import { fittedName, item, type Notes } from './notes.js';
import { codePoints, MAX_NAME_CHARS } from '../../../core/validation.js';
import { nameWithSuffix } from '../../names.js';

/**
 * Principals → users, groups and direct memberships.
 *
 * - A principal whose type is User or SystemUser becomes a user; DC, Group and Folder (OU)
 *   principals become groups, so grants to an OU or a domain keep working.
 * - login = prinUri without its `sip:` scheme (`sip:alice@example.com` → `alice@example.com`).
 * - Disabled users: SIP-disabled (prinDisabled 1), deleted from AD (2), federated (SIP domain
 *   outside the organisation's, which domains.ts decides from the deployment's facts), and system
 *   users (they keep authorship, nobody signs in as them).
 * - Memberships: tblPrincipalAffiliations is the transitive closure AD sync computed; the direct
 *   edges are its transitive reduction (G is direct for P unless another of P's groups is itself
 *   in G). Permissions are the same either way; the reduction makes them deterministic and small.
 */

export interface PrincipalsOut {
  readonly users: UserRecord[];
  readonly groups: GroupRecord[];
  readonly memberships: MembershipRecord[];
  /** prinID → how other records refer to it. */
  readonly refs: ReadonlyMap<number, PrincipalRefRecord>;
  readonly domains: readonly string[];
  readonly domainDecision: DomainDecision;
}

const clip = (text: string, max = MAX_NAME_CHARS) => (codePoints(text) > max ? [...text].slice(0, max).join('') : text);
const sipDomain = (login: string) => login.slice(login.lastIndexOf('@') + 1).toLowerCase();
const loginOf = (uri: string) => uri.trim().replace(/^sip:/i, '');

/** A user's display name or a group's name as pchat can store it, shortened and reported when longer (notes.ts fittedName). */
const principalName = (kind: 'user' | 'group', full: string, id: string, label: string, notes: Notes): string =>
  fittedName(notes, kind, id, full, (name) => ({
    itemName: kind === 'user' ? label : name,
    message: `${kind === 'user' ? `The display name of user ${label}` : `The name of group ${label}`} has ${codePoints(full)} characters; at most ${MAX_NAME_CHARS} are allowed, so it is shortened to "${name}" (the original: "${full}"; set another one with --renames, kind ${kind}).`,
  }));

export function convertPrincipals(dump: Dump, givenDomains: GivenDomains, notes: Notes): PrincipalsOut {
  const kinds = new Map<number, 'user' | 'system' | 'group'>();
  for (const p of dump.principals.values()) {
    let kind = dump.lookups.principalTypes.get(p.type);
    if (!kind) {
      kind = /^sip:/i.test(p.uri) ? 'user' : 'group';
      notes.warning('principal_type_unknown', item('principal', p.id, p.uri), `Principal type ${p.type} is unknown; taken as a ${kind} from its URI.`);
    }
    kinds.set(p.id, kind);
  }
  const sorted = [...dump.principals.values()].sort((a, b) => a.id - b.id);
  const userRows = sorted.filter((p) => kinds.get(p.id) !== 'group');
  const decision = decideDomains(domainEvidence(sorted, (p) => kinds.get(p.id)!), givenDomains);
  const { domains } = decision;
  const orgDomains = new Set(domains);
  reportDomains(decision, givenDomains, notes);
  const counts = { internal: 0, legacyDisabled: 0, federated: new Map<string, number>(), system: 0 };

  const refs = new Map<number, PrincipalRefRecord>();
  const users: UserRecord[] = [];
  const logins = new Map<string, number>();
  for (const p of userRows) {
    const login = clip(loginOf(p.uri) || `principal-${p.id}`);
    const id = String(p.id);
    const reasons: string[] = [];
    if (kinds.get(p.id) === 'system') {
      notes.conversion('system_user_disabled', item('user', id, login), `System principal ${p.uri} becomes a disabled user (it keeps authorship of its messages).`);
      reasons.push('system');
    }
    if (p.disabled === 1 || p.disabled === 2) {
      const why = p.disabled === 1 ? 'disabled for SIP' : 'deleted from Active Directory';
      notes.conversion('principal_disabled', item('user', id, login), `${p.uri} was ${why} in the legacy system; imported as a disabled user.`);
      reasons.push(why);
    }
    if (kinds.get(p.id) === 'user' && login.includes('@') && !orgDomains.has(sipDomain(login))) {
      notes.conversion('federated_user_disabled', item('user', id, login), `${p.uri} is federated (domain ${sipDomain(login)}); imported as a disabled user, keeping their messages.`);
      reasons.push('federated');
    }
    if (reasons.includes('system')) counts.system++;
    else if (reasons.includes('federated')) counts.federated.set(sipDomain(login), (counts.federated.get(sipDomain(login)) ?? 0) + 1);
    else {
      counts.internal++;
      if (reasons.length > 0) counts.legacyDisabled++;
    }
    const clash = logins.get(login.toLowerCase());
    if (clash !== undefined) {
      notes.error('login_collision', item('user', id, login), `Principals ${clash} and ${p.id} share the login ${login}.`);
    }
    logins.set(login.toLowerCase(), p.id);
    users.push({
      id,
      login,
      displayName: principalName('user', (p.displayName ?? p.name ?? login).trim(), id, login, notes),
      email: p.email ? clip(p.email.trim()) : null,
      disabled: reasons.length > 0,
      isAdmin: false,
      origin: null,
    });
    refs.set(p.id, { kind: 'user', id });
  }

  const federated = [...counts.federated.values()].reduce((a, b) => a + b, 0);
  notes.conversion(
    'user_classification',
    null,
    `Users: ${counts.internal} internal (of the organisation's SIP domains ${domains.join(', ') || '(none)'}; ${counts.legacyDisabled} of them disabled in the legacy system and imported disabled), ` +
      `${federated} federated (${[...counts.federated].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([d, n]) => `${d} ${n}`).join(', ') || 'none'}; imported disabled, keeping their messages), ` +
      `${counts.system} system (imported disabled).`,
  );

  const groups: GroupRecord[] = [];
  const names = new Map<string, number>();
  for (const p of sorted.filter((q) => kinds.get(q.id) === 'group')) {
    const id = String(p.id);
    let name = principalName('group', (p.displayName ?? p.name ?? p.uri).trim() || `group-${p.id}`, id, p.uri, notes);
    // Group names are unique in pchat; AD allows the same display name in two OUs.
    if (names.has(name.toLowerCase())) {
      // The name gives way to the suffix when both do not fit, so the renamed group always differs.
      const renamed = nameWithSuffix(name, ` (${p.id})`);
      notes.conversion('group_renamed', item('group', id, renamed), `Group ${p.uri} shares the name "${name}" with principal ${names.get(name.toLowerCase())}; renamed "${renamed}".`);
      name = renamed;
    }
    names.set(name.toLowerCase(), p.id);
    if (p.disabled === 2) notes.warning('group_deleted', item('group', id, name), `${p.uri} was deleted from Active Directory; kept as a group so grants to it stay visible.`);
    groups.push({ id, name, description: clip(p.adPath ?? p.uri, 1024), origin: null });
    refs.set(p.id, { kind: 'group', id });
  }

  return { users, groups, memberships: directMemberships(dump, refs, notes), refs, domains, domainDecision: decision };
}

/** The domains, where they came from and every fact; given domains that the facts contradict are a warning. */
function reportDomains(decision: DomainDecision, given: GivenDomains, notes: Notes): void {
  notes.conversion(
    'sip_domains',
    null,
    `Organisation SIP domains: ${decision.domains.join(', ') || '(none)'}, ${decision.basis}; users of other domains are federated. The dump's facts:\n${describeEvidence(decision.evidence) || '  (no SIP URI)'}`,
  );
  if (!given) return;
  const chosen = new Set(decision.domains);
  const against = decision.evidence.filter((e) => (e.serviceUris.length > 0 || e.adUsers > 0) && !chosen.has(e.domain));
  for (const e of against) {
    notes.warning(
      'sip_domain_not_given',
      null,
      `${given.from} leaves out ${e.domain}, which ${e.serviceUris.length > 0 ? `the service identity (${e.serviceUris.join(', ')}) names` : `${e.adUsers} user(s) with an AD path sit in`}: its ${e.users} user(s) are imported as federated (disabled).`,
    );
  }
}

function directMemberships(dump: Dump, refs: ReadonlyMap<number, PrincipalRefRecord>, notes: Notes): MembershipRecord[] {
  const closure = dump.affiliations;
  const inGroup = (member: number, group: number) => closure.get(member)?.has(group) ?? false;
  const out: MembershipRecord[] = [];
  for (const principal of [...closure.keys()].sort((a, b) => a - b)) {
    const member = refs.get(principal);
    if (!member) {
      notes.warning('principal_missing', item('principal', principal), `tblPrincipalAffiliations lists principal ${principal}, which is not in tblPrincipal; ignored.`);
      continue;
    }
    const groups = [...closure.get(principal)!].sort((a, b) => a - b);
    for (const group of groups) {
      const target = refs.get(group);
      if (!target || target.kind !== 'group') {
        notes.warning(
          'affiliation_not_group',
          item('principal', principal),
          `Principal ${principal} is affiliated with ${group}, which is ${target ? 'not a group' : 'not in tblPrincipal'}; ignored.`,
        );
        continue;
      }
      // Implied when P is in another group H that is itself in G (unless H and G contain each other).
      const implied = groups.some((via) => via !== group && inGroup(via, group) && !inGroup(group, via));
      if (!implied) out.push({ group: target.id, member });
    }
  }
  reportCycles(out, notes);
  return out;
}

/** pchat refuses group cycles; AD allows them. The plan must show them before the window. */
function reportCycles(memberships: readonly MembershipRecord[], notes: Notes): void {
  const edges = new Map<string, string[]>();
  for (const m of memberships) if (m.member.kind === 'group') edges.set(m.member.id, [...(edges.get(m.member.id) ?? []), m.group]);
  const state = new Map<string, 1 | 2>();
  const visit = (node: string, path: string[]): void => {
    state.set(node, 1);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 1) {
        const cycle = [...path.slice(path.indexOf(next)), next];
        notes.error('group_cycle', item('group', next), `Groups contain each other: ${cycle.join(' ∈ ')}; pchat does not allow cycles.`);
      } else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, 2);
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node, [node]);
}
