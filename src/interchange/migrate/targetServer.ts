import { randomUUID } from 'node:crypto';
import type { Store } from '../../ports/store.js';
import { VERSION } from '../../version.js';
import { StepStopped } from './stopped.js';

/** An address a line protocol (IRC, SIP) of the target server listens on, as its /healthz lists it. */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
}

/** What /healthz of the server at --web-url proved: it runs this pchat on the target database itself. */
export interface ProvenServer {
  readonly url: string;
  readonly databaseId: string;
  readonly listening: { readonly irc: readonly ListeningAddress[]; readonly sip: readonly ListeningAddress[] };
}

interface Health {
  status?: string;
  version?: string;
  decommissioned?: unknown;
  database?: { id?: unknown; mark?: unknown };
  listening?: { irc?: ListeningAddress[]; sip?: ListeningAddress[] };
}

const showDatabase = (location: string) => location.replace(/\/\/[^@/]*@/, '//…@');

/**
 * Proves that the server at `webUrl` serves the target database, not merely that something
 * answers there: it writes a fresh random mark into the target database, then asks the server's
 * /healthz, which reads the database's instance id and mark live. A different id is another
 * database; the same id without the mark is a copy of the target (a restored backup, a copied
 * file), which has the same id but not what was written a moment ago. Stops with both
 * identities and what they mean.
 */
export async function proveTargetServer(webUrl: string, store: Store, location: string): Promise<ProvenServer> {
  const url = new URL('/healthz', webUrl);
  const databaseId = await store.settings.instanceId();
  const mark = randomUUID();
  await store.settings.setIdentityMark(mark);
  let health: Health;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    health = (await response.json()) as Health;
  } catch (error) {
    throw new StepStopped(`the target server does not answer at ${url}: ${(error as Error).message}. Start it (pchat serve) or fix --web-url.`);
  }
  if (health.status !== 'ok') throw new StepStopped(`the target server at ${url} is not healthy: ${JSON.stringify(health)}`);
  if (health.version !== VERSION) throw new StepStopped(`the target server runs pchat ${health.version}, this tool is ${VERSION}: upgrade one so the schemas match`);
  if (health.decommissioned) throw new StepStopped(`the target server at ${url} is itself decommissioned`);
  const served = typeof health.database?.id === 'string' ? health.database.id : null;
  if (served !== databaseId) {
    throw new StepStopped(
      `the server at ${webUrl} serves another database: its /healthz reports database id ${served ?? '(none)'}, the target database ${showDatabase(location)} has id ${databaseId}. ` +
        'Users would reach a server that does not show what this migration imports: point --web-url at the server that runs on the target database, or plan again with --to set to the database that server uses.',
    );
  }
  if (health.database?.mark !== mark) {
    throw new StepStopped(
      `the server at ${webUrl} reports the target's database id ${databaseId} but not the mark just written into ${showDatabase(location)} (it reports ${String(health.database?.mark ?? '(none)')}, written ${mark}): ` +
        'it serves a copy of the target database (a restored backup or a copied file), not the database itself. Start the server on the target database, or plan again with --to set to the database it uses.',
    );
  }
  return { url: webUrl, databaseId, listening: { irc: health.listening?.irc ?? [], sip: health.listening?.sip ?? [] } };
}
