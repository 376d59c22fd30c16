import type { Origin } from '../../core/model.js';
import type { MessageRecord } from '../archive/records.js';

/**
 * The parent of each imported reply, by identity: the store links a reply to the message of its
 * room whose origin that is (MessageStore.importHistory). A record without an origin of its own
 * has the identity (source system, its id), which a reply's `replyTo` gives directly; one with an
 * origin (an archive of an earlier migration) is remembered while its room is read. `parents` is
 * what the check found: `<room>\u0000<id>` of every message some reply answers, earlier in its
 * room. When it is complete (the two-pass import) only those are remembered; while it is still
 * being filled (the bulk import checks and writes in one pass) every message with an origin is.
 */
export class ReplyLinks {
  private room: string | null = null;
  private readonly identities = new Map<string, Origin>();

  constructor(
    private readonly parents: ReadonlySet<string>,
    /** The identity system of records without an origin (systemKey of the source). */
    private readonly system: string,
    private readonly complete: boolean,
  ) {}

  /** Called for every message written, in order: the identity of its parent, or null (none, or not earlier in its room). */
  parentOf(m: MessageRecord, identity: Origin): Origin | null {
    if (m.room !== this.room) {
      this.room = m.room;
      this.identities.clear();
    }
    if (m.origin !== null && (!this.complete || this.parents.has(`${m.room}\u0000${m.id}`))) this.identities.set(m.id, identity);
    if (m.replyTo === undefined || !this.parents.has(`${m.room}\u0000${m.replyTo}`)) return null;
    return this.identities.get(m.replyTo) ?? { system: this.system, id: m.replyTo };
  }
}
