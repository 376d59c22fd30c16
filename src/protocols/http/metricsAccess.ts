import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** Who may read GET /metrics (config `metrics`). */
export interface MetricsAccess {
  /** Addresses or CIDR blocks whose direct requests are served. */
  readonly allow: readonly string[];
  /** A bearer token that opens /metrics from anywhere. */
  readonly token?: string | undefined;
}

/**
 * The check for GET /metrics: a request is served when it carries the bearer token, or when it
 * comes straight from an allowed address. A request relayed by a proxy (it carries
 * X-Forwarded-For or Forwarded) is never let in by address: a reverse proxy on the same machine
 * connects from loopback on behalf of anyone.
 */
export function metricsGate(access: MetricsAccess): (request: FastifyRequest) => boolean {
  const allowed = new BlockList();
  for (const entry of access.allow) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(bits), family);
  }
  const token = access.token === undefined ? null : Buffer.from(access.token);
  return (request) => {
    const auth = request.headers.authorization;
    if (token && auth?.startsWith('Bearer ')) {
      const given = Buffer.from(auth.slice(7).trim());
      if (given.length === token.length && timingSafeEqual(given, token)) return true;
    }
    if (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined) return false;
    const remote = request.socket.remoteAddress ?? '';
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote)?.[1];
    if (mapped) return allowed.check(mapped, 'ipv4') || allowed.check(remote, 'ipv6');
    return isIP(remote) !== 0 && allowed.check(remote, isIP(remote) === 6 ? 'ipv6' : 'ipv4');
  };
}
