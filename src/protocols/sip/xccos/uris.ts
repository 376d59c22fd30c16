import type { Snapshot } from '../../../app/directory.js';
import type { Room, User } from '../../../core/model.js';
import { addressOf } from '../message.js';

/**
 * Names on the SIP side. A room imported from a Group Chat database keeps the `ma-chan://`
 * URI its clients remember (room.legacyUri); a native room gets `ma-chan://<domain>/<guid>`
 * with a GUID-shaped value made from its id, stable for the life of the database. A user is
 * `sip:<login>` when the login is an address of a served domain (imported users keep their
 * legacy SIP URI as login), else `sip:<login>@<first domain>`.
 */
export class SipNames {
  constructor(
    readonly domains: readonly string[],
    /** Where pchat's web side is reached (http.publicUrl): file posts carry download links there. */
    readonly publicUrl = 'http://localhost:8080',
  ) {}

  get primaryDomain(): string {
    return this.domains[0] ?? 'pchat.local';
  }

  serves(domain: string): boolean {
    return this.domains.includes(domain.toLowerCase());
  }

  roomUri(room: Room): string {
    if (room.legacyUri) return room.legacyUri;
    return `ma-chan://${this.primaryDomain}/00000000-0000-0000-0000-${room.id.toString(16).padStart(12, '0')}`;
  }

  /** The room a `ma-chan://` URI names, or null (the caller then answers "not found"). */
  roomOf(uri: string, snapshot: Snapshot): Room | null {
    const legacy = snapshot.roomByLegacyUri(uri);
    if (legacy) return legacy;
    const match = /^ma-chan:\/\/([^/]+)\/00000000-0000-0000-0000-([0-9a-f]{12})$/i.exec(uri.trim());
    if (!match || !this.serves(match[1] as string)) return null;
    const room = snapshot.rooms.get(Number.parseInt(match[2] as string, 16));
    return room && !room.legacyUri ? room : null;
  }

  /** `ma-chan://<domain>/<value>` from the XCCOS `<chanid domain value>` form. */
  static chanidUri(domain: string, value: string): string {
    return `ma-chan://${domain}/${value}`;
  }

  userUri(user: User): string {
    const login = user.login.replace(/^sips?:/i, '');
    const at = login.lastIndexOf('@');
    if (at > 0 && this.serves(login.slice(at + 1))) return `sip:${login.toLowerCase()}`;
    return `sip:${encodeURIComponent(login).toLowerCase()}@${this.primaryDomain}`;
  }

  userUriOf(userId: number, snapshot: Snapshot | null): string {
    const user = snapshot?.users.get(userId);
    return user ? this.userUri(user) : `sip:user-${userId}@${this.primaryDomain}`;
  }

  /** Whether a request URI names the chat service (the lookup address or the service itself). */
  isChatService(uri: string, lookupUser: string, serviceUser: string): 'lookup' | 'service' | null {
    const address = addressOf(uri);
    if (!address) return null;
    const [user, domain] = address.split('@') as [string, string];
    if (!this.serves(domain)) return null;
    if (user === lookupUser) return 'lookup';
    if (user === serviceUser) return 'service';
    return null;
  }
}
