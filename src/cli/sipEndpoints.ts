import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { type Config, configSchema } from '../config/schema.js';
import { PchatError } from '../core/errors.js';
import type { SipBefore, SipClaim } from '../interchange/migrate/types.js';
import {
  addressOf,
  assertFreeInConfig,
  configPath,
  effectiveOrDefaults,
  type Listen,
  parseAddress,
  type Raw,
  readRaw,
  RESTART_NOTE,
  row,
  sameAddress,
  section,
  stored,
  writeValidated,
} from './endpointConfig.js';
import type { GlobalOptions } from './options.js';
import { printResult } from './output.js';
import { usage, withExamples } from './resource.js';

/**
 * The SIP endpoint's part of `pchat endpoint` (`--protocol sip`, `endpoint domains set`), and
 * the config edits of the migration's SIP cut-over: `sip.listen`, `sip.domains` and
 * `sip.serverName` in the JSON configuration file, each change validated by the one schema
 * (which refuses a SIP address while no domain is set) and written atomically.
 */

export interface SipAddOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly serverName?: string;
  readonly domain?: string[];
}

export const SIP_EXAMPLES = [
  'pchat endpoint add --protocol sip --host 0.0.0.0 --port 5061 --tls-cert /etc/pchat/pool.pem --tls-key /etc/pchat/pool.key --server-name pool.example.com --domain example.com',
  'pchat endpoint domains set example.com,example.org',
  'pchat endpoint remove sip:0.0.0.0:5061',
];

const sip = (raw: Raw): Raw => section(raw, 'sip');
const json = (command: Command) => command.optsWithGlobals<GlobalOptions>().json === true;

/** `a.com,b.com` → ['a.com', 'b.com']; `""` and `none` → []. The schema checks each name. */
export function parseDomains(value: string): string[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/** Commander collector for a repeatable, comma-separated --domain. */
export const collectDomains = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...parseDomains(value)];

/** `sip:host:port` / `irc:host:port` / `host:port` with --protocol; irc when nothing says otherwise. */
export function protocolOf(command: Command, given: string, option: 'irc' | 'sip' | undefined): { protocol: 'irc' | 'sip'; address: string } {
  const prefixed = /^(irc|sip):(.+:\d+)$/i.exec(given.trim());
  const fromPrefix = prefixed ? (prefixed[1]!.toLowerCase() as 'irc' | 'sip') : undefined;
  if (fromPrefix && option && fromPrefix !== option) usage(command, `the address says ${fromPrefix}: but --protocol says ${option}.`);
  return { protocol: fromPrefix ?? option ?? 'irc', address: prefixed ? prefixed[2]! : given };
}

/** What `endpoint list` shows of the SIP endpoint. */
export function sipListing(config: Config): { configured: boolean; json: Raw; rows: Raw[]; summary: string } {
  const s = config.sip;
  return {
    configured: s.listen.length > 0 || s.domains.length > 0,
    json: { serverName: s.serverName, domains: s.domains, auth: s.auth, listen: s.listen.map(row) },
    rows: s.listen.map((l) => ({ protocol: 'sip', ...row(l) })),
    summary:
      s.listen.length > 0
        ? `SIP server name: ${s.serverName}; SIP domains: ${s.domains.join(', ')}; authentication: ${s.auth}\n`
        : `SIP endpoint: off (no address)${s.domains.length > 0 ? `; SIP domains: ${s.domains.join(', ')}` : ''}\n`,
  };
}

/** Adds `more` to `list`, keeping its order, without repeating a domain (compared as the schema stores them: lower case). */
const union = (list: readonly string[], more: readonly string[]): string[] => [...new Set([...list, ...more].map((d) => d.toLowerCase()))];

/** The schema's error for a SIP address without domains, with the way to give them from this command. */
function withDomainHint(error: unknown): never {
  if (error instanceof ConfigError && error.problems.some((p) => p.startsWith('sip.domains'))) {
    throw new ConfigError([...error.problems, 'Give the SIP domain(s) with --domain <domain> (e.g. --domain example.com), or set them first with `pchat endpoint domains set <domains>`.']);
  }
  throw error;
}

export function addSipAddress(command: Command, opts: SipAddOptions): void {
  const file = configPath(command);
  const raw = readRaw(file);
  const effective = effectiveOrDefaults(file);
  const current = effective.sip.listen;
  if (current.some((l) => sameAddress(l, opts))) throw new PchatError('conflict', `The SIP endpoint already listens on ${addressOf(opts)}.`, { field: '--port' });
  assertFreeInConfig(effective, opts, 'sip');
  const entry: Raw = {
    host: opts.host,
    port: opts.port,
    ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined && { tls: { certFile: resolve(opts.tlsCert), keyFile: resolve(opts.tlsKey) } }),
  };
  raw.sip = {
    ...sip(raw),
    listen: [...current.map(stored), entry],
    ...(opts.domain !== undefined && { domains: union(effective.sip.domains, opts.domain) }),
    ...(opts.serverName !== undefined && { serverName: opts.serverName }),
  };
  let config: Config;
  try {
    config = writeValidated(file, raw);
  } catch (error) {
    withDomainHint(error);
  }
  const added = config.sip.listen.at(-1) as Listen;
  printResult(
    json(command),
    { added: row(added), serverName: config.sip.serverName, domains: config.sip.domains, file },
    `Added ${added.tls ? 'TLS' : 'TCP (no TLS)'} SIP endpoint ${addressOf(added)} to ${file} (server name ${config.sip.serverName}; SIP domains ${config.sip.domains.join(', ')}). ${RESTART_NOTE}`,
  );
}

export function removeSipAddress(command: Command, address: string): void {
  const wanted = parseAddress(address);
  const file = configPath(command);
  const raw = readRaw(file);
  const current = effectiveOrDefaults(file).sip.listen;
  const kept = current.filter((l) => !sameAddress(l, wanted));
  if (kept.length === current.length) {
    throw new PchatError('not_found', `The SIP endpoint does not listen on ${addressOf(wanted)}; see \`pchat endpoint list\`.`, { field: '<address>' });
  }
  raw.sip = { ...sip(raw), listen: kept.map(stored) };
  writeValidated(file, raw);
  printResult(
    json(command),
    { removed: `sip:${addressOf(wanted)}`, remaining: kept.map(row), file },
    `Removed SIP endpoint ${addressOf(wanted)} from ${file}${kept.length === 0 ? ' (no SIP addresses are left: the SIP endpoint is off)' : ''}. ${RESTART_NOTE}`,
  );
}

/** `pchat endpoint domains set <domains>`. */
export function registerSipDomains(group: Command): void {
  const domains = withExamples(
    group.command('domains').description('The SIP domains the SIP endpoint serves (sip.domains): a user signs in as login@domain for one of them.'),
    ['pchat endpoint domains set example.com,example.org'],
  );
  withExamples(
    domains
      .command('set <domains>')
      .description('Replace the SIP domains with a comma-separated list (`none` for none: refused while the SIP endpoint has an address).')
      .action((value: string, _opts: unknown, command: Command) => {
        const file = configPath(command);
        const raw = readRaw(file);
        raw.sip = { ...sip(raw), domains: parseDomains(value).map((d) => d.toLowerCase()) };
        const config = writeValidated(file, raw);
        printResult(json(command), { domains: config.sip.domains, file }, `SIP domains in ${file}: ${config.sip.domains.join(', ') || '(none)'}. ${RESTART_NOTE}`);
      }),
    ['pchat endpoint domains set example.com', 'pchat endpoint domains set example.com,retail.example.com --config /etc/pchat/pchat.config.json', 'pchat endpoint domains set none   # only once no SIP address is left'],
    RESTART_NOTE,
  );
}

// ---- the migration's SIP cut-over and its rollback ----

/** The SIP settings the file itself holds (null: not set in the file), before a cut-over changes them. */
export function sipSettingsOf(file: string): { listen: { host: string; port: number }[]; domains: string[] | null; serverName: string | null } {
  const raw = sip(readRaw(file));
  const config = effectiveOrDefaults(file);
  return {
    listen: config.sip.listen.map((l) => ({ host: l.host, port: l.port })),
    domains: raw.domains === undefined ? null : config.sip.domains,
    serverName: raw.serverName === undefined ? null : config.sip.serverName,
  };
}

/** The schema's problems with a claim (empty when it would be accepted), without touching any file. */
export function sipClaimProblems(claim: SipClaim): string[] {
  const result = configSchema.safeParse({
    sip: {
      listen: [{ host: claim.host, port: claim.port, ...(claim.tls && { tls: claim.tls }) }],
      domains: [...claim.domains],
      ...(claim.serverName !== null && { serverName: claim.serverName }),
    },
  });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** Adds the address to sip.listen (true) unless it is there (false), adds the domains, sets the server name. */
export function claimSipAddress(file: string, claim: SipClaim): boolean {
  const raw = readRaw(file);
  const config = effectiveOrDefaults(file);
  const present = config.sip.listen.some((l) => sameAddress(l, claim));
  const entry = { host: claim.host, port: claim.port, ...(claim.tls && { tls: { ...claim.tls } }) };
  raw.sip = {
    ...sip(raw),
    listen: [...config.sip.listen.map(stored), ...(present ? [] : [entry])],
    domains: union(config.sip.domains, claim.domains),
    ...(claim.serverName !== null && { serverName: claim.serverName }),
  };
  writeValidated(file, raw);
  return !present;
}

/**
 * Undoes a claim: takes the address off sip.listen (when `removeAddress`), and puts the domains
 * and server name back as they were (null: not set in the file, so the key is removed). An
 * empty `listen` (the default) and then an empty `sip` section are left out.
 */
export function releaseSipAddress(file: string, address: { host: string; port: number }, previous: SipBefore | null): boolean {
  if (!existsSync(file)) return false;
  const raw = readRaw(file);
  const config = effectiveOrDefaults(file);
  const present = config.sip.listen.some((l) => sameAddress(l, address));
  const removing = present && (previous?.removeAddress ?? true);
  const next: Raw = { ...sip(raw), listen: config.sip.listen.filter((l) => !(removing && sameAddress(l, address))).map(stored) };
  if (previous) {
    delete next.domains;
    delete next.serverName;
    if (previous.domains !== null) next.domains = previous.domains;
    if (previous.serverName !== null) next.serverName = previous.serverName;
  }
  if (!removing && !previous) return false;
  // An empty list is the default: left out, so a file that had no SIP address reads as before.
  if ((next.listen as unknown[]).length === 0) delete next.listen;
  if (Object.keys(next).length === 0) delete raw.sip;
  else raw.sip = next;
  writeValidated(file, raw);
  return removing;
}
