import type { Command } from 'commander';
import { startServer } from '../main.js';
import { configFrom, type GlobalOptions } from './options.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the pchat server: HTTP API, WebSocket and the admin API, on embedded SQLite by default, or on PostgreSQL when the database is a postgres:// URL.')
    .option('--host <host>', 'address to listen on (default 0.0.0.0; env PCHAT_HOST)')
    .option('--port <port>', 'HTTP port (default 8080; env PCHAT_PORT)')
    .addHelpText(
      'after',
      `
On first start pchat creates the administrator "admin" and prints a one-time password, which
the first sign-in must replace, unless PCHAT_ADMIN_PASSWORD is set. Sessions last
PCHAT_SESSION_LIFETIME_HOURS (720) at most and end after PCHAT_SESSION_IDLE_HOURS (336) unused.
Stop with Ctrl-C: accepted messages are flushed first.

Examples:
  pchat serve
  PCHAT_PORT=9000 pchat serve --data-dir /var/lib/pchat
  PCHAT_DATABASE=postgres://pchat:secret@db.example.com/pchat pchat serve`,
    )
    .action(async (options: { host?: string; port?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = configFrom(globals, { 'http.host': options.host, 'http.port': options.port });
      const server = await startServer(config);
      process.stdout.write(`pchat is serving at ${server.url}\n`);
      const stop = (signal: string) => {
        process.stdout.write(`${signal}: shutting down\n`);
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
