import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { type Config, configSchema } from '../config/schema.js';
import { PchatError } from '../core/errors.js';
import { parseInteger } from './args.js';
import type { GlobalOptions } from './options.js';
import { printItem, printList, printResult } from './output.js';
import { usage, withExamples } from './resource.js';

/**
 * `pchat endpoint add|list|remove`: the IRC endpoint's addresses (`irc.listen`) and server name
 * (`irc.serverName`) in the JSON configuration file. Every change is validated by the one
 * config schema before it is written, and written atomically (a temporary file, then rename).
 * A running server reads them at start.
 */

type Listen = Config['irc']['listen'][number];
type Raw = Record<string, unknown>;

const RESTART_NOTE = 'Changes are written to the configuration file; a running server picks them up when it restarts.';

/** The config file the endpoint commands edit: --config, else PCHAT_CONFIG, else ./pchat.config.json. */
const configPath = (command: Command): string => command.optsWithGlobals<GlobalOptions>().config ?? process.env.PCHAT_CONFIG ?? 'pchat.config.json';

/** The file as a JSON object ({} when it does not exist yet). */
export function readRaw(file: string): Raw {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError([`${file}: the file must hold a JSON object.`]);
  return parsed as Raw;
}

/** The file's settings through the schema (defaults applied, environment ignored); the defaults when it does not exist. */
export function effectiveOrDefaults(file: string): Config {
  return existsSync(file) ? loadConfig({ file, env: {} }) : configSchema.parse({});
}

/** Validates `raw` with the config schema, then replaces the file with it atomically. */
export function writeValidated(file: string, raw: Raw): Config {
  const temp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  try {
    const config = loadConfig({ file: temp, env: {} });
    renameSync(temp, file);
    return config;
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((p) => p.replaceAll(temp, file)));
    throw error;
  }
}

/** `host:port`, with brackets around IPv6 hosts. */
const addressOf = (l: { host: string; port: number }): string => (l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`);

/** A listen entry as the file stores it (tls only when set). */
export const stored = (l: Listen): Raw => ({ host: l.host, port: l.port, ...(l.tls && { tls: { certFile: l.tls.certFile, keyFile: l.tls.keyFile } }) });

const row = (l: Listen): Raw => ({ address: addressOf(l), host: l.host, port: l.port, tls: Boolean(l.tls), certFile: l.tls?.certFile ?? null, keyFile: l.tls?.keyFile ?? null });

function parseAddress(value: string): { host: string; port: number } {
  const match = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(value);
  if (!match) throw new PchatError('invalid_input', `"${value}" is not an address: write host:port, e.g. 0.0.0.0:6667 or [::1]:6697.`, { field: '<host:port>' });
  return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
}

export const irc = (raw: Raw): Raw => (typeof raw.irc === 'object' && raw.irc !== null && !Array.isArray(raw.irc) ? (raw.irc as Raw) : {});

export function registerEndpoints(program: Command): void {
  const group = withExamples(
    program.command('endpoint').description('Manage the IRC endpoint: the addresses it listens on (plain or TLS) and its server name, in the config file.'),
    ['pchat endpoint list', 'pchat endpoint add --host 0.0.0.0 --port 6697 --tls-cert /etc/pchat/irc.pem --tls-key /etc/pchat/irc.key', 'pchat endpoint remove 0.0.0.0:6667 --config /etc/pchat/pchat.config.json'],
    `The endpoint is declared in the JSON config file (--config, else PCHAT_CONFIG, else
./pchat.config.json, created when absent) as irc.listen and irc.serverName; other settings in
the file are kept. Every change is checked against the configuration schema before the file
is replaced (atomically). A running server picks endpoint changes up when it restarts.
To take over a legacy IRC server's address, add its host and port and give its server name.`,
  );

  withExamples(
    group
      .command('list')
      .description('List the addresses the IRC endpoint listens on (with the defaults when the file sets none) and its server name; --json prints them as JSON.')
      .action((_opts: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = effectiveOrDefaults(configPath(command));
        if (globals.json) {
          printItem(true, { serverName: config.irc.serverName, listen: config.irc.listen.map(row) });
          return;
        }
        printList(false, config.irc.listen.map(row), ['address', 'tls', 'certFile', 'keyFile']);
        process.stdout.write(`server name: ${config.irc.serverName}\n`);
      }),
    ['pchat endpoint list', 'pchat endpoint list --json --config /etc/pchat/pchat.config.json'],
  );

  withExamples(
    group
      .command('add')
      .description('Add an address for IRC clients: plain, or TLS with a PEM certificate and key.')
      .requiredOption('--host <host>', 'address to listen on, e.g. 0.0.0.0, :: or the legacy server’s address')
      .requiredOption('--port <port>', 'TCP port, e.g. 6667 (plain) or 6697 (TLS)', parseInteger)
      .option('--tls-cert <file>', 'PEM certificate (chain) file: this address speaks TLS')
      .option('--tls-key <file>', 'PEM private key file of the certificate')
      .option('--server-name <name>', 'also set the name the endpoint gives itself (irc.serverName), e.g. the legacy server’s name')
      .action((opts: { host: string; port: number; tlsCert?: string; tlsKey?: string; serverName?: string }, command: Command) => {
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) usage(command, 'give both --tls-cert and --tls-key, or neither.');
        for (const [flag, path] of [['--tls-cert', opts.tlsCert], ['--tls-key', opts.tlsKey]] as const) {
          if (path !== undefined && !existsSync(path)) throw new PchatError('invalid_input', `The file ${path} does not exist.`, { field: flag });
        }
        const file = configPath(command);
        const raw = readRaw(file);
        const current = effectiveOrDefaults(file).irc.listen;
        if (current.some((l) => l.host === opts.host && l.port === opts.port)) {
          throw new PchatError('conflict', `The IRC endpoint already listens on ${addressOf({ host: opts.host, port: opts.port })}.`, { field: '--port' });
        }
        const entry: Raw = {
          host: opts.host,
          port: opts.port,
          ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined && { tls: { certFile: resolve(opts.tlsCert), keyFile: resolve(opts.tlsKey) } }),
        };
        const section = irc(raw);
        raw.irc = { ...section, listen: [...current.map(stored), entry], ...(opts.serverName !== undefined && { serverName: opts.serverName }) };
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
    ],
    RESTART_NOTE,
  );

  withExamples(
    group
      .command('remove <address>')
      .description('Stop listening on an address, given as host:port ([v6]:port for IPv6 hosts), as `endpoint list` shows it.')
      .action((address: string, _opts: unknown, command: Command) => {
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
    ['pchat endpoint remove 0.0.0.0:6667', 'pchat endpoint remove [::]:6697 --json'],
    RESTART_NOTE,
  );
}
