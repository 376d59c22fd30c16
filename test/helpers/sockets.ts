import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A TCP connection from `localAddress`, recording what the server sends and when it closes. */
export interface Probe {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<void>;
}

export function openFrom(port: number, localAddress = '127.0.0.1'): Promise<Probe> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve({ socket, received: () => text, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('error', reject);
    socket.on('error', () => undefined);
  });
}

/** One sample of a Prometheus text exposition, e.g. metric(text, 'pchat_connections_refused_total', {protocol: 'irc', reason: 'total'}). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const rest = line.slice(name.length);
    const ok = Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}


/** GET over a fresh connection from `localAddress` (no keep-alive pool). */
export function getFrom(port: number, path: string, localAddress = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

