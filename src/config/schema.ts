import { z } from 'zod';

/**
 * The process configuration: one schema for the file and the environment. Runtime chat
 * settings (history length, limits users see) live in the database instead, so the CLI and
 * the API can change them while pchat runs.
 */
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
};
