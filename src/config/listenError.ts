import { ConfigError } from './load.js';

/** Which setting chooses an endpoint's addresses, as an administrator writes it. */
const SETTINGS = {
  http: 'http.port / http.host in the config file, or PCHAT_PORT / PCHAT_HOST (--port / --host)',
  irc: 'irc.listen in the config file, or PCHAT_IRC_LISTEN (none switches IRC off)',
  sip: 'sip.listen in the config file, or PCHAT_SIP_LISTEN',
} as const;

/**
 * An address pchat could not listen on at start, said in one line that names the setting to
 * change. A ConfigError, so `pchat serve` exits with the configuration error code (78) and no
 * stack trace.
 */
export class ListenError extends ConfigError {
  constructor(readonly line: string) {
    super([line]);
    this.name = 'ListenError';
    this.message = line;
  }
}

/** The ListenError for a failed listen (in use, no permission, not an address here), or the error itself when it is something else. */
export function listenFailure(error: unknown, endpoint: keyof typeof SETTINGS, fallback: { host: string; port: number }): unknown {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const host = e.address ?? fallback.host;
  const port = e.port ?? fallback.port;
  const where = `${endpoint === 'http' ? 'http' : `${endpoint}.listen`} ${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why: Record<string, string> = {
    EADDRINUSE: 'is already in use (another process listens there)',
    EACCES: 'needs a privilege this process does not have (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'is not an address of this machine',
  };
  const reason = e.code ? why[e.code] : undefined;
  return reason ? new ListenError(`pchat cannot start: ${where} ${reason}; change ${SETTINGS[endpoint]}.`) : error;
}
