import { z } from 'zod';

/**
 * The process configuration: one schema for the file and the environment. Runtime chat
 * settings (history length, limits users see) live in the database instead, so the CLI and
 * the API can change them while pchat runs.
 */
const ircListen = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().pipe(z.int().min(0).max(65535)),
  /** PEM files; given both, this address speaks TLS. */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
});

/** `0.0.0.0:6667,[::1]:6668` → [{host, port}]; `none` → no IRC. */
function parseListenList(value: string): unknown[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((entry) => {
    const match = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(entry);
    return match ? { host: match[1] ?? match[2], port: match[3] } : { host: entry, port: 'missing: write host:port' };
  });
}

export const configSchema = z.strictObject({
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.coerce.number().pipe(z.int().min(0).max(65535)).default(8080),
      /** Largest accepted request body. */
      maxBodyBytes: z.coerce.number().pipe(z.int().min(1024)).default(1_048_576),
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
      pingIntervalSeconds: z.coerce.number().pipe(z.int().min(5)).default(90),
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
  PCHAT_DATA_DIR: ['dataDir'],
  PCHAT_DATABASE: ['database'],
  PCHAT_SQLITE_SYNCHRONOUS: ['sqlite', 'synchronous'],
  PCHAT_LOG_LEVEL: ['log', 'level'],
  PCHAT_ADMIN_PASSWORD: ['admin', 'password'],
  PCHAT_IRC_LISTEN: ['irc', 'listen'],
  PCHAT_IRC_SERVER_NAME: ['irc', 'serverName'],
};
