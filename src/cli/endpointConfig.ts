import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { type Config, configSchema } from '../config/schema.js';
import { PchatError } from '../core/errors.js';
import type { GlobalOptions } from './options.js';

/**
 * The JSON configuration file as the endpoint commands (`pchat endpoint`, the migration's
 * cut-over) edit it: read as raw JSON so other settings are kept, validated by the one config
 * schema before it is replaced, written atomically (a temporary file, then rename).
 */

/** One listen entry (IRC and SIP share the shape). */
export type Listen = Config['irc']['listen'][number];
export type Raw = Record<string, unknown>;

export const RESTART_NOTE = 'Changes are written to the configuration file; a running server picks them up when it restarts.';

/** The config file the endpoint commands edit: --config, else PCHAT_CONFIG, else ./pchat.config.json. */
export const configPath = (command: Command): string => command.optsWithGlobals<GlobalOptions>().config ?? process.env.PCHAT_CONFIG ?? 'pchat.config.json';

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

/** A section of the raw file (`irc`, `sip`) as an object ({} when absent). */
export const section = (raw: Raw, key: string): Raw => {
  const value = raw[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
};

/** `host:port`, with brackets around IPv6 hosts. */
export const addressOf = (l: { host: string; port: number }): string => (l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`);

/** A listen entry as the file stores it (tls only when set). */
export const stored = (l: Listen): Raw => ({ host: l.host, port: l.port, ...(l.tls && { tls: { certFile: l.tls.certFile, keyFile: l.tls.keyFile } }) });

/** A listen entry as `endpoint list` shows it. */
export const row = (l: Listen): Raw => ({ address: addressOf(l), host: l.host, port: l.port, tls: Boolean(l.tls), certFile: l.tls?.certFile ?? null, keyFile: l.tls?.keyFile ?? null });

/** `host:port` or `[v6]:port`. */
export function parseAddress(value: string): { host: string; port: number } {
  const match = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(value);
  if (!match) throw new PchatError('invalid_input', `"${value}" is not an address: write host:port, e.g. 0.0.0.0:6667 or [::1]:6697.`, { field: '<host:port>' });
  return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
}

export const sameAddress = (a: { host: string; port: number }, b: { host: string; port: number }): boolean => a.host === b.host && a.port === b.port;

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** Whether two listen addresses would compete for the same socket (same port, same host or a wildcard one). */
export const overlaps = (a: { host: string; port: number }, b: { host: string; port: number }): boolean =>
  a.port === b.port && (a.host === b.host || WILDCARDS.has(a.host) || WILDCARDS.has(b.host));

/**
 * Refuses an address another of pchat's listeners already uses (the other protocol's endpoint,
 * or the HTTP server): the server would fail to start with EADDRINUSE.
 */
export function assertFreeInConfig(config: Config, wanted: { host: string; port: number }, protocol: 'irc' | 'sip'): void {
  const others: [string, { host: string; port: number }][] = [
    ['HTTP server', config.http],
    ...(protocol === 'sip' ? config.irc.listen.map((l) => ['IRC endpoint', l] as [string, Listen]) : []),
    ...(protocol === 'irc' ? config.sip.listen.map((l) => ['SIP endpoint', l] as [string, Listen]) : []),
  ];
  const clash = others.find(([, l]) => overlaps(l, wanted));
  if (clash) throw new PchatError('conflict', `${addressOf(wanted)} would compete with the ${clash[0]} on ${addressOf(clash[1])}: choose another port or host.`, { field: '--port' });
}
