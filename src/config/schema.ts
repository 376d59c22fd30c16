import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The process configuration: one schema for the file and the environment. Runtime chat
 * settings (history length, limits users see) live in the database instead, so the CLI and
 * the API can change them while pchat runs.
 */
const listenEntry = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().pipe(z.int().min(0).max(65535)),
  /** PEM files; given both, this address speaks TLS. */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
});

const ircListen = listenEntry;

/** `0.0.0.0:6667,[::1]:6668` → [{host, port}]; `none` → none (the endpoint is off). */
function parseListenList(value: string): unknown[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((entry) => {
    const match = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(entry);
    return match ? { host: match[1] ?? match[2], port: match[3] } : { host: entry, port: 'missing: write host:port' };
  });
}

const sipDomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'A SIP domain is a DNS name, e.g. example.com.')
  .transform((d) => d.toLowerCase());

/** Addresses or CIDR blocks: a list, or comma-separated (from the environment). */
const addressList = z
  .union([z.array(z.string().min(1)), z.string().transform((value) => value.split(',').map((a) => a.trim()).filter((a) => a !== ''))])
  .superRefine((list, ctx) => {
    for (const [i, entry] of list.entries()) if (!isAddressOrBlock(entry)) ctx.addIssue({ code: 'custom', path: [i], message: `"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1/128).` });
  });

export const configSchema = z.strictObject({
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.coerce.number().pipe(z.int().min(0).max(65535)).default(8080),
      /** Largest accepted request body. */
      maxBodyBytes: z.coerce.number().pipe(z.int().min(1024)).default(1_048_576),
      /** Seconds a client has to send a request's line and headers (a connection that sends nothing is closed then too). */
      headersTimeoutSeconds: z.coerce.number().pipe(z.int().min(1).max(3600)).default(10),
      /** Seconds without a byte either way after which a connection is closed (a stalled body or download). */
      idleTimeoutSeconds: z.coerce.number().pipe(z.int().min(1).max(3600)).default(30),
      /** Seconds an idle keep-alive connection is kept between requests. */
      keepAliveTimeoutSeconds: z.coerce.number().pipe(z.int().min(1).max(3600)).default(5),
      /** From headersTimeoutSeconds after a request began, its body must average at least this many bytes per second; 0: no floor. */
      minBodyBytesPerSecond: z.coerce.number().pipe(z.int().min(0)).default(4096),
      /**
       * The address users reach pchat's web side at, for absolute links (an IRC client's file
       * links), e.g. https://chat.example.com behind a proxy. Default: http://<http.host>:<port>,
       * with the machine's name when listening on every address.
       */
      /**
       * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks). A request from
       * one of them is attributed to the client address the proxy names, so sign-in throttling
       * counts each client, not the proxy. Empty (the default): the connection's address is the client.
       */
      trustedProxies: addressList.default([]),
      publicUrl: z
        .url({ protocol: /^https?$/, message: 'http.publicUrl must be an http or https URL, e.g. https://chat.example.com' })
        .transform((url) => url.replace(/\/+$/, ''))
        .optional(),
    })
    .prefault({}),
  /** Where the embedded database and other state live. */
  dataDir: z.string().min(1).default('./data'),
  /**
   * The database: a postgres:// or postgresql:// URL for PostgreSQL (what a pool of pchat
   * nodes shares), anything else is a SQLite file path. Defaults to <dataDir>/pchat.db.
   */
  database: z
    .string()
    .min(1)
    .refine((value) => !isPostgresUrl(value) || URL.canParse(value), 'A PostgreSQL database must be a valid URL: postgres://user:password@host:5432/name')
    .optional(),
  sqlite: z
    .strictObject({
      /** full: every commit reaches the disk (power-loss safe); normal: process-crash safe only. */
      synchronous: z.enum(['full', 'normal']).default('full'),
    })
    .prefault({}),
  /** Where the bytes of posted files are kept (their rows are in the database). */
  files: z
    .strictObject({
      /**
       * `directory` (the default with SQLite) or `database` (PostgreSQL only, the default there: every
       * node of a pool shares it). A pool may use a directory only if every node mounts the same one.
       */
      store: z.enum(['directory', 'database']).optional(),
      /** The directory of the `directory` store. Defaults to `files` beside the SQLite database (so <dataDir>/files by default), or <dataDir>/files with PostgreSQL. */
      directory: z.string().min(1).optional(),
    })
    .prefault({}),
  websocket: z
    .strictObject({
      /** Largest accepted frame. */
      maxFrameBytes: z.coerce.number().pipe(z.int().min(1024)).default(262_144),
      /** Bytes a client may fall behind before it is disconnected as too slow. */
      sendQueueBytes: z.coerce.number().pipe(z.int().min(1024)).default(4_194_304),
      /** Seconds a connection has to authenticate when it did not with its upgrade request. */
      authTimeoutSeconds: z.coerce.number().pipe(z.int().min(1)).default(10),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  irc: z
    .strictObject({
      /** Where IRC clients connect: a list, or `host:port,host:port` from the environment; `none` for no IRC. */
      listen: z
        .union([z.array(ircListen), z.string().transform(parseListenList).pipe(z.array(ircListen))])
        .default([{ host: '0.0.0.0', port: 6667 }]),
      /** The name the endpoint gives itself: the legacy server's name when it takes over its address. */
      serverName: z.string().min(1).max(63).regex(/^[A-Za-z0-9.-]+$/, 'A server name has letters, digits, dots and dashes only.').default('pchat.local'),
      network: z.string().min(1).max(63).regex(/^\S+$/, 'A network name has no spaces.').default('pchat'),
      motd: z.array(z.string()).nullable().default(['Welcome to pchat: persistent rooms, and their whole history.']),
      /** Lines per second with bursts; false switches flood control off (tests, trusted bridges). */
      floodControl: z
        .union([z.literal(false), z.strictObject({ linesPerSecond: z.number().positive(), burst: z.int().positive() })])
        .default({ linesPerSecond: 10, burst: 20 }),
      sendQueueBytes: z.coerce.number().pipe(z.int().min(1024)).default(1_048_576),
      registrationTimeoutSeconds: z.coerce.number().pipe(z.int().min(1)).default(30),
      /** Seconds an unregistered connection may stay silent before it is closed. */
      unregisteredIdleSeconds: z.coerce.number().pipe(z.int().min(1)).default(10),
      pingIntervalSeconds: z.coerce.number().pipe(z.int().min(5)).default(90),
      /**
       * IRC guests (docs/irc.md): null (the default) means every connection signs in. A group name
       * lets people connect without signing in: each nick gets a guest account in this group,
       * whose access is the group's.
       */
      guestGroup: z.string().trim().min(1).max(256).nullable().default(null),
      /**
       * The category in which JOIN of a channel that does not exist creates an open room (when the
       * joiner may create rooms there); null (the default): such a JOIN answers 403.
       */
      createRoomsIn: z.string().trim().min(1).max(256).nullable().default(null),
    })
    .prefault({}),
  sip: z
    .strictObject({
      /**
       * Where Lync / OCS / Skype for Business group chat clients connect (SIP over TCP, or TLS
       * with certFile and keyFile): a list, or `host:port,host:port` from the environment.
       * Empty (the default) switches the SIP endpoint off.
       */
      listen: z.union([z.array(listenEntry), z.string().transform(parseListenList).pipe(z.array(listenEntry))]).default([]),
      /** The SIP domain(s) served: a user's SIP address is login@domain for one of these. */
      domains: z
        .union([z.array(sipDomain), z.string().transform((value) => value.split(',').map((d) => d.trim()).filter((d) => d !== '')).pipe(z.array(sipDomain))])
        .default([]),
      /** The name the endpoint gives itself (NTLM target name, Server header): the legacy pool's FQDN when it takes over. */
      serverName: z.string().min(1).max(253).regex(/^[A-Za-z0-9.-]+$/, 'A server name has letters, digits, dots and dashes only.').default('pchat.local'),
      /**
       * `ntlm` ([MS-SIPAE] NTLMv2, checked against the pchat account's NT hash); `none-loopback-test`
       * signs anyone in without a password and is refused unless every address is a loopback one (CI only).
       */
      auth: z.enum(['ntlm', 'none-loopback-test']).default('ntlm'),
      /** Key that encrypts the NT hashes at rest (AES-256-GCM); created (0600) when missing. Pool nodes share one. Defaults to <dataDir>/sip-credentials.key. */
      credentialKeyFile: z.string().min(1).optional(),
      /** Seconds a REGISTER lasts before the client must refresh it. */
      registerExpiresSeconds: z.coerce.number().pipe(z.int().min(60).max(86_400)).default(900),
      /** Session-Expires on the group chat dialog: the client refreshes it with UPDATE. */
      sessionExpiresSeconds: z.coerce.number().pipe(z.int().min(90).max(86_400)).default(3600),
      /** Largest SIP message (headers and body) accepted from a client. */
      maxMessageBytes: z.coerce.number().pipe(z.int().min(4096).max(16_777_216)).default(1_048_576),
      sendQueueBytes: z.coerce.number().pipe(z.int().min(1024)).default(4_194_304),
      /** Seconds a connection has to register before it is closed. */
      registrationTimeoutSeconds: z.coerce.number().pipe(z.int().min(1)).default(30),
    })
    .prefault({})
    .superRefine((sip, ctx) => {
      if (sip.auth === 'none-loopback-test') {
        for (const [i, l] of sip.listen.entries()) {
          if (!isLoopback(l.host)) ctx.addIssue({ code: 'custom', path: ['listen', i, 'host'], message: `auth "none-loopback-test" signs anyone in without a password, so it listens on loopback addresses only (127.0.0.1, ::1), never on ${l.host}.` });
        }
      }
      if (sip.listen.length > 0 && sip.domains.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['domains'], message: 'The SIP endpoint needs the SIP domain(s) it serves, e.g. ["example.com"] (PCHAT_SIP_DOMAINS=example.com).' });
      }
    }),
  compliance: z
    .strictObject({
      /**
       * The scheduled compliance export (docs/compliance.md): every interval, the records not yet
       * exported are written into `directory` as batch files, each record exactly once across the
       * pool. Absent or null: off.
       */
      export: z
        .strictObject({
          /** Where the batch files go; created when missing. Every node of a pool must see the same directory. */
          directory: z.string().min(1),
          format: z.enum(['xml', 'jsonl']).default('xml'),
          /** Seconds between runs (Lync's RunInterval; 15 minutes by default). */
          intervalSeconds: z.coerce.number().pipe(z.int().min(1).max(86_400)).default(900),
          /** Records per file at most; a run writes as many files as it needs to catch up. */
          batchSize: z.coerce.number().pipe(z.int().min(1).max(1_000_000)).default(10_000),
          /** How long a node that stopped answering keeps the export from the other nodes. */
          leaseSeconds: z.coerce.number().pipe(z.int().min(1).max(3600)).default(60),
        })
        .nullable()
        .default(null),
    })
    .prefault({}),
  /**
   * Failed sign-ins (HTTP, IRC PASS/SASL/OPER, SIP NTLM), counted per (source address, login)
   * and per source address, IPv6 by /64. Past the free failures each further one makes that
   * key wait, the wait doubling from baseDelaySeconds up to maxDelaySeconds.
   */
  signInThrottle: z
    .strictObject({
      freeFailuresPerLogin: z.coerce.number().pipe(z.int().min(1).max(1000)).default(5),
      freeFailuresPerAddress: z.coerce.number().pipe(z.int().min(1).max(100_000)).default(30),
      baseDelaySeconds: z.coerce.number().pipe(z.number().positive().max(86_400)).default(1),
      maxDelaySeconds: z.coerce.number().pipe(z.number().positive().max(86_400)).default(900),
      forgetAfterSeconds: z.coerce.number().pipe(z.int().min(1).max(604_800)).default(3600),
      /** Entries kept per kind (pairs, addresses); the least recently failed are dropped first. */
      maxEntries: z.coerce.number().pipe(z.int().min(100).max(10_000_000)).default(100_000),
    })
    .prefault({})
    .refine((t) => t.maxDelaySeconds >= t.baseDelaySeconds, { path: ['maxDelaySeconds'], message: 'signInThrottle.maxDelaySeconds must be at least baseDelaySeconds.' }),
  /**
   * Who may read GET /metrics: clients from `allow` (addresses or CIDR blocks), or any client
   * sending `Authorization: Bearer <token>`. By default loopback clients only, and never a
   * request that came through a proxy (X-Forwarded-For or Forwarded).
   */
  metrics: z
    .strictObject({
      allow: addressList.default(['127.0.0.0/8', '::1/128']),
      token: z.string().min(16, 'metrics.token needs at least 16 characters.').optional(),
    })
    .prefault({}),
  /** Caps on open TCP connections (HTTP, WebSocket, IRC and SIP together). See the README's Limits. */
  limits: z
    .strictObject({
      /** Open connections in total. Default: the open-file limit (ulimit -n) less 128 kept for the database, files and new clients. */
      maxConnections: z.coerce.number().pipe(z.int().min(1)).optional(),
      /** Open connections from one source address; 0: no such cap (behind a reverse proxy every client has its address). */
      perAddress: z.coerce.number().pipe(z.int().min(0)).default(256),
    })
    .prefault({}),
  accounts: z
    .strictObject({
      /** The shortest password an account may be given (new accounts, resets, changes). Existing passwords keep working. */
      minPasswordLength: z.coerce.number().pipe(z.int().min(1).max(128)).default(8),
    })
    .prefault({}),
  /** How long a sign-in lasts. IRC and SIP connections last as long as the connection; only the idle expiry applies to them. */
  sessions: z
    .strictObject({
      /** Hours a bearer token (the web client's sign-in) works at most, used or not. */
      lifetimeHours: z.coerce.number().pipe(z.number().positive().max(87_600)).default(720),
      /** Hours unused after which a session ends (every request, WebSocket frame or IRC/SIP line is a use). */
      idleHours: z.coerce.number().pipe(z.number().positive().max(87_600)).default(336),
    })
    .prefault({}),
  admin: z
    .strictObject({
      /** The first administrator's password. Without it, a random one is printed once. */
      password: z.string().min(8, 'The administrator password needs at least 8 characters.').optional(),
    })
    .prefault({}),
});

export type Config = z.output<typeof configSchema>;

/** Whether an address is a loopback one (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || /^::ffff:127(\.\d{1,3}){3}$/i.test(host);
}

/** An IP address, or a CIDR block such as 10.0.0.0/8 or fd00::/8. */
export function isAddressOrBlock(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Whether the `database` setting names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** The `database` setting fit for logs and messages: a URL's password is replaced. */
export function redactedDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const url = new URL(database);
    if (url.password) url.password = 'redacted';
    for (const key of [...url.searchParams.keys()]) if (/pass/i.test(key)) url.searchParams.set(key, 'redacted');
    return url.toString();
  } catch {
    return 'postgres://[unparsable URL, not shown]';
  }
}

/** Environment variables and the config path each one sets. */
export const ENVIRONMENT: Readonly<Record<string, readonly string[]>> = {
  PCHAT_HOST: ['http', 'host'],
  PCHAT_PORT: ['http', 'port'],
  PCHAT_PUBLIC_URL: ['http', 'publicUrl'],
  PCHAT_MAX_CONNECTIONS: ['limits', 'maxConnections'],
  PCHAT_MAX_CONNECTIONS_PER_ADDRESS: ['limits', 'perAddress'],
  PCHAT_DATA_DIR: ['dataDir'],
  PCHAT_DATABASE: ['database'],
  PCHAT_SQLITE_SYNCHRONOUS: ['sqlite', 'synchronous'],
  PCHAT_FILES_STORE: ['files', 'store'],
  PCHAT_FILES_DIRECTORY: ['files', 'directory'],
  PCHAT_LOG_LEVEL: ['log', 'level'],
  PCHAT_ADMIN_PASSWORD: ['admin', 'password'],
  PCHAT_SESSION_LIFETIME_HOURS: ['sessions', 'lifetimeHours'],
  PCHAT_SESSION_IDLE_HOURS: ['sessions', 'idleHours'],
  PCHAT_IRC_LISTEN: ['irc', 'listen'],
  PCHAT_IRC_SERVER_NAME: ['irc', 'serverName'],
  PCHAT_IRC_GUEST_GROUP: ['irc', 'guestGroup'],
  PCHAT_IRC_CREATE_ROOMS_IN: ['irc', 'createRoomsIn'],
  PCHAT_SIP_LISTEN: ['sip', 'listen'],
  PCHAT_SIP_DOMAINS: ['sip', 'domains'],
  PCHAT_SIP_SERVER_NAME: ['sip', 'serverName'],
  PCHAT_SIP_AUTH: ['sip', 'auth'],
  PCHAT_COMPLIANCE_EXPORT_DIR: ['compliance', 'export', 'directory'],
  PCHAT_COMPLIANCE_EXPORT_FORMAT: ['compliance', 'export', 'format'],
  PCHAT_COMPLIANCE_EXPORT_INTERVAL_SECONDS: ['compliance', 'export', 'intervalSeconds'],
  PCHAT_COMPLIANCE_EXPORT_BATCH_SIZE: ['compliance', 'export', 'batchSize'],
  PCHAT_METRICS_ALLOW: ['metrics', 'allow'],
  PCHAT_TRUSTED_PROXIES: ['http', 'trustedProxies'],
  PCHAT_METRICS_TOKEN: ['metrics', 'token'],
};
