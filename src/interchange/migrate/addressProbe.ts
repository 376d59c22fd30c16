import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Why an address cannot be claimed, in words: what holds it, or why this host cannot listen there. */
export interface AddressTaken {
  readonly code: string;
  readonly reason: string;
}

const show = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Whether pchat could listen on `host:port` now: binds it (exclusively) and closes it again.
 * Null when it is free; else the error code and a sentence naming the address and, when it is
 * in use, the process that holds it (as far as this host lets us see).
 */
export async function probeAddress(host: string, port: number): Promise<AddressTaken | null> {
  const code = await new Promise<string | null>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
  if (code === null) return null;
  const address = show(host, port);
  if (code === 'EADDRINUSE') return { code, reason: `${address} is in use by ${await holderOf(port)}` };
  if (code === 'EADDRNOTAVAIL') return { code, reason: `${address} is not an address of this host (EADDRNOTAVAIL): give the target host the legacy pool's IP address first` };
  if (code === 'EACCES') return { code, reason: `this process may not listen on ${address} (EACCES: a port below 1024 needs the privilege to bind it)` };
  return { code, reason: `cannot listen on ${address}: ${code}` };
}

/** The process listening on a TCP port, from /proc on Linux; a hint to find it elsewhere. */
async function holderOf(port: number): Promise<string> {
  const fallback = `another process (find it with \`ss -ltnp 'sport = :${port}'\` as root)`;
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket's inode.
        const local = fields[1];
        if (local && fields[3] === '0A' && Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9]) inodes.add(fields[9]);
      }
    }
    if (inodes.size === 0) return fallback;
    const holders: string[] = [];
    for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ');
          holders.push(`pid ${pid}${command ? ` (${command.length > 120 ? `${command.slice(0, 117)}…` : command})` : ''}`);
          break;
        }
      }
    }
    return holders.length > 0 ? holders.join(', ') : fallback;
  } catch {
    return fallback;
  }
}
