import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { PchatError } from '../core/errors.js';
import { parseInteger } from './args.js';
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
  section,
  stored,
  writeValidated,
} from './endpointConfig.js';
import type { GlobalOptions } from './options.js';
import { printItem, printList, printResult } from './output.js';
import { usage, withExamples } from './resource.js';
import { addSipAddress, collectDomains, protocolOf, registerSipDomains, removeSipAddress, SIP_EXAMPLES, sipListing, type SipAddOptions } from './sipEndpoints.js';

/**
 * `pchat endpoint add|list|remove|domains`: the addresses the IRC endpoint (`irc.listen`,
 * `irc.serverName`) and the SIP endpoint for Lync/OCS clients (`sip.listen`, `sip.domains`,
 * `sip.serverName`; sipEndpoints.ts) listen on, in the JSON configuration file. Every change is
 * validated by the one config schema before it is written, and written atomically. A running
 * server reads them at start.
 */

export { effectiveOrDefaults, readRaw, stored, writeValidated } from './endpointConfig.js';

export const irc = (raw: Raw): Raw => section(raw, 'irc');

export function registerEndpoints(program: Command): void {
  const group = withExamples(
    program
      .command('endpoint')
      .description('Manage the endpoints legacy clients connect to, in the config file: IRC (the default protocol) and SIP for Lync/OCS/Skype for Business group chat clients (--protocol sip): addresses (plain or TLS), server names, SIP domains.'),
    [
      'pchat endpoint list',
      'pchat endpoint add --host 0.0.0.0 --port 6697 --tls-cert /etc/pchat/irc.pem --tls-key /etc/pchat/irc.key',
      'pchat endpoint remove 0.0.0.0:6667 --config /etc/pchat/pchat.config.json',
      ...SIP_EXAMPLES,
    ],
    `The endpoints are declared in the JSON config file (--config, else PCHAT_CONFIG, else
./pchat.config.json, created when absent) as irc.listen and irc.serverName, and sip.listen,
sip.domains and sip.serverName; other settings in the file are kept. Every change is checked
against the configuration schema before the file is replaced (atomically). A running server
picks endpoint changes up when it restarts.
To take over a legacy IRC server's address, add its host and port and give its server name.
To take over a Lync/OCS pool's address, add it with --protocol sip, its pool FQDN as
--server-name and the organisation's SIP domains (--domain); the SIP endpoint is off while it
has no address.`,
  );

  withExamples(
    group
      .command('list')
      .description('List the addresses the IRC and SIP endpoints listen on (IRC with its defaults when the file sets none), their server names and the SIP domains; --json prints them as JSON.')
      .addOption(new Option('--protocol <protocol>', 'only this endpoint').choices(['irc', 'sip']))
      .action((opts: { protocol?: 'irc' | 'sip' }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = effectiveOrDefaults(configPath(command));
        const sip = sipListing(config);
        const ircListing = { serverName: config.irc.serverName, listen: config.irc.listen.map(row) };
        if (globals.json) {
          // The top-level fields are the IRC endpoint's (as before SIP existed); `sip` once it is configured.
          if (opts.protocol === 'sip') printItem(true, sip.json);
          else printItem(true, { ...ircListing, ...(opts.protocol !== 'irc' && sip.configured && { sip: sip.json }) });
          return;
        }
        const rows = [
          ...(opts.protocol !== 'sip' ? config.irc.listen.map((l) => ({ protocol: 'irc', ...row(l) })) : []),
          ...(opts.protocol !== 'irc' ? sip.rows : []),
        ];
        printList(false, rows, ['protocol', 'address', 'tls', 'certFile', 'keyFile']);
        if (opts.protocol !== 'sip') process.stdout.write(`IRC server name: ${config.irc.serverName}\n`);
        if (opts.protocol !== 'irc') process.stdout.write(sip.summary);
      }),
    ['pchat endpoint list', 'pchat endpoint list --json --config /etc/pchat/pchat.config.json', 'pchat endpoint list --protocol sip'],
    'The JSON form has the IRC endpoint at the top level (serverName, listen) and, once the SIP endpoint is configured, its serverName, domains, auth and listen under "sip"; --protocol sip prints only those.',
  );

  withExamples(
    group
      .command('add')
      .description('Add an address for IRC clients, or with --protocol sip for Lync/OCS/Skype for Business clients: plain (TCP), or TLS with a PEM certificate and key.')
      .requiredOption('--host <host>', 'address to listen on, e.g. 0.0.0.0, :: or the legacy server’s address')
      .requiredOption('--port <port>', 'TCP port, e.g. 6667 (plain) or 6697 (TLS); SIP: 5061 (TLS) or 5060 (TCP)', parseInteger)
      .option('--tls-cert <file>', 'PEM certificate (chain) file: this address speaks TLS')
      .option('--tls-key <file>', 'PEM private key file of the certificate')
      .option('--server-name <name>', 'also set the name the endpoint gives itself (irc.serverName or sip.serverName), e.g. the legacy server’s name or the Lync pool’s FQDN')
      .addOption(new Option('--protocol <protocol>', 'the endpoint: irc, or sip for Lync/OCS/Skype for Business group chat clients').choices(['irc', 'sip']).default('irc'))
      .option('--domain <domain>', 'SIP only: a SIP domain the endpoint serves (sip.domains), e.g. example.com; repeat it or separate with commas; needed before the first SIP address', collectDomains)
      .action((opts: SipAddOptions & { protocol: 'irc' | 'sip' }, command: Command) => {
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) usage(command, 'give both --tls-cert and --tls-key, or neither.');
        if (opts.protocol !== 'sip' && opts.domain !== undefined) usage(command, '--domain is for the SIP endpoint: add --protocol sip.');
        for (const [flag, path] of [['--tls-cert', opts.tlsCert], ['--tls-key', opts.tlsKey]] as const) {
          if (path !== undefined && !existsSync(path)) throw new PchatError('invalid_input', `The file ${path} does not exist.`, { field: flag });
        }
        if (opts.protocol === 'sip') return addSipAddress(command, opts);
        const file = configPath(command);
        const raw = readRaw(file);
        const effective = effectiveOrDefaults(file);
        const current = effective.irc.listen;
        if (current.some((l) => l.host === opts.host && l.port === opts.port)) {
          throw new PchatError('conflict', `The IRC endpoint already listens on ${addressOf({ host: opts.host, port: opts.port })}.`, { field: '--port' });
        }
        assertFreeInConfig(effective, opts, 'irc');
        const entry: Raw = {
          host: opts.host,
          port: opts.port,
          ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined && { tls: { certFile: resolve(opts.tlsCert), keyFile: resolve(opts.tlsKey) } }),
        };
        raw.irc = { ...irc(raw), listen: [...current.map(stored), entry], ...(opts.serverName !== undefined && { serverName: opts.serverName }) };
        const config = writeValidated(file, raw);
        const added = config.irc.listen.at(-1) as Listen;
        printResult(
          command.optsWithGlobals<GlobalOptions>().json === true,
          { added: row(added), serverName: config.irc.serverName, file },
          `Added ${added.tls ? 'TLS' : 'plain'} IRC endpoint ${addressOf(added)} to ${file} (server name ${config.irc.serverName}). ${RESTART_NOTE}`,
        );
      }),
    [
      'pchat endpoint add --host 0.0.0.0 --port 6667',
      'pchat endpoint add --host 0.0.0.0 --port 6697 --tls-cert /etc/pchat/irc.pem --tls-key /etc/pchat/irc.key',
      'pchat endpoint add --host 192.0.2.10 --port 6667 --server-name irc.example.com   # take over a legacy server',
      ...SIP_EXAMPLES.filter((e) => e.includes(' add ')),
    ],
    `${RESTART_NOTE} With --protocol sip, --domain adds to the SIP domains already set (\`pchat endpoint domains set\` replaces them); the schema refuses a SIP address while no domain is set.`,
  );

  withExamples(
    group
      .command('remove <address>')
      .description('Stop listening on an address, given as host:port ([v6]:port for IPv6 hosts) as `endpoint list` shows it; a SIP address as sip:host:port (or with --protocol sip).')
      .addOption(new Option('--protocol <protocol>', 'the endpoint the address belongs to (default irc, or the address’s irc:/sip: prefix)').choices(['irc', 'sip']))
      .action((given: string, opts: { protocol?: 'irc' | 'sip' }, command: Command) => {
        const { protocol, address } = protocolOf(command, given, opts.protocol);
        if (protocol === 'sip') return removeSipAddress(command, address);
        const wanted = parseAddress(address);
        const file = configPath(command);
        const raw = readRaw(file);
        const current = effectiveOrDefaults(file).irc.listen;
        const kept = current.filter((l) => !(l.host === wanted.host && l.port === wanted.port));
        if (kept.length === current.length) {
          throw new PchatError('not_found', `The IRC endpoint does not listen on ${addressOf(wanted)}; see \`pchat endpoint list\`.`, { field: '<address>' });
        }
        raw.irc = { ...irc(raw), listen: kept.map(stored) };
        writeValidated(file, raw);
        printResult(
          command.optsWithGlobals<GlobalOptions>().json === true,
          { removed: addressOf(wanted), remaining: kept.map(row), file },
          `Removed IRC endpoint ${addressOf(wanted)} from ${file}${kept.length === 0 ? ' (no IRC addresses are left: IRC is off)' : ''}. ${RESTART_NOTE}`,
        );
      }),
    ['pchat endpoint remove 0.0.0.0:6667', 'pchat endpoint remove [::]:6697 --json', 'pchat endpoint remove sip:0.0.0.0:5061', 'pchat endpoint remove --protocol sip 0.0.0.0:5061'],
    RESTART_NOTE,
  );

  registerSipDomains(group);
}
